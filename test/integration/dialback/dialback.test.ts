/**
 * xfed dialback against scripted peers: both callback styles seen in the wild (ejabberd:
 * db:verify at once on a fresh connection; Prosody: its own db:result first, db:verify after
 * 'valid'), and every way the peer's answer, its callback or the ping can go wrong.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { assertValidReport } from '../../helpers/schema.js';
import { ejabberdStyle, prosodyStyle, runDialback, startWorld, type World } from './world.js';

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
  closeDnsSockets();
});

describe('xfed dialback: successful handshakes', () => {
  it('completes with an ejabberd-style peer (db:verify at once) and proves the route with a ping', async () => {
    // Given a peer that verifies our key on a fresh connection and replies to pings over its own authenticated connection
    const w = await startWorld(ejabberdStyle);
    worlds.push(w);
    // When xfed runs the whole handshake
    const { report, facts, ids, secret } = await runDialback(w);
    // Then the result is valid, the ping was answered, and every step is timed
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.valid', 'dialback.ping.ok'],
    );
    assert.equal(report.status, 'pass', JSON.stringify(report.findings, null, 1));
    assert.equal(facts.result?.outcome, 'valid');
    assert.equal(facts.ping?.via, 'listener');
    const steps = facts.steps.map((s) => s.step);
    assert.deepEqual(steps, [
      'dns',
      'connect',
      'tls',
      'result-sent',
      'callback',
      'verify-answered',
      'result',
      'ping',
    ]);
    assert.ok(facts.steps.every((s) => s.ok));
    // And the callback's db:verify was answered valid for our originating stream id
    const verify = facts.sessions.flatMap((s) => s.verifies)[0];
    assert.equal(verify?.answer, 'valid');
    assert.equal(verify?.idIsOurStream, true);
    // And xfed checked peer.test's own key (for the ping reply connection) by dialing back
    const own = facts.sessions.flatMap((s) => s.results)[0];
    assert.equal(own?.answer, 'valid');
    assert.equal(own?.verification?.answer?.outcome, 'valid');
    // And the secret never appears in the report
    assert.ok(!JSON.stringify(report).includes(secret));
    assertValidReport(report);
  });

  it('completes with a Prosody-style peer (its own db:result first, then db:verify)', async () => {
    const w = await startWorld(prosodyStyle);
    worlds.push(w);
    const { report, facts, ids } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.valid', 'dialback.ping.ok'],
    );
    // Then one listener session carried both: the peer's own db:result (answered valid after our check) and the db:verify
    const s = facts.sessions.find((x) => x.verifies.length > 0);
    assert.ok(s);
    assert.equal(s.results[0]?.answer, 'valid');
    assert.ok((s.results[0]?.atMs ?? 0) <= (s.verifies[0]?.atMs ?? 0));
    const valid = report.findings.find((f) => f.id === 'dialback.result.valid');
    assert.match(valid?.cause ?? '', /Prosody and jabberd2 style/);
    assertValidReport(report);
  });
});
