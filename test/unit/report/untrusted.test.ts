import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isSafeText, safeText } from '../../../src/report/untrusted.js';

test('safeText escapes ESC, BEL, NUL, CR, DEL and C1 controls', () => {
  assert.equal(safeText('a\x1b]0;pwned\x07b'), 'a\\x1b]0;pwned\\x07b');
  assert.equal(safeText('\x00\r\x7f\x9b'), '\\x00\\x0d\\x7f\\x9b');
});

test('safeText escapes bidi overrides, isolates and line separators', () => {
  assert.equal(safeText('ok\u202eSSAP'), 'ok\\u202eSSAP');
  assert.equal(safeText('\u2066x\u2069\u2028'), '\\u2066x\\u2069\\u2028');
});

test('safeText keeps newlines only when asked, turns tabs into spaces', () => {
  assert.equal(safeText('a\nb'), 'a\\x0ab');
  assert.equal(safeText('a\nb', { newlines: true }), 'a\nb');
  assert.equal(safeText('a\tb'), 'a b');
});

test('safeText shortens after escaping', () => {
  assert.equal(safeText('abcdefgh', { max: 5 }), 'abcd…');
  assert.equal(safeText('abc', { max: 5 }), 'abc');
});

test('isSafeText tells plain text from text that needs escaping', () => {
  assert.equal(isSafeText('xmpp.example.org:5269 ✓'), true);
  assert.equal(isSafeText('x\x1by'), false);
  assert.equal(isSafeText('x\u202ey'), false);
});
