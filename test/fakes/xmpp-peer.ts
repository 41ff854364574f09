/**
 * Scripted XMPP peers for tests: a TCP server on 127.0.0.1 (random port) whose every
 * connection runs a script. Helpers cover the common s2s moves (answer a header, offer
 * features, STARTTLS as server); scripts can also misbehave on purpose (silence, garbage,
 * DOCTYPE, endless stanza, stream errors).
 */
import net from 'node:net';
import tls from 'node:tls';

export interface PeerConn {
  /** Everything received so far on the current (plain or TLS) layer. */
  received(): string;
  /** Resolves with all text received once `re` matches it; rejects after `ms`. */
  waitFor(re: RegExp, ms?: number): Promise<string>;
  send(data: string | Buffer): void;
  /** Performs the server side of a TLS handshake on this connection (after <proceed/>, or at once for direct TLS). */
  startTls(opts: tls.TlsOptions): Promise<void>;
  /** Clears the received buffer (e.g. before a stream restart). */
  clear(): void;
  end(): void;
  destroy(): void;
  readonly socket: net.Socket;
}

export interface ScriptedPeer {
  host: string;
  port: number;
  /** Number of connections accepted so far. */
  connections(): number;
  /** Errors thrown by scripts (tests can assert there were none). */
  errors: Error[];
  close(): Promise<void>;
}

export async function startScriptedPeer(
  script: (c: PeerConn, index: number) => Promise<void>,
  host = '127.0.0.1',
): Promise<ScriptedPeer> {
  const sockets = new Set<net.Socket>();
  const errors: Error[] = [];
  let count = 0;
  const server = net.createServer((raw) => {
    sockets.add(raw);
    raw.on('close', () => sockets.delete(raw));
    raw.on('error', () => {});
    const index = count++;
    let sock: net.Socket = raw;
    let buf = '';
    let waiters: { re: RegExp; resolve: (s: string) => void }[] = [];
    const onData = (d: Buffer) => {
      buf += d.toString('utf8');
      const still: typeof waiters = [];
      for (const w of waiters) {
        if (w.re.test(buf)) w.resolve(buf);
        else still.push(w);
      }
      waiters = still;
    };
    raw.on('data', onData);
    const conn: PeerConn = {
      get socket() {
        return sock;
      },
      received: () => buf,
      waitFor(re, ms = 5000) {
        if (re.test(buf)) return Promise.resolve(buf);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(
            () => reject(new Error(`peer: ${re} not received within ${ms} ms; got: ${buf.slice(-300)}`)),
            ms,
          );
          waiters.push({
            re,
            resolve: (s) => {
              clearTimeout(timer);
              resolve(s);
            },
          });
        });
      },
      send(data) {
        if (!sock.destroyed) sock.write(data);
      },
      startTls(opts) {
        raw.off('data', onData);
        buf = '';
        return new Promise((resolve, reject) => {
          const t = new tls.TLSSocket(raw, { ...opts, isServer: true });
          t.on('error', (e) => reject(e));
          t.once('secure', () => {
            sock = t;
            t.on('data', onData);
            resolve();
          });
        });
      },
      clear() {
        buf = '';
      },
      end() {
        sock.end();
      },
      destroy() {
        sock.destroy();
      },
    };
    script(conn, index).catch((e: Error) => {
      errors.push(e);
      raw.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    host,
    port,
    connections: () => count,
    errors,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** The receiving server's stream header, answering a peer's header. */
export function serverHeader(from: string, id = 'test-stream-id', extra = ''): string {
  return `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${from}' id='${id}' version='1.0'${extra}>`;
}

export const FEATURES = {
  starttlsRequired: "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>",
  starttls: "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>",
  dialback: "<dialback xmlns='urn:xmpp:features:dialback'/>",
  dialbackErrors: "<dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback>",
  external:
    "<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms>",
  bidi: "<bidi xmlns='urn:xmpp:features:bidi'/>",
} as const;

export function features(...items: string[]): string {
  return `<stream:features>${items.join('')}</stream:features>`;
}

export function streamError(condition: string, text?: string): string {
  const t = text ? `<text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${text}</text>` : '';
  return `<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'/>${t}</stream:error></stream:stream>`;
}

/**
 * A well-behaved receiving server for one connection: answers the header, offers features
 * (STARTTLS when `tlsOpts` is given), does STARTTLS, and offers post-TLS features.
 */
export async function behaveLikeServer(
  c: PeerConn,
  o: {
    domain: string;
    tlsOpts?: tls.TlsOptions;
    requireTls?: boolean;
    preTls?: string[];
    postTls?: string[];
    id?: string;
  },
): Promise<void> {
  await c.waitFor(/<stream:stream[^>]*>/);
  c.send(serverHeader(o.domain, o.id ?? 'pre-tls-id'));
  const pre =
    o.preTls ??
    (o.tlsOpts
      ? [o.requireTls === false ? FEATURES.starttls : FEATURES.starttlsRequired, FEATURES.dialback]
      : [FEATURES.dialback]);
  c.send(features(...pre));
  if (!o.tlsOpts) return;
  await c.waitFor(/<starttls[^>]*\/>/);
  c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
  await c.startTls(o.tlsOpts);
  await c.waitFor(/<stream:stream[^>]*>/);
  c.send(serverHeader(o.domain, `${o.id ?? 'post'}-tls-id`));
  c.send(features(...(o.postTls ?? [FEATURES.dialbackErrors, FEATURES.external])));
}
