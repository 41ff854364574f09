/** AXL schema versions: parsing the 599 "Supported axl versions are …" list and choosing the next try. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isAxlVersion,
  isVersionRejection,
  nextVersion,
  parseSupportedVersions,
} from '../../../../src/protocol/axl/versions.js';

describe('AXL versions', () => {
  it('accepts major.minor versions only', () => {
    for (const v of ['14.0', '12.5', '8.5', '15.0']) assert.ok(isAxlVersion(v), v);
    for (const v of ['14', '14.0.1', 'v14.0', '', '14,0', '123.0']) assert.ok(!isAxlVersion(v), v);
  });

  it('parses the list of a 599 answer, expanding "12.x" to the known 12 minors, newest first', () => {
    const table: [string, string[]][] = [
      [
        'Incorrect axl version. Supported axl versions are 12.x, 14.0 and 15.0',
        ['15.0', '14.0', '12.5', '12.0'],
      ],
      ['supported AXL versions are: 10.5, 11.0, 11.5', ['11.5', '11.0', '10.5']],
      ['Supported axl versions are 21.x', ['21.0']],
      ['Incorrect axl version', []],
      ['', []],
    ];
    for (const [text, expected] of table) assert.deepEqual(parseSupportedVersions(text), expected, text);
  });

  it('recognises the version rejection wording', () => {
    assert.ok(isVersionRejection('Incorrect axl version. Supported axl versions are 14.0'));
    assert.ok(!isVersionRejection('The AXL Web Service is working and accepting requests.'));
  });

  it('tries the newest supported version not yet tried, else the next known one below', () => {
    assert.equal(nextVersion(['15.0'], ['12.5', '14.0']), '14.0');
    assert.equal(nextVersion(['15.0', '14.0'], ['14.0', '15.0']), undefined);
    assert.equal(nextVersion(['15.0'], []), '14.0');
    assert.equal(nextVersion(['14.0'], []), '12.5');
  });
});
