import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { colorEnabled } from '../../../src/cli/tty.js';

const tty = { isTTY: true } as NodeJS.WriteStream;
const pipe = { isTTY: false } as NodeJS.WriteStream;

describe('colour decision (report contract: output channels)', () => {
  it('colours a TTY and never a pipe by default', () => {
    assert.equal(colorEnabled(tty, {}), true);
    assert.equal(colorEnabled(pipe, {}), false);
  });

  it('NO_COLOR turns colour off on a TTY; an empty NO_COLOR is ignored', () => {
    assert.equal(colorEnabled(tty, { NO_COLOR: '1' }), false);
    assert.equal(colorEnabled(tty, { NO_COLOR: '' }), true);
  });

  it('FORCE_COLOR wins both ways', () => {
    assert.equal(colorEnabled(pipe, { FORCE_COLOR: '1' }), true);
    assert.equal(colorEnabled(tty, { FORCE_COLOR: '1', NO_COLOR: '1' }), true);
    assert.equal(colorEnabled(tty, { FORCE_COLOR: '0' }), false);
    assert.equal(colorEnabled(tty, { FORCE_COLOR: 'false' }), false);
  });
});
