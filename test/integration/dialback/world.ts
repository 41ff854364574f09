/**
 * Test world for `xfed dialback` against scripted in-process peers: a fake DNS server, a
 * scripted receiving/authoritative server for peer.test (xfed connects to it), and a raw
 * client that plays peer.test's callbacks into xfed's listener for our.test. Behaviours are
 * per test: ejabberd style (db:verify at once), Prosody style (own db:result first), or any
 * misbehaviour. Only loopback addresses are used.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { DialbackFacts, DialbackVerifyFacts } from '../../../src/facts/dialback.js';
import {
  type DialbackNetOptions,
  type DialbackOptions,
  gatherDialback,
  gatherDialbackVerify,
} from '../../../src/gather/dialback.js';
import { dialbackRules, dialbackVerifyRules } from '../../../src/judge/rules/dialback.js';
import { runTarget } from '../../../src/pipeline/run.js';
import { randomSecret, xep0185Key } from '../../../src/protocol/dialback/keys.js';
import type { Report } from '../../../src/report/model.js';
import { type FakeDnsServer, type FakeZone, startFakeDns } from '../../fakes/fake-dns-server.js';
import {
  behaveLikeServer,
  FEATURES,
  type PeerConn,
  type ScriptedPeer,
  startScriptedPeer,
} from '../../fakes/xmpp-peer.js';
import { type Issued, testPki } from '../../helpers/test-ca.js';

export const PEER = 'peer.test';
export const OUR = 'our.test';
/** The dialback secret of the scripted peer.test. */
export const PEER_SECRET = 'peer-test-secret';

const STREAM_NS =
  "xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback'";

/** Attributes of the first start tag in `xml` (xfed writes single-quoted attributes). */
export function attrs(xml: string): Record<string, string> {
  const tag = /<[^>]*>/.exec(xml)?.[0] ?? '';
  const out: Record<string, string> = {};
  for (const m of tag.matchAll(/([\w:]+)=['"]([^'"]*)['"]/g)) out[m[1] as string] = m[2] as string;
  return out;
}

/** A complete dialback element (db:result or db:verify) in `buf`, with its text. */
export const DB_ELEMENT = /<db:(result|verify)\b[^>]*?(?:\/>|>([\s\S]*?)<\/db:\1>)/;

/** A client socket with a consuming reader: each `next` returns the first match after the previous one. */
export class RawClient {
  private buf = '';
  private waiters: (() => void)[] = [];
  closed = false;

  private constructor(public socket: net.Socket) {
    this.attach(socket);
  }

  static connect(host: string, port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  private attach(s: net.Socket): void {
    s.on('data', (d: Buffer) => {
      this.buf += d.toString('utf8');
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('close', () => {
      this.closed = true;
      for (const w of this.waiters.splice(0)) w();
    });
    s.on('error', () => {});
  }

  send(xml: string): void {
    if (!this.socket.destroyed) this.socket.write(xml);
  }

  async next(re: RegExp, ms = 5000): Promise<RegExpExecArray> {
    const deadline = Date.now() + ms;
    for (;;) {
      const m = re.exec(this.buf);
      if (m) {
        this.buf = this.buf.slice(m.index + m[0].length);
        return m;
      }
      if (this.closed) throw new Error(`client: closed before ${re}; got: ${this.buf.slice(-300)}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`client: ${re} not received within ${ms} ms; got: ${this.buf.slice(-300)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** Client side of STARTTLS after <proceed/>. */
  startTls(opts: tls.ConnectionOptions): Promise<void> {
    const raw = this.socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    this.buf = '';
    return new Promise((resolve, reject) => {
      const t = tls.connect({ ...opts, socket: raw });
      t.once('secureConnect', () => {
        this.socket = t;
        this.attach(t);
        resolve();
      });
      t.once('error', reject);
    });
  }

  close(): void {
    this.send('</stream:stream>');
    this.socket.end();
  }
}

export interface Certs {
  peer: Issued;
  our: Issued;
  /** Issued by the same CA for the host our.test's SRV record points at, not for our.test itself. */
  ourHostOnly: Issued;
  caPem: string;
}

export function certs(): Certs {
  const pki = testPki();
  return {
    peer: pki.leaf({ cn: PEER, dns: [PEER, `conference.${PEER}`], keySlot: 'peer', key: 'ec256' }),
    our: pki.leaf({ cn: OUR, dns: [OUR], keySlot: 'our', key: 'ec256' }),
    ourHostOnly: pki.leaf({ cn: `xmpp.${OUR}`, dns: [`xmpp.${OUR}`], keySlot: 'our', key: 'ec256' }),
    caPem: pki.root.certPem,
  };
}

/** A free loopback port (bound, then released). */
export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** How a connection to the listener is opened by peer.test. */
export interface CallbackOptions {
  /** Do STARTTLS (default true). */
  tls?: boolean;
  /** Extra client TLS options (e.g. a version the listener refuses). */
  tlsOpts?: tls.ConnectionOptions;
  from?: string;
}

export interface World {
  dns: FakeDnsServer;
  peer: ScriptedPeer;
  listenPort: number;
  certs: Certs;
  /** Opens a connection from peer.test to xfed's listener; resolves after the (restarted) stream is open. */
  callback(o?: CallbackOptions): Promise<{ c: RawClient; id: string }>;
  close(): Promise<void>;
}

/** What the scripted peer got on one connection: a db:result from xfed (originating) or a db:verify (xfed's check of our own key). */
export interface Received {
  c: PeerConn;
  index: number;
  /** Post-TLS stream id the peer announced on this connection. */
  streamId: string;
  kind: 'result' | 'verify';
  from: string;
  to: string;
  id?: string;
  key: string;
  world: World;
}

export interface PeerBehaviour {
  /** What to do with xfed's db:result on the originating stream. */
  onResult(r: Received): Promise<void>;
  /** What to do with a db:verify (default: answer it as peer.test's authoritative server). */
  onVerify?(r: Received): Promise<void>;
  /** Features after TLS (default: dialback with errors). */
  postTls?: string[];
  /** Features before TLS (default: STARTTLS required + dialback). */
  preTls?: string[];
  /** Replaces the whole script of a connection to peer.test (for peers that misbehave early). */
  custom?(c: PeerConn, index: number, world: World): Promise<void>;
}

/** peer.test's authoritative answer to a db:verify: recompute its XEP-0185 key. */
export async function answerAsAuthoritative(r: Received): Promise<void> {
  const expected = xep0185Key(PEER_SECRET, { receiving: r.from, originating: r.to, streamId: r.id ?? '' });
  const type = expected === r.key ? 'valid' : 'invalid';
  r.c.send(`<db:verify from='${r.to}' to='${r.from}' id='${r.id}' type='${type}'/>`);
  await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
  r.c.end();
}

export async function startWorld(b: PeerBehaviour, extraZone: FakeZone = {}): Promise<World> {
  const c = certs();
  const listenPort = await freePort();
  let world!: World;
  const peer = await startScriptedPeer(async (conn, index) => {
    const idBase = `peer${index}`;
    const serverOpts: Parameters<typeof behaveLikeServer>[1] = {
      domain: PEER,
      tlsOpts: { cert: c.peer.chainPem, key: c.peer.keyPem },
      id: idBase,
      postTls: b.postTls ?? [FEATURES.dialbackErrors],
    };
    if (b.preTls) serverOpts.preTls = b.preTls;
    if (b.custom) return b.custom(conn, index, world);
    await behaveLikeServer(conn, serverOpts);
    const buf = await conn.waitFor(DB_ELEMENT, 10_000);
    const m = DB_ELEMENT.exec(buf) as RegExpExecArray;
    conn.clear();
    const a = attrs(m[0]);
    const r: Received = {
      c: conn,
      index,
      streamId: `${idBase}-tls-id`,
      kind: m[1] as 'result' | 'verify',
      from: a.from ?? '',
      to: a.to ?? '',
      key: m[2] ?? '',
      world,
    };
    if (a.id !== undefined) r.id = a.id;
    if (r.kind === 'result') await b.onResult(r);
    else await (b.onVerify ?? answerAsAuthoritative)(r);
  });
  const dns = await startFakeDns({
    zone: {
      [`_xmpp-server._tcp.${PEER}`]: [
        { type: 'SRV', data: { priority: 5, weight: 0, port: peer.port, target: `xmpp.${PEER}` } },
      ],
      [`_xmpp-server._tcp.conference.${PEER}`]: [
        { type: 'SRV', data: { priority: 5, weight: 0, port: peer.port, target: `xmpp.${PEER}` } },
      ],
      [`xmpp.${PEER}`]: [{ type: 'A', data: '127.0.0.1' }],
      [`_xmpp-server._tcp.${OUR}`]: [
        { type: 'SRV', data: { priority: 5, weight: 0, port: listenPort, target: `xmpp.${OUR}` } },
      ],
      [`xmpp.${OUR}`]: [{ type: 'A', data: '127.0.0.1' }],
      ...extraZone,
    },
  });
  const callback = async (o: CallbackOptions = {}) => {
    const cl = await RawClient.connect('127.0.0.1', listenPort);
    const header = `<?xml version='1.0'?><stream:stream ${STREAM_NS} from='${o.from ?? PEER}' to='${OUR}' version='1.0'>`;
    cl.send(header);
    let h = await cl.next(/<stream:stream[^>]*>/);
    await cl.next(/<stream:features>[\s\S]*?<\/stream:features>/);
    if (o.tls !== false) {
      cl.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      await cl.next(/<proceed[^>]*\/>/);
      await cl.startTls({ rejectUnauthorized: false, servername: OUR, ...o.tlsOpts });
      cl.send(header);
      h = await cl.next(/<stream:stream[^>]*>/);
      await cl.next(/<stream:features>[\s\S]*?<\/stream:features>/);
    }
    return { c: cl, id: attrs(h[0]).id ?? '' };
  };
  world = {
    dns,
    peer,
    listenPort,
    certs: c,
    callback,
    close: async () => {
      await peer.close();
      await dns.close();
    },
  };
  return world;
}

// ---------------------------------------------------------------------------------------
// Behaviours of peer.test

/** ejabberd: a fresh connection that sends db:verify at once, closed after the answer; then it answers our db:result. */
export async function ejabberdCallback(r: Received): Promise<string> {
  const cb = await r.world.callback();
  cb.c.send(`<db:verify from='${PEER}' to='${OUR}' id='${r.streamId}'>${r.key}</db:verify>`);
  const ans = await cb.c.next(DB_ELEMENT);
  cb.c.close();
  return attrs(ans[0]).type ?? 'none';
}

/**
 * Replies to xfed's ping over a new connection authenticated with peer.test's own db:result
 * (ejabberd's traffic connection): xfed must dial back peer.test to check that key.
 */
export async function replyToPingViaNewConnection(
  r: Received,
  reply = (id: string) => `<iq type='result' from='${PEER}' to='${OUR}' id='${id}'/>`,
): Promise<void> {
  const iq = await r.c.waitFor(/<iq [^>]*>[\s\S]*?<\/iq>/, 10_000);
  const id = attrs(/<iq [^>]*>/.exec(iq)?.[0] ?? '').id ?? '';
  r.c.clear();
  const t = await r.world.callback();
  const key = xep0185Key(PEER_SECRET, { receiving: OUR, originating: PEER, streamId: t.id });
  t.c.send(`<db:result from='${PEER}' to='${OUR}'>${key}</db:result>`);
  const ans = await t.c.next(DB_ELEMENT, 10_000);
  if (attrs(ans[0]).type === 'valid') t.c.send(reply(id));
  // Close when xfed does, without holding up this script.
  void t.c
    .next(/<\/stream:stream>/, 10_000)
    .catch(() => {})
    .then(() => t.c.close());
}

/** The healthy ejabberd-style peer. */
export const ejabberdStyle: PeerBehaviour = {
  async onResult(r) {
    const type = await ejabberdCallback(r);
    r.c.send(`<db:result from='${PEER}' to='${OUR}' type='${type}'/>`);
    if (type === 'valid') await replyToPingViaNewConnection(r);
    await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
    r.c.end();
  },
};

/** Prosody: one connection; its own db:result first, db:verify only after 'valid'; the ping reply rides that connection. */
export const prosodyStyle: PeerBehaviour = {
  async onResult(r) {
    const cb = await r.world.callback();
    const own = xep0185Key(PEER_SECRET, { receiving: OUR, originating: PEER, streamId: cb.id });
    cb.c.send(`<db:result from='${PEER}' to='${OUR}'>${own}</db:result>`);
    const ownAnswer = attrs((await cb.c.next(DB_ELEMENT, 10_000))[0]).type;
    if (ownAnswer !== 'valid') {
      cb.c.close();
      await r.c.waitFor(/<\/stream:stream>/, 15_000).catch(() => {});
      r.c.end();
      return;
    }
    cb.c.send(`<db:verify from='${PEER}' to='${OUR}' id='${r.streamId}'>${r.key}</db:verify>`);
    const type = attrs((await cb.c.next(DB_ELEMENT))[0]).type;
    r.c.send(`<db:result from='${PEER}' to='${OUR}' type='${type}'/>`);
    const iq = await r.c.waitFor(/<iq [^>]*>[\s\S]*?<\/iq>/, 10_000);
    const id = attrs(/<iq [^>]*>/.exec(iq)?.[0] ?? '').id ?? '';
    cb.c.send(`<iq type='result' from='${PEER}' to='${OUR}' id='${id}'/>`);
    await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
    r.c.end();
    cb.c.close();
  },
};

// ---------------------------------------------------------------------------------------
// Running xfed's pipelines in-process

export interface RunResult<F> {
  report: Report;
  facts: F;
  ids: string[];
  secret: string;
}

export async function runDialback(
  w: World,
  o: {
    timeoutMs?: number;
    resultTimeoutMs?: number;
    noTls?: boolean;
    /** The certificate xfed presents for our.test (default: one that names it). */
    cert?: Issued;
    listenPort?: number;
    /** Listener address (default 127.0.0.1). */
    listenHost?: string;
    peer?: string;
    requestClientCert?: boolean;
  } = {},
): Promise<RunResult<DialbackFacts>> {
  const secret = randomSecret();
  const opts: DialbackOptions = {
    our: OUR,
    caPems: [w.certs.caPem],
    resolvers: [w.dns.address],
    listen: { host: o.listenHost ?? '127.0.0.1', port: o.listenPort ?? w.listenPort },
    secret,
    resultTimeoutMs: o.resultTimeoutMs ?? 5000,
  };
  if (o.requestClientCert) opts.requestClientCert = true;
  if (!o.noTls) {
    const c = o.cert ?? w.certs.our;
    opts.serverTls = { cert: c.chainPem, key: c.keyPem, subject: `CN=${OUR}` };
    opts.clientTls = { cert: c.chainPem, key: c.keyPem };
  }
  const report = await runTarget(
    { command: 'dialback', gather: (d, ctx) => gatherDialback(d, opts, ctx), rules: dialbackRules },
    o.peer ?? PEER,
    { timeoutMs: o.timeoutMs ?? 3000, transcript: true, options: {}, secrets: [secret] },
  );
  return {
    report,
    facts: report.facts as unknown as DialbackFacts,
    ids: report.findings.map((f) => f.id),
    secret,
  };
}

export async function runVerify(
  w: { dns: FakeDnsServer; certs: Certs },
  o: { timeoutMs?: number; peer?: string; cert?: Issued } = {},
): Promise<RunResult<DialbackVerifyFacts>> {
  const opts: DialbackNetOptions = { our: OUR, caPems: [w.certs.caPem], resolvers: [w.dns.address] };
  if (o.cert) opts.clientTls = { cert: o.cert.chainPem, key: o.cert.keyPem };
  const report = await runTarget(
    {
      command: 'dialback verify',
      gather: (d, ctx) => gatherDialbackVerify(d, opts, ctx),
      rules: dialbackVerifyRules,
    },
    o.peer ?? PEER,
    { timeoutMs: o.timeoutMs ?? 3000, transcript: true, options: {} },
  );
  return {
    report,
    facts: report.facts as unknown as DialbackVerifyFacts,
    ids: report.findings.map((f) => f.id),
    secret: '',
  };
}
