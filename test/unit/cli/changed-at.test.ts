/** --changed-at of xfed cisco services: ISO 8601 only, never guessed, never in the future. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseChangedAt } from '../../../src/cli/cisco-options.js';
import { UsageError } from '../../../src/cli/errors.js';

describe('parseChangedAt', () => {
  const now = Date.parse('2026-11-30T18:00:00Z');

  it('reads ISO 8601 with a zone, a space instead of T, and a date alone (UTC midnight)', () => {
    assert.equal(parseChangedAt('2026-11-30T14:05:00Z', now), Date.parse('2026-11-30T14:05:00Z'));
    assert.equal(parseChangedAt('2026-11-30 15:05+01:00', now), Date.parse('2026-11-30T14:05:00Z'));
    assert.equal(parseChangedAt('2026-11-30T14:05:00.250Z', now), Date.parse('2026-11-30T14:05:00.250Z'));
    assert.equal(parseChangedAt('2026-11-29', now), Date.parse('2026-11-29T00:00:00Z'));
  });

  it('refuses other forms and times in the future (beyond five minutes of skew)', () => {
    for (const bad of [
      'yesterday',
      '1764500000',
      '30/11/2026 14:05',
      '2026-13-01T00:00Z',
      'Mon, 30 Nov 2026 14:05:00 GMT',
    ])
      assert.throws(() => parseChangedAt(bad, now), UsageError, bad);
    assert.throws(() => parseChangedAt('2026-11-30T18:10:00Z', now), /in the future/);
    assert.equal(parseChangedAt('2026-11-30T18:04:00Z', now), Date.parse('2026-11-30T18:04:00Z'));
  });
});
