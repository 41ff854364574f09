#!/usr/bin/env node
// Builds dist/ with esbuild (issue 14, docs/performance.md): one bundle per entry point
// (dist/main.js, every command under dist/commands/, the hooks, dist/compile-cache.js) with
// code splitting, so a command loads a handful of files instead of ~150 modules from dist/
// and node_modules, and shared code (oclif, the report model, the catalog) lives once in
// dist/chunks/. Dynamic `import()`s stay separate chunks, so lazy loading (renderers, TLS
// code, prom-client) keeps working exactly as in the sources. The files are CommonJS (pass 2
// below), for the compile cache.
//
// Measured before adopting it (bench/startup.bench.mjs): a bare oclif command bundled this way
// starts in 0.74x the time of the unbundled one. The naive bundle the issue measured was
// slower because it was one file with typescript inlined; `typescript` stays external here
// (oclif only loads it for development-mode .ts commands, which xfed never uses).
//
// dist/meta.json is esbuild's metafile: which source modules each output file holds. The
// start-up tests read it to say which *source* modules a command loaded.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { oclifPatches } from './lib/oclif-patches.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const out = join(root, 'dist');

/**
 * The licence texts of every package whose code is in the bundle (from the metafile's inputs):
 * the bundle is a copy of their code, so it carries their notices; most of them are not
 * installed next to xfed (they are devDependencies, see docs/architecture.md).
 */
function thirdPartyLicenses(metafile) {
  const packages = new Set();
  for (const input of Object.keys(metafile.inputs)) {
    const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
    if (m) packages.add(m[1]);
  }
  const parts = [];
  for (const name of [...packages].sort()) {
    const dir = join(root, 'node_modules', name);
    const pjson = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    const files = readdirSync(dir).filter((f) => /^(licen[cs]e|copying|notice)/i.test(f));
    const texts = files.map((f) => readFileSync(join(dir, f), 'utf8').trim());
    const author = typeof pjson.author === 'string' ? pjson.author : pjson.author?.name;
    parts.push(
      [
        `${name} ${pjson.version} (${pjson.license ?? 'license not stated'})`,
        ...(texts.length
          ? texts
          : [
              `No licence file in the package; package.json: ${pjson.license}${author ? `, ${author}` : ''}.`,
            ]),
      ].join('\n\n'),
    );
  }
  return `Third-party code bundled in xfed's dist/ (scripts/bundle.mjs)\n\n${parts.join(`\n\n${'-'.repeat(72)}\n\n`)}\n`;
}

function collect(dir, acc = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) collect(p, acc);
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) acc.push(p);
  }
  return acc;
}

const entryPoints = [
  join(src, 'main.ts'),
  join(src, 'compile-cache.ts'),
  ...collect(join(src, 'commands')),
  ...collect(join(src, 'hooks')),
];

rmSync(out, { recursive: true, force: true });
// Pass 1: ES modules with code splitting (esbuild splits only ES-module output).
const result = await build({
  absWorkingDir: root,
  entryPoints,
  outbase: src,
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  // typescript: oclif's development-mode support for .ts commands, never used by a built CLI.
  // @oclif/plugin-not-found: imported only by the not-found hook on an unknown command; it
  // stays in node_modules with the oclif it was built against.
  external: ['typescript', '@oclif/plugin-not-found'],
  // Kept in the code here; pass 2 moves them to .LEGAL.txt files.
  legalComments: 'eof',
  sourcemap: 'linked',
  metafile: true,
  plugins: [oclifPatches()],
  logLevel: 'warning',
});

// Pass 2: every file of pass 1 becomes CommonJS in place, each on its own (its imports stay
// imports of the other files), so that src/compile-cache.ts can compile it through V8's code
// cache: Node 20 has no cache for ES modules, and compiling dist/ was about a third of a
// command's start-up (docs/performance.md). `import()` becomes `require()` (a script compiled
// from cached data cannot run `import()` on Node 20); the few ES modules from outside the
// bundle go through src/cli/esm-import.ts. Pass 1's source maps are read and chained, so the
// maps still point into src/.
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
// dist/ holds CommonJS although package.json says "type": "module". Written before pass 2, so
// that esbuild reads pass 1's files as what they become: its import() conversions then
// honour __esModule (in Node's ES-module mode, `default` would be the whole exports object).
writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
await build({
  absWorkingDir: root,
  entryPoints: files,
  outbase: out,
  outdir: out,
  allowOverwrite: true,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  supported: { 'dynamic-import': false },
  // Smaller text to compile at start-up (about 5 % of explain's CPU); names are kept, so stack
  // traces stay readable, and the linked source maps serve --enable-source-maps.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  plugins: [
    {
      name: 'xfed-each-file-alone',
      setup(b) {
        b.onResolve({ filter: /.*/ }, (args) =>
          args.kind === 'entry-point' ? undefined : { path: args.path, external: true },
        );
      },
    },
  ],
  logLevel: 'warning',
});
// Names this build for the compile cache: caches are kept per build, never offered to other code.
const hash = createHash('sha256');
for (const f of [...files].sort()) hash.update(f).update(readFileSync(join(root, f)));
writeFileSync(join(out, 'build-id'), `${hash.digest('hex').slice(0, 16)}\n`);
writeFileSync(join(out, 'meta.json'), `${JSON.stringify(result.metafile)}\n`);
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(result.metafile));
console.log(`bundle: ${entryPoints.length} entries, ${files.length} files in ${relative(root, out)}/`);
