// In-namespace helper for the interop lab, run with plain `node` via `ip netns exec`:
//   silent <ip> <port>   a listener that accepts and never speaks (the "silent peer" scenario)
//   wait <json>          polls XMPP, TCP and DNS checks until all are ready or the deadline passes
//   hello <json>         one XMPP s2s stream-header exchange (RFC 6120 §4.2, §4.3.2), optionally
//                        followed by STARTTLS and the post-TLS features, printed as JSON
// Input is bounded everywhere (MAX_BYTES); every step has a deadline.
import { Resolver } from 'node:dns/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';

const MAX_BYTES = 64 * 1024;

const streamHeader = (from, to) =>
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' " +
  "xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' " +
  `from='${from}' to='${to}' version='1.0'>`;

const FEATURES_END = /<\/stream:features>|<stream:features\s*\/>/;

/**
 * Opens an s2s stream to ip:port for `domain` and reads until features, a stream error or the
 * deadline. With `tls`, also does STARTTLS (RFC 6120 §5.4.2), optionally presenting a client
 * certificate, restarts the stream and reads the features offered after TLS (e.g. SASL EXTERNAL).
 * With `send`, writes it after the last features and keeps reading for `readMs` (e.g. to send a
 * <db:result/> and see the answer).
 */
function hello({
  ip,
  port,
  domain,
  from = 'xfed.test',
  timeoutMs = 3000,
  tls: tlsOpts,
  send,
  readMs = 1000,
}) {
  return new Promise((resolve) => {
    const started = Date.now();
    const result = { outcome: 'silent', connected: false, received: '', durationMs: 0 };
    let phase = 'plain';
    let done = false;
    /** True once `send` was written: later data is collected, not interpreted. */
    let sent = false;
    let sock = net.connect({ host: ip, port });
    const raw = sock;
    const finish = (outcome, error) => {
      if (done) return;
      done = true;
      if (sent && (outcome === 'closed' || outcome === 'reset')) {
        // The peer hung up after what we sent: keep the outcome of the exchange, note the close.
        result.closedAfterSend = true;
        outcome = result.outcome;
      }
      clearTimeout(timer);
      result.outcome = outcome;
      if (error) result.error = error;
      result.durationMs = Date.now() - started;
      if (result.connected && !sock.destroyed) sock.end('</stream:stream>');
      sock.destroy();
      raw.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish(sent ? result.outcome : result.connected ? 'silent' : 'connect-timeout'),
      timeoutMs,
    );
    /** Finishes at the last features, or first sends `send` and reads on for readMs. */
    const atFeatures = (outcome) => {
      if (send === undefined) return finish(outcome);
      result.outcome = outcome;
      sent = true;
      sock.write(send);
      setTimeout(() => finish(outcome), readMs);
    };
    const onData = (d) => {
      const key = phase === 'tls' ? 'tlsReceived' : 'received';
      const have = result[key] ?? '';
      if (have.length >= MAX_BYTES) return finish('too-much-data');
      const text = have + d.toString('utf8').slice(0, MAX_BYTES - have.length);
      result[key] = text;
      if (/<stream:error[\s>]/.test(text) && /<\/stream:error>/.test(text)) return finish('stream-error');
      if (sent) return;
      if (phase === 'plain' && FEATURES_END.test(text)) {
        if (!tlsOpts || !/<starttls[\s>/]/.test(text)) return atFeatures('features');
        phase = 'starttls';
        sock.write("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        return;
      }
      if (phase === 'starttls' && /<proceed[\s/>]/.test(text)) return upgrade();
      if (phase === 'starttls' && /<failure[\s/>]/.test(text)) return finish('starttls-failure');
      if (phase === 'tls' && FEATURES_END.test(text)) return atFeatures('tls-features');
    };
    const upgrade = () => {
      phase = 'tls';
      raw.removeListener('data', onData);
      const read = (f) => (f ? readFileSync(f) : undefined);
      sock = tls.connect({
        socket: raw,
        servername: domain,
        ca: read(tlsOpts.caFile),
        cert: read(tlsOpts.certFile),
        key: read(tlsOpts.keyFile),
        // The lab looks at what the peer does, not at whether xfed's CA store trusts it.
        rejectUnauthorized: false,
      });
      sock.on('secureConnect', () => {
        result.authorized = sock.authorized;
        if (sock.authorizationError) result.authorizationError = String(sock.authorizationError);
        sock.write(streamHeader(from, domain));
      });
      sock.on('data', onData);
      sock.on('error', (e) => finish('tls-error', e.code ?? e.message));
      sock.on('close', () => finish('closed'));
    };
    sock.on('connect', () => {
      result.connected = true;
      sock.write(streamHeader(from, domain));
    });
    sock.on('data', onData);
    sock.on('error', (e) => finish(result.connected ? 'reset' : 'refused', e.code ?? e.message));
    sock.on('close', () => {
      if (phase !== 'tls') finish(result.connected ? 'closed' : 'refused');
    });
  });
}

function tcpConnect({ ip, port, timeoutMs = 1000 }) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: ip, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({ ok: false, detail: 'connect timeout' });
    }, timeoutMs);
    sock.on('connect', () => {
      clearTimeout(timer);
      sock.destroy();
      resolve({ ok: true, detail: 'accepted' });
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      resolve({ ok: false, detail: e.code ?? e.message });
    });
  });
}

async function dnsLookup({ server, name, expect }) {
  const r = new Resolver({ timeout: 500, tries: 1 });
  r.setServers([server]);
  try {
    const got = await r.resolve4(name);
    return got.includes(expect) ? { ok: true, detail: got.join(' ') } : { ok: false, detail: got.join(' ') };
  } catch (e) {
    return { ok: false, detail: e.code ?? e.message };
  }
}

async function once(check) {
  if (check.kind === 'tcp') return tcpConnect(check);
  if (check.kind === 'dns') return dnsLookup(check);
  const h = await hello({ ...check, timeoutMs: 1500 });
  return { ok: h.outcome === 'features', detail: `${h.outcome}${h.error ? ` ${h.error}` : ''}` };
}

/** Polls each check every 100 ms until it passes or the shared deadline passes. */
async function waitAll({ checks, timeoutMs }) {
  const deadline = Date.now() + timeoutMs;
  const results = await Promise.all(
    checks.map(async (check) => {
      let last = { ok: false, detail: 'not tried' };
      while (Date.now() < deadline) {
        last = await once(check);
        if (last.ok) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      return { ...check, ...last };
    }),
  );
  return results;
}

function silent(ip, port) {
  const sockets = new Set();
  const server = net.createServer((sock) => {
    sockets.add(sock);
    // One line per connection: tests read this log to see who called (e.g. a dialback callback).
    process.stdout.write(`connection from ${sock.remoteAddress}:${sock.remotePort}\n`);
    // Read and drop whatever arrives so nothing accumulates; never write a byte.
    sock.resume();
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
  });
  server.listen({ host: ip, port }, () => process.stdout.write(`silent listener on ${ip}:${port}\n`));
  process.on('SIGTERM', () => {
    for (const s of sockets) s.destroy();
    server.close(() => process.exit(0));
  });
}

const [mode, arg1, arg2] = process.argv.slice(2);
if (mode === 'silent') {
  silent(arg1, Number(arg2));
} else if (mode === 'wait') {
  const results = await waitAll(JSON.parse(arg1));
  process.stdout.write(`${JSON.stringify(results)}\n`);
  process.exitCode = results.every((r) => r.ok) ? 0 : 1;
} else if (mode === 'hello') {
  process.stdout.write(`${JSON.stringify(await hello(JSON.parse(arg1)))}\n`);
} else {
  process.stderr.write('usage: ns-helper.mjs silent <ip> <port> | wait <json> | hello <json>\n');
  process.exitCode = 2;
}
