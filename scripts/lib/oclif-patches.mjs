// Build-time edits of @oclif/core inside xfed's bundle (scripts/bundle.mjs), one per start-up
// cost measured in docs/performance.md. Each names the exact text it replaces and the build
// fails if that text is gone (an oclif upgrade), so a patch is never silently dropped.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * oclif sorts a plugin's commands with `localeCompare` on every start. The first
 * `localeCompare` of a process builds an ICU collator: 10-12 ms CPU, a twentieth of `xfed
 * explain`. For ids made only of a-z, '-' and ':' (all of xfed's), code-point order is the
 * same as ICU's root order ('-' < ':' < letters, no ignorable characters), which
 * test/unit/bundle-patches.test.ts checks with random ids; any other id still uses
 * localeCompare. Scoped to this one sort, unlike a patch of String.prototype.
 */
export function compareCommandIds(a, b) {
  const plain = /^[a-z:-]*$/;
  if (plain.test(a) && plain.test(b)) return a < b ? -1 : a > b ? 1 : 0;
  return a.localeCompare(b);
}

/**
 * oclif matches the `oclif.plugins` patterns against package.json's dependencies with
 * minimatch on every start, which initialises minimatch and compiles each pattern (3-10 ms). A
 * pattern that is a plain package name (xfed's are) matches exactly that name, so equality
 * gives the same answer; anything else still goes to minimatch.
 */
export function isPlainPackageName(pattern) {
  // npm's own rule for a package name: no segment starts with '.' or '_'.
  return /^(@[a-z0-9~-][a-z0-9._~-]*\/)?[a-z0-9~-][a-z0-9._~-]*$/.test(pattern);
}

/**
 * oclif loads ES-module commands and hooks (those of @oclif/plugin-autocomplete) with
 * `import()`. dist/ is CommonJS run from V8's code cache (src/compile-cache.ts), where
 * `import()` fails on Node 20, so oclif's loader uses xfed's own importEsm() (bundled from
 * src/cli/esm-import.ts, the one implementation), which hands the import to bin/run.js.
 */
const ESM_IMPORT_SOURCE = fileURLToPath(new URL('../../src/cli/esm-import.ts', import.meta.url));

/**
 * oclif asks wsl-utils whether it runs under WSL on every start; loading it loads
 * powershell-utils and node:child_process too (about 1 ms and a few hundred KB of a probe's
 * peak RSS). is-wsl answers false without looking further in these cases, which are tested
 * here first in the same order; only a possible WSL loads wsl-utils.
 */
export function surelyNotWsl() {
  if (process.platform !== 'linux') return true;
  const { existsSync, readFileSync } = require('node:fs');
  if (require('node:os').release().toLowerCase().includes('microsoft')) return false;
  try {
    if (readFileSync('/proc/version', 'utf8').toLowerCase().includes('microsoft')) return false;
  } catch {}
  return !existsSync('/proc/sys/fs/binfmt_misc/WSLInterop') && !existsSync('/run/WSL');
}

export const OCLIF_PATCHES = [
  {
    path: 'lib/config/plugin.js',
    find: '.sort((a, b) => a.id.localeCompare(b.id));',
    replace: '.sort((a, b) => compareCommandIds(a.id, b.id));',
    prelude: `${compareCommandIds.toString()}\n`,
  },
  {
    path: 'lib/config/plugin-loader.js',
    find: 'patterns.some((w) => (0, minimatch_1.minimatch)(p, w))',
    replace: 'patterns.some((w) => (isPlainPackageName(w) ? p === w : (0, minimatch_1.minimatch)(p, w)))',
    prelude: `${isPlainPackageName.toString()}\n`,
  },
  {
    path: 'lib/util/os.js',
    find: "return (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();",
    replace:
      "return surelyNotWsl() ? (0, node_os_1.platform)() : (await import('wsl-utils')).isWsl ? 'wsl' : (0, node_os_1.platform)();",
    prelude: `${surelyNotWsl.toString()}\n`,
  },
  {
    path: 'lib/module-loader.js',
    find: 'await import((0, node_url_1.pathToFileURL)(filePath).href)',
    replace: 'await xfedImportEsm((0, node_url_1.pathToFileURL)(filePath).href)',
    count: 3,
    prelude: `const { importEsm: xfedImportEsm } = require(${JSON.stringify(ESM_IMPORT_SOURCE)});\n`,
  },
];

/** An esbuild plugin applying OCLIF_PATCHES and makeRequiresLazy to @oclif/core's files. */
export function oclifPatches() {
  return {
    name: 'xfed-oclif-patches',
    setup(build) {
      build.onLoad({ filter: /[\\/]@oclif[\\/]core[\\/]lib[\\/].*\.js$/ }, async (args) => {
        let text = await readFile(args.path, 'utf8');
        const file = args.path.replaceAll('\\', '/');
        for (const patch of OCLIF_PATCHES.filter((p) => file.endsWith(`/@oclif/core/${p.path}`))) {
          const found = text.split(patch.find).length - 1;
          if (found !== (patch.count ?? 1)) {
            throw new Error(
              `bundle: ${args.path} contains ${JSON.stringify(patch.find)} ${found} times, not ${patch.count ?? 1}; review scripts/lib/oclif-patches.mjs`,
            );
          }
          text = patch.prelude + text.replaceAll(patch.find, patch.replace);
        }
        return { contents: makeRequiresLazy(text), loader: 'js' };
      });
    },
  };
}

/**
 * oclif's compiled modules require their dependencies at the top (`const x_1 = require("x")`),
 * so loading `Command` initialises the glob engine, template engine, spinner list and
 * config-file reader even when a command never uses them. In the bundle these requires become
 * lazy: the module is loaded on the first property read (`x_1.default`, `(0, x_1.fn)`), which
 * is how oclif uses every one of them. They are also left out of the bundle (about 190 KB that
 * every command would otherwise compile): the stand-in requires them from node_modules,
 * resolved from @oclif/core's own location, exactly as oclif itself would (help output and
 * error rendering use them). Names not listed keep oclif's eager, bundled require.
 */
export const LAZY_OCLIF_DEPENDENCIES = [
  'cli-spinners',
  'clean-stack',
  'ejs',
  'indent-string',
  'lilconfig',
  'minimatch',
  'string-width',
  'tinyglobby',
  'widest-line',
  'wrap-ansi',
];

/**
 * Lazy like the above, but kept in the bundle: `debug` backs oclif's default logger, which
 * src/main.ts replaces with a silent one unless DEBUG is set, so it is initialised only then
 * (its set-up, with supports-color and tty, was about 9 ms of every start).
 */
export const LAZY_BUNDLED_OCLIF_DEPENDENCIES = ['debug'];

/**
 * Node built-ins oclif requires at the top of a file but uses only on rare paths:
 * child_process only to ask PowerShell for the shell on Windows.
 */
export const LAZY_OCLIF_BUILTINS = ['node:child_process'];

/** A stand-in for a module's exports that loads it on first use. */
export function lazyModule(load) {
  let m;
  const get = () => {
    if (m === undefined) m = load();
    return m;
  };
  return new Proxy(
    {},
    {
      get: (_t, k) => get()[k],
      has: (_t, k) => k in get(),
      ownKeys: () => Reflect.ownKeys(get()),
      getOwnPropertyDescriptor: (_t, k) => {
        const d = Reflect.getOwnPropertyDescriptor(get(), k);
        return d && { ...d, configurable: true };
      },
    },
  );
}

/** Requires `id` as a module of @oclif/core would (its dependencies, from its location). */
export function oclifRequire(id) {
  const { createRequire } = require('node:module');
  return createRequire(require.resolve('@oclif/core'))(id);
}

/** Rewrites the top-level requires of the LAZY_* dependencies in one oclif file. */
export function makeRequiresLazy(text) {
  const deps = [...LAZY_OCLIF_DEPENDENCIES, ...LAZY_BUNDLED_OCLIF_DEPENDENCIES, ...LAZY_OCLIF_BUILTINS];
  const names = deps.map((n) => n.replace(/[-/]/g, '\\$&')).join('|');
  const re = new RegExp(`^const (\\w+) = (__importDefault\\()?require\\("(${names})"\\)(\\))?;$`, 'gm');
  let count = 0;
  const out = text.replace(re, (whole, id, wrap, dep, close) => {
    if (Boolean(wrap) !== Boolean(close)) return whole;
    count++;
    const load = LAZY_OCLIF_DEPENDENCIES.includes(dep) ? 'oclifRequire' : 'require';
    const req = `${load}(${JSON.stringify(dep)})`;
    return `const ${id} = lazyModule(() => ${wrap ? `__importDefault(${req})` : req});`;
  });
  return count ? `${lazyModule.toString()}\n${oclifRequire.toString()}\n${out}` : out;
}
