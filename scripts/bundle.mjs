#!/usr/bin/env node
// Builds dist/ with esbuild (issue 14, docs/performance.md): one ESM bundle per entry point
// (dist/main.js, every command under dist/commands/, the hooks) with code splitting, so a
// command loads a handful of files instead of ~150 modules from dist/ and node_modules, and
// shared code (oclif, the report model, the catalog) lives once in dist/chunks/. Dynamic
// `import()`s stay separate chunks, so lazy loading (renderers, TLS code, prom-client) keeps
// working exactly as in the sources.
//
// Measured before adopting it (bench/startup.bench.mjs): a bare oclif command bundled this way
// starts in 0.74x the time of the unbundled one. The naive bundle the issue measured was
// slower because it was one file with typescript inlined; `typescript` stays external here
// (oclif only loads it for development-mode .ts commands, which xfed never uses).
//
// dist/meta.json is esbuild's metafile: which source modules each output file holds. The
// start-up tests read it to say which *source* modules a command loaded.
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

const entryPoints = [join(src, 'main.ts'), ...collect(join(src, 'commands')), ...collect(join(src, 'hooks'))];

rmSync(out, { recursive: true, force: true });
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
  // CommonJS dependencies (oclif, dns-packet, prom-client) call require() for Node built-ins;
  // an ESM chunk has no `require`, so each chunk gets one bound to its own URL.
  banner: {
    js: "import { createRequire as __xfedRequire } from 'node:module'; const require = __xfedRequire(import.meta.url);",
  },
  // Smaller text to compile at start-up (about 5 % of explain's CPU); names are kept, so stack
  // traces stay readable, and the linked source maps serve --enable-source-maps.
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  plugins: [oclifPatches()],
  logLevel: 'warning',
});
writeFileSync(join(out, 'meta.json'), `${JSON.stringify(result.metafile)}\n`);
writeFileSync(join(out, 'THIRD-PARTY-LICENSES.txt'), thirdPartyLicenses(result.metafile));
const files = Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'));
console.log(`bundle: ${entryPoints.length} entries, ${files.length} files in ${relative(root, out)}/`);
