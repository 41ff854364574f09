/**
 * xfed dialback without --cert/--key against real Prosody 0.12 and ejabberd 23.01 (issue 13):
 * both insist on TLS on the callback (Prosody asks for STARTTLS, ejabberd hangs up on a
 * listener that offers none), so xfed stops at once and names its own missing certificate as
 * the first error, instead of waiting for the peer's 20 s timeout. Its own file and lab, so
 * test/interop/dialback.test.ts stays within the per-file deadline on a busy machine.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DialbackFacts } from '../../src/facts/dialback.js';
import type { Report } from '../../src/report/model.js';
import { jsonLines } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import { type Lab, labSuiteOptions, startLab } from './lab/index.js';

describe('xfed dialback without --cert against real servers', labSuiteOptions(), () => {
  let lab: Lab;
  before(async () => {
    lab = await startLab({ scenarios: ['prosody-ok.test', 'ejabberd-ok.test'] });
  });
  after(async () => {
    await lab?.stop();
  });

  for (const peer of ['prosody-ok.test', 'ejabberd-ok.test']) {
    it(`${peer} needs STARTTLS on the callback; xfed stops at once and names that first`, async () => {
      const t0 = Date.now();
      const r = await lab.run(
        [
          'dialback',
          peer,
          '--as',
          'xfed.test',
          '--listen',
          '127.0.0.200:5269',
          '--ca',
          lab.caFile,
          '--timeout',
          '5s',
          '--callback-timeout',
          '30s',
          '--json',
        ],
        { timeoutMs: 60_000 },
      );
      const ms = Date.now() - t0;
      const [doc] = jsonLines(r.stdout);
      assertValidReport(doc);
      const report = doc as Report;
      assert.equal(r.code, 1);
      assert.equal(report.findings[0]?.id, 'dialback.callback.starttls-unavailable', idsOf(report).join());
      assert.ok(!idsOf(report).includes('dialback.listener.no-tls'), 'one fact, one finding');
      assert.equal((report.facts as unknown as DialbackFacts).stoppedEarly?.reason, 'starttls-unavailable');
      assert.match(report.findings[0]?.fix ?? '', /--cert .*--key/);
      // Instead of the peer's own 20 s (or our 30 s) timeout
      assert.ok(ms < 15_000, `took ${ms} ms`);
    });
  }
});
