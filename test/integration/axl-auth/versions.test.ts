/** axl-auth against a fake AXL endpoint: AXL schema version negotiation on 599 "Incorrect axl version". */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type FakeAxl, startFakeAxl } from '../../fakes/fake-axl-server.js';
import { finding, runAxl } from './run-axl.js';

describe('axl-auth version negotiation', () => {
  let cucm12: FakeAxl;
  before(async () => {
    // A Unified CM 12.5 node: accepts 12.5 back to 10.5 (N-2), lists them in its 599 page.
    cucm12 = await startFakeAxl({
      supportedVersions: ['10.5', '11.0', '11.5', '12.0', '12.5'],
      supportedText: '10.5, 11.x and 12.x',
    });
  });
  after(() => cucm12.close());

  it('negotiates down from 15.0 to the newest listed version without a warning', async () => {
    // Given no --axl-version
    const r = await runAxl(cucm12.port);
    // Then 15.0 got 599, 12.5 (newest of "11.x and 12.x") worked, and every attempt is recorded
    assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
    assert.equal(r.facts.negotiatedVersion, '12.5');
    assert.deepEqual(
      r.facts.exchanges.filter((e) => e.step === 'version').map((e) => [e.axlVersion, e.status]),
      [
        ['15.0', 599],
        ['12.5', 200],
      ],
    );
    assert.deepEqual(r.facts.supportedVersions, ['12.5', '12.0', '11.5', '11.0', '10.5']);
  });

  it('reports axl.version.mismatch when the requested --axl-version is refused but another works', async () => {
    // Given --axl-version 14.0 against a 12.5 node
    const r = await runAxl(cucm12.port, { requestedVersion: '14.0' });
    // Then the warning names what was asked and what works
    assert.deepEqual(r.ids, ['axl.version.mismatch', 'cert.check.ok', 'axl.auth.ok']);
    const f = finding(r, 'axl.version.mismatch');
    assert.equal(f.evidence.requested, '14.0');
    assert.equal(f.evidence.used, '12.5');
    assert.match(f.fix, /--axl-version 12\.5/);
    assert.equal(r.report.status, 'warn');
  });

  it('reports axl.version.unsupported when no version is accepted', async () => {
    // Given a server that accepts only 9.1 but claims to support 14.0 and 15.0
    const fake = await startFakeAxl({ supportedVersions: ['9.1'], supportedText: '14.0 and 15.0' });
    try {
      const r = await runAxl(fake.port);
      // Then the attempts stop when the listed versions are used up
      assert.deepEqual(r.ids, ['axl.version.unsupported', 'cert.check.ok']);
      const f = finding(r, 'axl.version.unsupported');
      assert.deepEqual(f.evidence.tried, ['15.0', '14.0']);
      assert.deepEqual(f.evidence.supported, ['15.0', '14.0']);
      assert.match(f.symptom, /Incorrect axl version/);
    } finally {
      await fake.close();
    }
  });
});
