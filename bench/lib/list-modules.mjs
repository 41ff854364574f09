// --import hook that lists every module the process loaded, written at exit to the file
// named by XFED_MODULES_FILE, one per line: ESM URLs (from a resolve hook), CommonJS files
// (require.cache) and Node built-ins (process.moduleLoadList). Used by bench/startup.bench.mjs
// and the start-up regression tests to see what each command loads.
//
// xfed's dist/ is a bundle (scripts/bundle.mjs): for every loaded file of it, the source
// modules it holds (from dist/meta.json, esbuild's metafile) are listed too, as paths
// relative to the repository (`src/gather/tls.ts`, `node_modules/saxes/lib/saxes.js`), so the
// tests can name source modules whatever chunk they were bundled into.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { fileURLToPath } from 'node:url';

const file = process.env.XFED_MODULES_FILE;

/** The source modules bundled in each loaded dist/ file, by dist/meta.json. */
function bundledInputs(urls) {
  const metas = new Map();
  const out = [];
  for (const entry of urls) {
    // dist/ is CommonJS (require.cache paths); ES modules are file: URLs.
    if (!entry.startsWith('file:') && !entry.startsWith('/')) continue;
    const path = entry.startsWith('file:') ? fileURLToPath(entry) : entry;
    const i = path.lastIndexOf('/dist/');
    if (i < 0) continue;
    const root = path.slice(0, i + 1);
    if (!metas.has(root)) {
      const meta = `${root}dist/meta.json`;
      metas.set(root, existsSync(meta) ? JSON.parse(readFileSync(meta, 'utf8')) : null);
    }
    const output = metas.get(root)?.outputs?.[path.slice(root.length)];
    if (output) out.push(...Object.keys(output.inputs));
  }
  return [...new Set(out)];
}

if (file) {
  writeFileSync(file, '');
  register(new URL('./list-modules-hooks.mjs', import.meta.url), { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const esm = [...new Set(readFileSync(file, 'utf8').split('\n').filter(Boolean))];
    const cjs = Object.keys(require.cache);
    const builtins = process.moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => `node:${m.slice('NativeModule '.length)}`);
    const bundled = bundledInputs([...esm, ...cjs]);
    appendFileSync(file, `${[...cjs, ...builtins, ...bundled].join('\n')}\n`);
  });
}
