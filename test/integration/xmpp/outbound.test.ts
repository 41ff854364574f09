/**
 * The seams doctor composes (issue 9, "Design first"): one outgoing connection sequence for
 * probe tls and dialback (dialback gets probe tls's TLS 1.3 ticket acknowledgement), and
 * gatherers that take an already-resolved DNS view instead of asking DNS again.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { planTarget } from '../../../src/cli/tls-options.js';
import type { DialbackVerifyFacts } from '../../../src/facts/dialback.js';
import type { TlsProbeFacts } from '../../../src/facts/tls.js';
import { type DialbackNetOptions, gatherDialbackVerify } from '../../../src/gather/dialback.js';
import { DnsView, gatherSrv } from '../../../src/gather/srv.js';
import { gatherTls } from '../../../src/gather/tls.js';
import { dialbackVerifyRules } from '../../../src/judge/rules/dialback.js';
import { tlsProbeRules } from '../../../src/judge/rules/tls.js';
import { runTarget } from '../../../src/pipeline/run.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { TICKETS_EXPECTED } from '../../../src/protocol/tls/session-tickets.js';
import { Transcript } from '../../../src/transcript/recorder.js';
import { answerAsAuthoritative, OUR, PEER, startWorld, type World } from '../dialback/world.js';

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
  closeDnsSockets();
});

async function world(): Promise<World> {
  const w = await startWorld({
    onResult: async () => {
      throw new Error('no db:result expected');
    },
    onVerify: answerAsAuthoritative,
  });
  worlds.push(w);
  return w;
}

describe('outgoing connection seams', () => {
  it('dialback verify acknowledges TLS 1.3 session tickets like probe tls (one connection sequence)', async () => {
    // Given peer.test's authoritative server on TLS 1.3 (Node sends session tickets after the handshake)
    const w = await world();
    const opts: DialbackNetOptions = {
      our: OUR,
      caPems: [w.certs.caPem],
      resolvers: [w.dns.address],
      // Wait for the tickets whatever the round trip, and for as long as they take (see the
      // probe tls ticket test in test/integration/probe-tls/starttls.test.ts)
      ticketWaitMaxRttMs: 1000,
      ticketWaitMs: 10_000,
    };
    // When xfed dialback verify connects to it
    const report = await runTarget(
      {
        command: 'dialback verify',
        gather: (d, ctx) => gatherDialbackVerify(d, opts, ctx),
        rules: dialbackVerifyRules,
      },
      PEER,
      { timeoutMs: 3000, transcript: true, options: {} },
    );
    // Then the restarted stream waited for the tickets and acknowledged them, as probe tls does
    const facts = report.facts as unknown as DialbackVerifyFacts;
    assert.equal(facts.answer?.outcome, 'invalid');
    const note = report.transcript?.find((t) => /session ticket\(s\) acknowledged/.test(String(t.data)));
    assert.ok(note, 'no ticket acknowledgement in the transcript');
    assert.match(
      String(note.data),
      new RegExp(`: ${TICKETS_EXPECTED} TLS session ticket\\(s\\) acknowledged`),
    );
    assert.equal(facts.outbound.attempts[0]?.tls?.protocol, 'TLSv1.3');
  });

  it('probe tls and dialback verify reuse a DNS view instead of asking again', async () => {
    // Given peer.test's SRV facts gathered once (what check srv gathers) into a DNS view
    const w = await world();
    const srv = await gatherSrv(
      PEER,
      { resolvers: [w.dns.address] },
      { timeoutMs: 3000, transcript: new Transcript() },
    );
    const view = new DnsView({ resolvers: [w.dns.address] }).add(srv);
    const asked = w.dns.questions.length;
    assert.ok(asked > 0);
    // When probe tls and dialback verify run with that view
    const target = planTarget(PEER, { directTls: false });
    const probe = await runTarget(
      {
        command: 'probe tls',
        gather: (_t, ctx) =>
          gatherTls(target, { caPems: [w.certs.caPem], warnDays: 30, allTargets: false, dns: view }, ctx),
        rules: tlsProbeRules,
      },
      PEER,
      { timeoutMs: 3000, transcript: false, options: {} },
    );
    const verify = await runTarget(
      {
        command: 'dialback verify',
        gather: (d, ctx) => gatherDialbackVerify(d, { our: OUR, caPems: [w.certs.caPem], dns: view }, ctx),
        rules: dialbackVerifyRules,
      },
      PEER,
      { timeoutMs: 3000, transcript: false, options: {} },
    );
    // Then no further DNS question was sent, and both connected to the view's target
    assert.equal(w.dns.questions.length, asked);
    const pf = probe.facts as unknown as TlsProbeFacts;
    assert.equal(pf.resolution.srv, srv);
    assert.equal(pf.attempts[0]?.endpoint, `xmpp.${PEER}:${w.peer.port}`);
    assert.ok(pf.attempts[0]?.tlsEstablished);
    const vf = verify.facts as unknown as DialbackVerifyFacts;
    assert.equal(vf.outbound.attempts[0]?.endpoint, `xmpp.${PEER}:${w.peer.port}`);
    assert.equal(vf.answer?.outcome, 'invalid');
  });

  it('a DNS view resolves a domain once for concurrent callers', async () => {
    // Given an empty view over the fake DNS server
    const w = await world();
    const view = new DnsView({ resolvers: [w.dns.address] });
    const ctx = { timeoutMs: 3000, transcript: new Transcript() };
    const before = w.dns.questions.length;
    // When two layers ask for peer.test at the same time, then a third later
    const [a, b] = await Promise.all([view.srv(PEER, ctx), view.srv(`${PEER.toUpperCase()}.`, ctx)]);
    const c = await view.srv(PEER, ctx);
    // Then they share one SrvFacts, and the questions were asked once
    assert.equal(a, b);
    assert.equal(a, c);
    const perLookup = w.dns.questions.length - before;
    await gatherSrv(PEER, { resolvers: [w.dns.address] }, ctx);
    assert.equal(w.dns.questions.length - before, perLookup * 2);
  });
});
