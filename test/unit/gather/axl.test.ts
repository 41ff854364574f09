/** AXL probe helpers: Retry-After parsing (RFC 9110 §10.2.3), the Basic credential and the secrets to redact. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { axlSecrets, basicCredential, parseRetryAfterS } from '../../../src/gather/cisco-https.js';

describe('AXL probe helpers', () => {
  it('reads Retry-After as delta-seconds or an HTTP-date, and ignores anything else', () => {
    const now = Date.parse('2026-11-26T10:00:00Z');
    const table: [string | undefined, number | undefined][] = [
      ['5', 5],
      [' 30 ', 30],
      ['0', 0],
      ['Thu, 26 Nov 2026 10:00:12 GMT', 12],
      // A date in the past means "now", never a negative wait.
      ['Thu, 26 Nov 2026 09:00:00 GMT', 0],
      ['-5', undefined],
      ['soon', undefined],
      ['', undefined],
      [undefined, undefined],
    ];
    for (const [value, expected] of table)
      assert.equal(parseRetryAfterS(value, now), expected, String(value));
  });

  it('builds the Basic credential from UTF-8 user:password (RFC 7617 §2)', () => {
    assert.equal(basicCredential('Aladdin', 'open sesame'), 'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==');
    assert.equal(basicCredential('u', 'pässwörd'), `Basic ${Buffer.from('u:pässwörd').toString('base64')}`);
  });

  it('redacts the password, the Authorization value and its bare base64', () => {
    assert.deepEqual(axlSecrets('Aladdin', 'open sesame'), [
      'open sesame',
      'Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
      'QWxhZGRpbjpvcGVuIHNlc2FtZQ==',
    ]);
  });
});
