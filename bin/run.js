#!/usr/bin/env node
// xfed entry point. Start-up (docs/performance.md): `--version` is answered here without
// loading oclif (the same line oclif prints: config.userAgent); everything else goes to
// dist/main.js, the bundle's entry (scripts/bundle.mjs), which runs oclif and maps escaped
// errors to the report contract's exit codes. dist/ is CommonJS, compiled through a V8 code
// cache (dist/compile-cache.js) that is installed first.
const argv = process.argv.slice(2);
if (argv[0] === '--version') {
  const { readFileSync } = await import('node:fs');
  const { arch, release } = await import('node:os');
  const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  // oclif: platform is 'wsl' under WSL (Microsoft kernel), arch 'x86' for ia32.
  const platform = process.platform === 'linux' && /microsoft/i.test(release()) ? 'wsl' : process.platform;
  const a = arch() === 'ia32' ? 'x86' : arch();
  process.stdout.write(`${pjson.name}/${pjson.version} ${platform}-${a} node-${process.version}\n`);
} else {
  // The bundle cannot use import() (src/cli/esm-import.ts): ES modules from outside it, such
  // as oclif plugins, are imported here, in a module Node compiles itself.
  globalThis[Symbol.for('xfed.importEsm')] = (specifier) => import(specifier);
  const { createRequire } = await import('node:module');
  const { fileURLToPath } = await import('node:url');
  const require = createRequire(import.meta.url);
  require('../dist/compile-cache.js').installCompileCache(fileURLToPath(new URL('../dist', import.meta.url)));
  const { main } = require('../dist/main.js');
  await main(argv, import.meta.url);
}
