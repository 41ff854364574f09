/**
 * The build-time oclif patches (scripts/lib/oclif-patches.mjs): each short path must give the
 * answer oclif's own code gives, and every patch must still find its text in the installed
 * @oclif/core (the build fails otherwise; this says why before a build does).
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { release } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  compareCommandIds,
  isPlainPackageName,
  LAZY_OCLIF_DEPENDENCIES,
  lazyModule,
  makeRequiresLazy,
  OCLIF_PATCHES,
  surelyNotWsl,
  // @ts-expect-error: a plain .mjs build script, no type declarations
} from '../../../scripts/lib/oclif-patches.mjs';
import { importEsm } from '../../../src/cli/esm-import.js';
import { fuzzParams } from '../../fuzz/fuzz-settings.js';

const require = createRequire(import.meta.url);
const OCLIF = require.resolve('@oclif/core/package.json').replace(/package\.json$/, '');
const { minimatch } = createRequire(`${OCLIF}package.json`)('minimatch') as {
  minimatch: (p: string, pattern: string) => boolean;
};
const sign = (n: number) => Math.sign(n);

function oclifFiles(dir: string, acc: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) oclifFiles(p, acc);
    else if (name.endsWith('.js')) acc.push(p);
  }
  return acc;
}

describe('oclif patches: command order without ICU', () => {
  it('orders ids of a-z, "-" and ":" exactly as localeCompare does', () => {
    const id = fc.string({ unit: fc.constantFrom('a', 'b', 'k', 'z', '-', ':'), maxLength: 8 });
    fc.assert(
      fc.property(id, id, (a, b) => {
        assert.equal(sign(compareCommandIds(a, b)), sign(a.localeCompare(b)), `${a} vs ${b}`);
      }),
      fuzzParams({ numRuns: 2000 }),
    );
  });

  it('sorts the real command ids as localeCompare does, and leaves other ids to localeCompare', () => {
    const ids = Object.keys(
      JSON.parse(readFileSync(new URL('../../../oclif.manifest.json', import.meta.url), 'utf8')).commands,
    );
    assert.ok(ids.length > 5, 'the manifest lists the commands (npm run build)');
    assert.deepEqual(
      [...ids].sort(compareCommandIds),
      [...ids].sort((a, b) => a.localeCompare(b)),
    );
    // Digits and capitals are outside the short path: ICU puts "a:" before "a1", code points do not.
    assert.equal(sign(compareCommandIds('a1', 'a:')), 1);
    assert.equal(sign(compareCommandIds('B', 'a')), 1);
  });
});

describe('oclif patches: plugin patterns without minimatch', () => {
  const segment = fc.string({
    unit: fc.constantFrom('a', 'o', 'z', '0', '-', '.', '_'),
    minLength: 1,
    maxLength: 6,
  });
  const name = fc
    .tuple(fc.option(segment, { nil: undefined }), segment)
    .map(([scope, n]) => (scope ? `@${scope}/${n}` : n));

  it('a plain package name matches a dependency exactly when minimatch says so', () => {
    fc.assert(
      fc.property(name, name, (dep, pattern) => {
        fc.pre(isPlainPackageName(pattern));
        assert.equal(dep === pattern, minimatch(dep, pattern), `${dep} vs ${pattern}`);
        assert.equal(minimatch(pattern, pattern), true);
      }),
      fuzzParams({ numRuns: 3000 }),
    );
  });

  it('sends globs and odd patterns to minimatch', () => {
    for (const p of [
      '@oclif/plugin-*',
      '@oclif/*',
      '!foo',
      '#x',
      '.hidden',
      '@a/..',
      'a/b/c',
      'foo?',
      '{a,b}',
      'Foo',
    ])
      assert.equal(isPlainPackageName(p), false, p);
    for (const p of ['@oclif/plugin-autocomplete', 'xfed', 'a.b_c-d'])
      assert.equal(isPlainPackageName(p), true, p);
  });
});

describe('oclif patches: lazy requires', () => {
  it('loads a module on the first use, once, and behaves as its exports', () => {
    let loads = 0;
    const exportsObj = { default: (x: number) => x + 1, named: 'n' };
    const m = lazyModule(() => {
      loads++;
      return exportsObj;
    });
    assert.equal(loads, 0, 'creating the stand-in loads nothing');
    assert.equal(m.default(1), 2);
    assert.equal(m.named, 'n');
    assert.ok('named' in m);
    assert.deepEqual(Object.keys(m), ['default', 'named']);
    assert.equal(loads, 1);
  });

  it('keeps debug in the bundle (a plain require) while making it lazy', () => {
    const out = makeRequiresLazy('const debug_1 = __importDefault(require("debug"));') as string;
    assert.match(out, /^const debug_1 = lazyModule\(\(\) => __importDefault\(require\("debug"\)\)\);$/m);
  });

  it('rewrites both require forms oclif uses, and nothing else', () => {
    const src = [
      'const ejs_1 = __importDefault(require("ejs"));',
      'const minimatch_1 = require("minimatch");',
      'const ansis_1 = __importDefault(require("ansis"));',
      'const x = require("node:path");',
    ].join('\n');
    const out = makeRequiresLazy(src) as string;
    assert.match(out, /^const ejs_1 = lazyModule\(\(\) => __importDefault\(oclifRequire\("ejs"\)\)\);$/m);
    assert.match(out, /^const minimatch_1 = lazyModule\(\(\) => oclifRequire\("minimatch"\)\);$/m);
    assert.match(out, /^const ansis_1 = __importDefault\(require\("ansis"\)\);$/m);
    assert.match(out, /^const x = require\("node:path"\);$/m);
  });

  it('each lazy dependency is still required at the top of some oclif file', () => {
    const all = oclifFiles(`${OCLIF}lib`).map((f) => readFileSync(f, 'utf8'));
    for (const dep of LAZY_OCLIF_DEPENDENCIES as string[]) {
      const rewritten = all.some((text) =>
        (makeRequiresLazy(text) as string).includes(`oclifRequire("${dep}")`),
      );
      assert.ok(
        rewritten,
        `${dep}: no top-level require left in @oclif/core; drop it from LAZY_OCLIF_DEPENDENCIES`,
      );
    }
  });

  it('each lazy dependency resolves from @oclif/core as oclif would resolve it (it is left out of the bundle)', () => {
    const fromOclif = createRequire(require.resolve('@oclif/core'));
    for (const dep of LAZY_OCLIF_DEPENDENCIES as string[]) assert.ok(fromOclif(dep), dep);
  });

  it('makes node:child_process lazy (a plain require of the built-in), not other built-ins', () => {
    const out = makeRequiresLazy(
      'const node_child_process_1 = require("node:child_process");\nconst node_os_1 = require("node:os");',
    ) as string;
    assert.match(
      out,
      /^const node_child_process_1 = lazyModule\(\(\) => require\("node:child_process"\)\);$/m,
    );
    assert.match(out, /^const node_os_1 = require\("node:os"\);$/m);
  });

  it('every patch finds its text in the installed @oclif/core, as many times as it says', () => {
    for (const patch of OCLIF_PATCHES as { path: string; find: string; count?: number }[]) {
      const text = readFileSync(`${OCLIF}${patch.path}`, 'utf8');
      assert.equal(text.split(patch.find).length - 1, patch.count ?? 1, `${patch.path}: ${patch.find}`);
    }
  });
});

describe('oclif patches: WSL test and ES-module imports', () => {
  it('surelyNotWsl() never contradicts is-wsl, which oclif would otherwise load', async () => {
    const { default: isWsl } = (await import(
      createRequire(createRequire(`${OCLIF}package.json`).resolve('wsl-utils')).resolve('is-wsl')
    )) as { default: boolean };
    // The function's text is what the build puts into oclif's CommonJS file, with its require.
    const notWsl = new Function('require', `return (${surelyNotWsl.toString()})();`)(require) as boolean;
    // true means "is-wsl would say false"; false only hands the question on to is-wsl.
    if (notWsl) assert.equal(isWsl, false);
    // On a plain Linux (or macOS, Windows) the short path is the one taken.
    if (!isWsl && !/microsoft/i.test(release())) assert.equal(notWsl, true);
  });

  it("oclif's module loader imports through importEsm, which hands the import to bin/run.js's function and says so when it is missing", async () => {
    const patch = (OCLIF_PATCHES as { path: string; prelude: string }[]).find(
      (p) => p.path === 'lib/module-loader.js',
    );
    assert.match(patch?.prelude ?? '', /require\(".*src\/cli\/esm-import\.ts"\)/);
    const key = Symbol.for('xfed.importEsm');
    const g = globalThis as Record<symbol, unknown>;
    const saved = g[key];
    try {
      delete g[key];
      await assert.rejects(importEsm('file:///x.js'), /not started by bin\/run\.js/);
      const seen: string[] = [];
      g[key] = (u: string) => {
        seen.push(u);
        return Promise.resolve({ ok: true });
      };
      assert.deepEqual(await importEsm('file:///y.js'), { ok: true });
      assert.deepEqual(seen, ['file:///y.js']);
    } finally {
      if (saved === undefined) delete g[key];
      else g[key] = saved;
    }
  });
});
