// --import hook that lists every module the process loaded, written at exit to the file
// named by XFED_MODULES_FILE, one per line: ESM URLs (from a resolve hook), CommonJS files
// (require.cache) and Node built-ins (process.moduleLoadList). Used by bench/startup.bench.mjs
// and the start-up regression test to see what each command loads.
import { appendFileSync, writeFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.XFED_MODULES_FILE;
if (file) {
  writeFileSync(file, '');
  register(new URL('./list-modules-hooks.mjs', import.meta.url), { data: { file } });
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const cjs = Object.keys(require.cache);
    const builtins = process.moduleLoadList
      .filter((m) => m.startsWith('NativeModule '))
      .map((m) => `node:${m.slice('NativeModule '.length)}`);
    appendFileSync(file, `${[...cjs, ...builtins].join('\n')}\n`);
  });
}
