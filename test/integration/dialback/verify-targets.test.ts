/**
 * xfed dialback verify asks every SRV target and address (issue 13): a refused target next
 * to a healthy one is a failover warning, an authoritative server that answers wrongly is
 * named, and --first keeps the old behaviour (the first target that connects).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { DialbackVerifyFacts } from '../../../src/facts/dialback.js';
import {
  type DialbackNetOptions,
  describeDialback,
  gatherDialbackVerify,
} from '../../../src/gather/dialback.js';
import { dialbackVerifyRules } from '../../../src/judge/rules/dialback.js';
import { runTarget } from '../../../src/pipeline/run.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { closedPort, type FakeDnsServer, startFakeDns } from '../../fakes/fake-dns-server.js';
import { answerAsAuthoritative, OUR, PEER, type Received, startWorld, type World } from './world.js';

const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
  closeDnsSockets();
});

async function world(onVerify: (r: Received) => Promise<void> = answerAsAuthoritative): Promise<World> {
  const w = await startWorld({
    onResult: async () => {
      throw new Error('no db:result expected');
    },
    onVerify,
  });
  closers.push(() => w.close());
  return w;
}

/** peer.test with two SRV targets: priority 5 and priority 10. */
async function twoTargets(first: number, second: number): Promise<FakeDnsServer> {
  const d = await startFakeDns({
    zone: {
      [`_xmpp-server._tcp.${PEER}`]: [
        { type: 'SRV', data: { priority: 5, weight: 0, port: first, target: `one.${PEER}` } },
        { type: 'SRV', data: { priority: 10, weight: 0, port: second, target: `two.${PEER}` } },
      ],
      [`one.${PEER}`]: [{ type: 'A', data: '127.0.0.1' }],
      [`two.${PEER}`]: [{ type: 'A', data: '127.0.0.1' }],
    },
  });
  closers.push(() => d.close());
  return d;
}

async function verify(w: World, d: FakeDnsServer, first = false) {
  const opts: DialbackNetOptions = { our: OUR, caPems: [w.certs.caPem], resolvers: [d.address], first };
  const report = await runTarget(
    {
      command: 'dialback verify',
      gather: (p, ctx) => gatherDialbackVerify(p, opts, ctx),
      rules: dialbackVerifyRules,
    },
    PEER,
    { timeoutMs: 3000, transcript: false, options: {} },
  );
  return {
    report,
    facts: report.facts as unknown as DialbackVerifyFacts,
    ids: report.findings.map((f) => f.id),
  };
}

describe('xfed dialback verify: every target', () => {
  it('asks both targets; a refused one next to a healthy one is a failover warning', async () => {
    // Given peer.test's healthy authoritative server at priority 10 and nothing at priority 5
    const w = await world();
    const dead = await closedPort();
    const d = await twoTargets(dead, w.peer.port);
    // When xfed dialback verify runs
    const r = await verify(w, d);
    // Then both were asked, the healthy answer counts, and the dead target costs a retry
    assert.equal(r.facts.targets?.length, 2);
    assert.equal(r.facts.answer?.outcome, 'invalid');
    assert.ok(r.ids.includes('dialback.verify.invalid'), r.ids.join(' '));
    const fo = r.report.findings.find((f) => f.id === 'xmpp.target.failover');
    assert.ok(fo, r.ids.join(' '));
    assert.equal(fo.evidence.deadEndpoint, `one.${PEER}:${dead}`);
    assert.equal(r.report.status, 'warn');
    const lines = describeDialback(r.report).join('\n');
    assert.match(lines, /asked 2 addresses \(every target, in parallel\)/);
    assert.match(lines, new RegExp(`one\\.peer\\.test:${dead} \\[127\\.0\\.0\\.1\\]: connect refused`));
    assert.match(
      lines,
      new RegExp(`two\\.peer\\.test:${w.peer.port} \\[127\\.0\\.0\\.1\\]: answered invalid`),
    );
  });

  it('names the target whose authoritative server answers wrongly, although the first answers well', async () => {
    // Given a healthy authoritative server at priority 5 and, at priority 10, one that says
    // "valid" to any key
    const healthy = await world();
    const lax = await world(async (r) => {
      r.c.send(`<db:verify from='${r.to}' to='${r.from}' id='${r.id}' type='valid'/>`);
      await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
      r.c.end();
    });
    const d = await twoTargets(healthy.peer.port, lax.peer.port);
    // When xfed dialback verify runs (and again with --first)
    const r = await verify(healthy, d);
    const first = await verify(healthy, d, true);
    // Then the lax target is reported, naming its endpoint; --first asks only the first
    const valid = r.report.findings.find((f) => f.id === 'dialback.verify.valid');
    assert.ok(valid, r.ids.join(' '));
    assert.equal(valid.evidence.endpoint, `two.${PEER}:${lax.peer.port}`);
    assert.equal(r.facts.answer?.outcome, 'invalid');
    assert.equal(first.facts.targets, undefined);
    assert.equal(first.facts.outbound.attempts.length, 1);
    assert.ok(!first.ids.includes('dialback.verify.valid'));
  });
});
