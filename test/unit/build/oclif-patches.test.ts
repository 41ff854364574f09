/**
 * The build-time oclif patch (scripts/lib/oclif-patches.mjs): the command-id order without
 * ICU must be exactly localeCompare's for every id it takes the short path for, and the
 * patch must still find its text in the installed @oclif/core.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import fc from 'fast-check';
// @ts-expect-error: a plain .mjs build script, no type declarations
import { compareCommandIds, OCLIF_PATCHES } from '../../../scripts/lib/oclif-patches.mjs';
import { fuzzParams } from '../../fuzz/fuzz-settings.js';

const sign = (n: number) => Math.sign(n);

describe('oclif patches', () => {
  it('orders ids of a-z, "-" and ":" exactly as localeCompare does', () => {
    const id = fc.string({ unit: fc.constantFrom('a', 'b', 'k', 'z', '-', ':'), maxLength: 8 });
    fc.assert(
      fc.property(id, id, (a, b) => {
        assert.equal(sign(compareCommandIds(a, b)), sign(a.localeCompare(b)), `${a} vs ${b}`);
      }),
      fuzzParams({ numRuns: 2000 }),
    );
  });

  it('sorts the real command ids as localeCompare does, and other ids through localeCompare', () => {
    const ids = JSON.parse(
      readFileSync(new URL('../../../oclif.manifest.json', import.meta.url), 'utf8'),
    ).commands;
    const all = [...Object.keys(ids), 'cisco:services', 'dialback:key', 'dialback', 'check:srv'];
    assert.deepEqual(
      [...all].sort(compareCommandIds),
      [...all].sort((a, b) => a.localeCompare(b)),
    );
    // Upper case and digits are outside the short path: ICU puts "a1" after "a:" and "B" after "a".
    assert.equal(sign(compareCommandIds('a1', 'a:')), sign('a1'.localeCompare('a:')));
    assert.equal(sign(compareCommandIds('B', 'a')), 1);
  });

  it('finds the text each patch replaces in the installed @oclif/core', () => {
    const require = createRequire(import.meta.url);
    const base = require.resolve('@oclif/core/package.json').replace(/package\.json$/, '');
    for (const patch of OCLIF_PATCHES as { file: RegExp; find: string }[]) {
      const file = `${base}lib/config/plugin.js`;
      assert.match(file, patch.file);
      assert.ok(readFileSync(file, 'utf8').includes(patch.find), patch.find);
    }
  });
});
