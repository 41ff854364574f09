/**
 * Every SRV target probed (issue 13) and judged the way sending servers experience them
 * (issue 16): a target that accepts and then fails is an error whatever the others do; a dead
 * address of a host whose other address works names the address and its A/AAAA record; the
 * lowest priority number is preferred, and when no target works the report says so.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { describeTls } from '../../../src/report/tls-text.js';
import { closedPort, type FakeZone, startFakeDns } from '../../fakes/fake-dns-server.js';
import { behaveLikeServer, FEATURES, type ScriptedPeer, startScriptedPeer } from '../../fakes/xmpp-peer.js';
import { probe, serverCert } from './probe-helpers.js';

const DOMAIN = 'peer.test';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
  closeDnsSockets();
});

let good: { key: string; cert: string };
before(() => {
  good = serverCert(DOMAIN);
});

/** A receiving server presenting `tlsOpts`, answering our close. */
async function server(tlsOpts: { key: string; cert: string }, host = '127.0.0.1'): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(async (c) => {
    await behaveLikeServer(c, { domain: DOMAIN, tlsOpts, postTls: [FEATURES.dialback] });
    await c.waitFor(/<\/stream:stream>/);
    c.send('</stream:stream>');
    c.end();
  }, host);
  closers.push(() => p.close());
  return p;
}

async function dns(zone: FakeZone) {
  const d = await startFakeDns({ zone });
  closers.push(() => d.close());
  return d;
}

const srv = (port: number, target: string, priority = 10, weight = 0) => ({
  type: 'SRV' as const,
  data: { priority, weight, port, target },
});
const a = (ip: string) => ({ type: 'A' as const, data: ip });

describe('probe tls: every target', () => {
  it('probes both same-priority targets and fails on the one with a wrong-name certificate', async () => {
    // Given two same-priority targets: one healthy, one whose certificate names another domain
    const ok = await server(good);
    const bad = await server(serverCert('other.test'));
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [
        srv(ok.port, 'ok.peer.test', 10, 50),
        srv(bad.port, 'bad.peer.test', 10, 50),
      ],
      'ok.peer.test': [a('127.0.0.1')],
      'bad.peer.test': [a('127.0.0.1')],
    });
    // When we probe the domain (default: every target)
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then both were probed, and the bad target's certificate is an error, not a failover warning
    assert.equal(r.facts.attempts.length, 2);
    assert.equal(r.report.status, 'fail');
    const mismatch = r.report.findings.find((f) => f.id === 'cert.name.mismatch');
    assert.ok(mismatch, r.ids.join(' '));
    assert.equal(mismatch.evidence.endpoint, `bad.peer.test:${bad.port}`);
    assert.ok(!r.ids.includes('xmpp.target.failover'));
    assert.ok(r.ids.includes('cert.check.ok'));
    // And the text report says how many targets were probed and names each
    const lines = describeTls(r.report).join('\n');
    assert.match(lines, /probed 2 of 2 addresses \(every target, in parallel\)/);
    assert.match(
      lines,
      new RegExp(`ok\\.peer\\.test:${ok.port} \\[127\\.0\\.0\\.1\\] \\(priority 10\\): TLS`),
    );
    assert.match(
      lines,
      new RegExp(`bad\\.peer\\.test:${bad.port} \\[127\\.0\\.0\\.1\\] \\(priority 10\\): TLS`),
    );
  });

  it('probes the targets in parallel', async () => {
    // Given three healthy targets that each answer only once all three connections have arrived
    // (a sequential probe would leave the first one waiting until its latch gives up after 3 s)
    let arrived = 0;
    let release!: () => void;
    const all = new Promise<void>((r) => {
      release = r;
    });
    let together = true;
    const latched = async () => {
      const p = await startScriptedPeer(async (c) => {
        if (++arrived === 3) release();
        const timer = new Promise<'late'>((r) => setTimeout(() => r('late'), 3000));
        if ((await Promise.race([all, timer])) === 'late') together = false;
        await behaveLikeServer(c, { domain: DOMAIN, tlsOpts: good, postTls: [FEATURES.dialback] });
        await c.waitFor(/<\/stream:stream>/);
        c.send('</stream:stream>');
        c.end();
      });
      closers.push(() => p.close());
      return p;
    };
    const ps = [await latched(), await latched(), await latched()];
    const d = await dns({
      '_xmpp-server._tcp.peer.test': ps.map((p, i) => srv(p.port, `t${i}.peer.test`, i)),
      't0.peer.test': [a('127.0.0.1')],
      't1.peer.test': [a('127.0.0.1')],
      't2.peer.test': [a('127.0.0.1')],
    });
    // When we probe the domain (with a deadline longer than the latch)
    const r = await probe({ target: DOMAIN, resolvers: [d.address], timeoutMs: 5000 });
    // Then all three were connected at the same time, and are reported in try order
    assert.ok(together, 'a target was probed only after another had finished');
    assert.deepEqual(
      r.facts.attempts.map((x) => x.host),
      ['t0.peer.test', 't1.peer.test', 't2.peer.test'],
    );
    assert.equal(r.ids.filter((id) => id === 'cert.check.ok').length, 3);
  });

  it('names the dead address and its A record when another address of the same host works', async () => {
    // Given xmpp.peer.test with two A records: 127.0.0.1 (healthy) and 127.0.0.2 (nothing listens)
    const ok = await server(good, '127.0.0.1');
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [srv(ok.port, 'xmpp.peer.test')],
      'xmpp.peer.test': [a('127.0.0.2'), a('127.0.0.1')],
    });
    // When we probe the domain
    const r = await probe({ target: DOMAIN, resolvers: [d.address] });
    // Then one warning names the address and the A record to fix, not the SRV record
    const f = r.report.findings.find((x) => x.id === 'xmpp.target.address-failover');
    assert.ok(f, r.ids.join(' '));
    assert.equal(f.evidence.deadAddress, `127.0.0.2:${ok.port}`);
    assert.equal(f.evidence.usedAddress, `127.0.0.1:${ok.port}`);
    assert.equal(f.evidence.record, 'xmpp.peer.test A 127.0.0.2');
    assert.equal(f.evidence.problemId, 'tcp.connect.refused');
    assert.match(f.fix, /"xmpp\.peer\.test A 127\.0\.0\.2"/);
    assert.match(f.fix, /Do not remove the SRV record/);
    assert.ok(!r.ids.includes('xmpp.target.failover'));
    assert.equal(r.report.status, 'warn');
  });

  it('with a priority-0 target whose certificate expired and a priority-10 target that refuses, no target is usable', async () => {
    // Given priority 0 -> expired certificate, priority 10 -> connection refused
    const expired = await server(
      serverCert(DOMAIN, {
        notBefore: new Date(Date.now() - 40 * 86_400_000),
        notAfter: new Date(Date.now() - 86_400_000),
      }),
    );
    const dead = await closedPort();
    const d = await dns({
      '_xmpp-server._tcp.peer.test': [
        srv(dead, 'backup.peer.test', 10),
        srv(expired.port, 'main.peer.test', 0),
      ],
      'main.peer.test': [a('127.0.0.1')],
      'backup.peer.test': [a('127.0.0.1')],
    });
    for (const first of [false, true]) {
      // When we probe the domain (every target, then --first)
      const r = await probe({ target: DOMAIN, resolvers: [d.address], first });
      // Then priority 0 is tried first, both targets are named, nothing "falls back" to the expired one
      assert.deepEqual(
        r.facts.attempts.map((x) => x.priority),
        [0, 10],
        `first=${first}`,
      );
      assert.ok(r.ids.includes('cert.validity.expired'), r.ids.join(' '));
      assert.ok(r.ids.includes('tcp.connect.refused'), r.ids.join(' '));
      assert.ok(!r.ids.includes('xmpp.target.failover'), r.ids.join(' '));
      const none = r.report.findings.find((x) => x.id === 'xmpp.target.none-usable');
      assert.ok(none, r.ids.join(' '));
      const targets = none.evidence.targets as string[];
      assert.match(
        targets[0] ?? '',
        /^main\.peer\.test:\d+ \[127\.0\.0\.1\] \(priority 0\): .*cert\.validity\.expired/,
      );
      assert.match(
        targets[1] ?? '',
        /^backup\.peer\.test:\d+ \[127\.0\.0\.1\] \(priority 10\): .*tcp\.connect\.refused/,
      );
      assert.equal(r.report.status, 'fail');
    }
  });

  it('compares several --resolver views (split DNS) and carries DNS warnings into the probe report', async () => {
    // Given an inside resolver that points peer.test at a healthy server and an outside one
    // that has no SRV record, only the domain's address (the fallback, nothing listens there)
    const ok = await server(good);
    const inside = await dns({
      '_xmpp-server._tcp.peer.test': [srv(ok.port, 'xmpp.peer.test')],
      'xmpp.peer.test': [a('127.0.0.1')],
    });
    const outside = await dns({ 'peer.test': [a('127.0.0.9')] });
    // When probe tls asks both
    const r = await probe({ target: DOMAIN, resolvers: [inside.address, outside.address] });
    // Then both views were asked, the disagreement is reported, and the reachable target was probed
    assert.equal(r.facts.resolution.srv?.mode, 'compare');
    assert.ok(outside.questions.length > 0);
    assert.ok(r.ids.includes('dns.resolvers.disagree'), r.ids.join(' '));
    assert.ok(r.ids.includes('cert.check.ok'), r.ids.join(' '));
    assert.equal(r.report.status, 'warn');
    // And with the outside resolver alone, the missing SRV record is a warning beside the probe
    const alone = await probe({ target: DOMAIN, resolvers: [outside.address], timeoutMs: 500 });
    assert.ok(alone.ids.includes('dns.srv.missing'), alone.ids.join(' '));
  });
});
