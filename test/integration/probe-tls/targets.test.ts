/**
 * probe tls target selection: SRV resolution through a fake DNS server, trying targets in
 * order, failover to a second target, every target or --first, --connect, direct TLS on _xmpps-server
 * targets, and the TCP failures (refused, timeout) that name host and port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closedPort, type FakeDnsServer, type FakeZone, startFakeDns } from '../../fakes/fake-dns-server.js';
import {
  behaveLikeServer,
  FEATURES,
  features,
  type PeerConn,
  type ScriptedPeer,
  serverHeader,
  startScriptedPeer,
  streamError,
} from '../../fakes/xmpp-peer.js';
import { probe, serverCert, startBlackhole } from './probe-helpers.js';

const DOMAIN = 'peer.test';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

let tlsOpts: { key: string; cert: string };
before(() => {
  tlsOpts = serverCert(DOMAIN);
});

async function peer(script: (c: PeerConn) => Promise<void>): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(script);
  closers.push(() => p.close());
  return p;
}

/** A healthy Prosody-like receiving server that answers our close. */
function healthy(): Promise<ScriptedPeer> {
  return peer(async (c) => {
    await behaveLikeServer(c, { domain: DOMAIN, tlsOpts, postTls: [FEATURES.dialback] });
    await c.waitFor(/<\/stream:stream>/);
    c.send('</stream:stream>');
    c.end();
  });
}

/** A direct-TLS (XEP-0368) server: TLS at once, then the stream without STARTTLS. */
function directTlsServer(): Promise<ScriptedPeer> {
  return peer(async (c) => {
    await c.startTls({ ...tlsOpts, ALPNProtocols: ['xmpp-server'] });
    await c.waitFor(/<stream:stream[^>]*>/);
    c.send(serverHeader(DOMAIN, 'direct') + features(FEATURES.dialbackErrors, FEATURES.external));
    await c.waitFor(/<\/stream:stream>/);
    c.send('</stream:stream>');
    c.end();
  });
}

async function dns(zone: FakeZone): Promise<FakeDnsServer> {
  const d = await startFakeDns({ zone });
  closers.push(() => d.close());
  return d;
}

const srv = (port: number, target: string, priority = 10, weight = 0) => ({
  type: 'SRV' as const,
  data: { priority, weight, port, target },
});

describe('probe tls: targets', () => {
  it('resolves the domain through SRV and checks the certificate for the domain, not the SRV target', async () => {
    // Given _xmpp-server._tcp.peer.test -> xmpp.peer.test:<port>, a healthy server there
    const p = await healthy();
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [srv(p.port, 'xmpp.peer.test')],
      'xmpp.peer.test': [{ type: 'A', data: '127.0.0.1' }],
    });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then the healthy findings name the SRV target endpoint, and SNI/identity use the domain
    assert.deepEqual(r.ids, ['tls.starttls.required', 'cert.check.ok', 'xmpp.auth.dialback-offered']);
    const a = r.facts.attempts[0];
    assert.equal(a?.endpoint, `xmpp.peer.test:${p.port}`);
    assert.equal(a?.source, 'xmpp-server');
    assert.equal(a?.tls?.sni, DOMAIN);
    assert.equal(a?.cert?.referenceName, DOMAIN);
    assert.equal(a?.cert?.connectHost, 'xmpp.peer.test');
    assert.equal(r.facts.resolution.method, 'srv');
  });

  it('warns, naming the dead target, when the first target fails and the second works', async () => {
    // Given two SRV targets: the preferred one refuses connections, the second is healthy
    const dead = await closedPort();
    const p = await healthy();
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [srv(dead, 'dead.peer.test', 5), srv(p.port, 'alive.peer.test', 10)],
      'dead.peer.test': [{ type: 'A', data: '127.0.0.1' }],
      'alive.peer.test': [{ type: 'A', data: '127.0.0.1' }],
    });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then the dead target is a warning (with its underlying problem), the rest is healthy
    assert.deepEqual(r.ids, [
      'xmpp.target.failover',
      'tls.starttls.required',
      'cert.check.ok',
      'xmpp.auth.dialback-offered',
    ]);
    const ev = r.report.findings[0]?.evidence ?? {};
    assert.equal(ev.deadEndpoint, `dead.peer.test:${dead}`);
    assert.equal(ev.usedEndpoint, `alive.peer.test:${p.port}`);
    assert.equal(ev.problemId, 'tcp.connect.refused');
    assert.equal(r.report.status, 'warn');
  });

  it('fails, naming every target, when no target is reachable', async () => {
    // Given two SRV targets that both refuse
    const dead1 = await closedPort();
    const dead2 = await closedPort();
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [srv(dead1, 'a.peer.test', 5), srv(dead2, 'b.peer.test', 10)],
      'a.peer.test': [{ type: 'A', data: '127.0.0.1' }],
      'b.peer.test': [{ type: 'A', data: '127.0.0.1' }],
    });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then each refusal is an error naming its host and port, and no target is usable
    assert.deepEqual(r.ids, ['tcp.connect.refused', 'tcp.connect.refused', 'xmpp.target.none-usable']);
    assert.deepEqual(
      r.report.findings.slice(0, 2).map((f) => f.evidence.endpoint),
      [`a.peer.test:${dead1}`, `b.peer.test:${dead2}`],
    );
  });

  it('probes every target by default, and stops at the first usable one with --first', async () => {
    // Given two healthy SRV targets
    const p1 = await healthy();
    const p2 = await healthy();
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [srv(p1.port, 'one.peer.test', 5), srv(p2.port, 'two.peer.test', 10)],
      'one.peer.test': [{ type: 'A', data: '127.0.0.1' }],
      'two.peer.test': [{ type: 'A', data: '127.0.0.1' }],
    });
    // When we probe with --first and by default
    const first = await probe({ target: DOMAIN, resolvers: [d.address], first: true });
    const all = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then only the first is tried with --first, both by default
    assert.equal(first.facts.attempts.length, 1);
    assert.equal(all.facts.attempts.length, 2);
    assert.deepEqual(all.ids.filter((id) => id === 'cert.check.ok').length, 2);
    assert.equal(all.report.status, 'pass');
  });

  it('uses direct TLS with ALPN xmpp-server on _xmpps-server targets', async () => {
    // Given only a _xmpps-server record pointing at a direct-TLS server
    const p = await directTlsServer();
    const d = await dns({
      '_xmpps-server._tcp.peer.test': [srv(p.port, 'tls.peer.test')],
      'tls.peer.test': [{ type: 'A', data: '127.0.0.1' }],
    });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then direct TLS works, with the ALPN the server selected (and the DNS warning that
    // servers without XEP-0368 find no target)
    assert.deepEqual(r.ids, [
      'dns.srv.only-direct-tls',
      'tls.direct.ok',
      'cert.check.ok',
      'xmpp.auth.dialback-offered',
      'xmpp.auth.external-offered',
    ]);
    const a = r.facts.attempts[0];
    assert.equal(a?.directTls, true);
    assert.equal(a?.tls?.alpn, 'xmpp-server');
    assert.equal(a?.stream, undefined);
  });

  it('reports a _xmpps-server target that speaks plain XMPP', async () => {
    // Given a direct-TLS target that is really a STARTTLS port (answers the ClientHello with XML)
    const p = await peer(async (c) => {
      await c.waitFor(/[\s\S]/);
      c.send(serverHeader(DOMAIN) + streamError('not-well-formed'));
      c.end();
    });
    // When we probe it with --direct-tls
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN, directTls: true });
    // Then the target is plain text, not TLS
    assert.deepEqual(r.ids, ['tls.direct.plaintext']);
  });

  it('skips DNS with --connect and still speaks for the domain', async () => {
    // Given a healthy server and a DNS server that would answer nothing
    const p = await healthy();
    const d = await dns({});
    // When we probe peer.test with --connect 127.0.0.1:<port>
    const r = await probe({ target: DOMAIN, connect: `127.0.0.1:${p.port}`, resolvers: [d.address] });
    // Then no DNS question was asked, and the stream and SNI used peer.test
    assert.equal(d.questions.length, 0);
    assert.deepEqual(r.ids, ['tls.starttls.required', 'cert.check.ok', 'xmpp.auth.dialback-offered']);
    assert.equal(r.facts.attempts[0]?.source, 'connect');
    assert.equal(r.facts.attempts[0]?.stream?.sent.to, DOMAIN);
  });

  it('reports the DNS error when the domain does not exist', async () => {
    // Given a DNS server that knows nothing about peer.test
    const d = await dns({ 'other.test': [{ type: 'A', data: '127.0.0.1' }] });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then the DNS finding explains why nothing was tried
    assert.deepEqual(r.ids, ['dns.domain.nxdomain']);
    assert.equal(r.facts.attempts.length, 0);
  });

  it('reports the "." SRV target (service decidedly not available)', async () => {
    // Given _xmpp-server._tcp.peer.test SRV 0 0 0 .
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [srv(0, '.', 0)],
      'peer.test': [{ type: 'A', data: '127.0.0.1' }],
    });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then no fallback is tried and the DNS finding says why
    assert.deepEqual(r.ids, ['dns.srv.target-dot']);
    assert.equal(r.facts.attempts.length, 0);
  });

  it('reports a host target whose name has no address', async () => {
    // Given a DNS server without xmpp.peer.test
    const d = await dns({ 'other.test': [{ type: 'A', data: '127.0.0.1' }] });
    // When we probe the host xmpp.peer.test:5269 for peer.test
    const r = await probe({ target: 'xmpp.peer.test:5269', domain: DOMAIN, resolvers: [d.address] });
    // Then the missing address is the finding
    assert.deepEqual(r.ids, ['xmpp.target.no-address']);
    assert.equal(r.report.findings[0]?.evidence.host, 'xmpp.peer.test');
    assert.equal(r.report.findings[0]?.evidence.reason, 'nxdomain');
  });

  it('reports a TCP connect timeout (SYN dropped) within the deadline, naming host and port', async () => {
    // Given a port whose accept queue is full, so SYNs are dropped
    const bh = await startBlackhole();
    closers.push(() => bh.close());
    // When we probe it with a 400 ms deadline
    const r = await probe({ target: `127.0.0.1:${bh.port}`, domain: DOMAIN, timeoutMs: 400 });
    // Then the timeout is the finding
    assert.deepEqual(r.ids, ['tcp.connect.timeout']);
    assert.equal(r.report.findings[0]?.evidence.endpoint, `127.0.0.1:${bh.port}`);
    assert.ok(r.elapsedMs < 2000, `took ${r.elapsedMs} ms`);
  });
});
