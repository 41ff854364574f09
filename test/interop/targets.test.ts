/**
 * Target selection against real servers in the interop lab (issues 13 and 16): every SRV
 * target probed, priorities read the right way round, and a dead address of a host that also
 * has a working one named with its A record. Real Prosody presents the certificates; dnsmasq
 * serves the extra records. Needs root; skips on a laptop, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Report } from '../../src/report/model.js';
import { jsonLines } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import { type Lab, labSuiteOptions, startLab } from './lab/index.js';

/** Nothing listens on these addresses inside the namespace (all of 127/8 is local there). */
const DEAD_A = '127.0.0.97';
const DEAD_B = '127.0.0.98';

describe('probe tls target selection against the interop lab', labSuiteOptions(), () => {
  let lab: Lab;
  const common = () => ['--json', '--ca', lab.caFile, '--timeout', '3000'];

  before(async () => {
    lab = await startLab({
      scenarios: ['expired.test', 'prosody-ok.test'],
      extraDns: [
        // expired.test: its Prosody (expired certificate) at priority 0, and a priority-10
        // backup whose address refuses connections.
        {
          type: 'SRV',
          name: '_xmpp-server._tcp.expired.test',
          target: 'backup.expired.test',
          port: 5269,
          priority: 10,
          weight: 5,
        },
        { type: 'A', name: 'backup.expired.test', address: DEAD_B },
        // prosody-ok.test: its SRV target gets a second, stale A record.
        { type: 'A', name: 'xmpp.prosody-ok.test', address: DEAD_A },
      ],
    });
  });
  after(async () => {
    await lab?.stop();
  });

  it('priority 0 with an expired certificate and priority 10 refusing: no usable target, with and without --first', async () => {
    for (const first of [[], ['--first']]) {
      // When xfed probe tls runs against expired.test
      const r = await lab.run(['probe', 'tls', 'expired.test', ...common(), ...first]);
      const doc = jsonLines(r.stdout)[0] as Report;
      assertValidReport(doc);
      const ids = idsOf(doc);
      // Then Prosody's expired certificate and the refused backup are both errors, no target is
      // usable, and nothing says "fall back to" the expired one
      assert.ok(ids.includes('cert.validity.expired'), ids.join(' '));
      assert.ok(ids.includes('tcp.connect.refused'), ids.join(' '));
      assert.ok(ids.includes('xmpp.target.none-usable'), ids.join(' '));
      assert.ok(!ids.includes('xmpp.target.failover'), ids.join(' '));
      const none = doc.findings.find((f) => f.id === 'xmpp.target.none-usable');
      const targets = none?.evidence.targets as string[];
      assert.match(targets[0] ?? '', /^xmpp\.expired\.test:5269 \[127\.0\.0\.14\] \(priority 0\)/);
      assert.match(targets[1] ?? '', /^backup\.expired\.test:5269 \[127\.0\.0\.98\] \(priority 10\)/);
      assert.equal(r.code, 1);
    }
  });

  it('names the stale A record when one address of the SRV target is dead and the other is Prosody', async () => {
    // When xfed probe tls runs against prosody-ok.test (xmpp.prosody-ok.test has two A records)
    const r = await lab.run(['probe', 'tls', 'prosody-ok.test', ...common()]);
    const doc = jsonLines(r.stdout)[0] as Report;
    assertValidReport(doc);
    // Then one warning names the dead address and its A record, the domain still works
    const f = doc.findings.find((x) => x.id === 'xmpp.target.address-failover');
    assert.ok(f, idsOf(doc).join(' '));
    assert.equal(f.evidence.deadAddress, `${DEAD_A}:5269`);
    assert.equal(f.evidence.record, `xmpp.prosody-ok.test A ${DEAD_A}`);
    assert.ok(idsOf(doc).includes('cert.check.ok'));
    assert.equal(doc.status, 'warn');
    assert.equal(r.code, 0, r.stderr);
  });
});
