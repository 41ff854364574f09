#!/usr/bin/env node
// Runs every test file (test/**/*.test.ts) with Node's test runner and tsx.
// `node scripts/run-tests.mjs test/unit` runs only the files under the given paths.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function collect(path, out) {
  const st = statSync(path);
  if (st.isDirectory()) {
    for (const name of readdirSync(path).sort()) collect(join(path, name), out);
  } else if (path.endsWith('.test.ts')) {
    out.push(path);
  }
  return out;
}

const roots = process.argv.slice(2);
const files = (roots.length ? roots : ['test']).flatMap((r) => collect(r, []));
if (files.length === 0) {
  console.error('run-tests: no test files found');
  process.exit(1);
}
const cacheDir = mkdtempSync(join(tmpdir(), 'xfed-test-compile-cache-'));
const res = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-reporter=spec',
    '--test-concurrency=2',
    '--test-timeout=120000',
    ...files,
  ],
  // The CLIs the tests start keep their compile cache (src/compile-cache.ts) in a directory of
  // this run, not in the user's ~/.cache; tests of the cache itself choose their own.
  {
    stdio: 'inherit',
    env: { ...process.env, XFED_COMPILE_CACHE: process.env.XFED_COMPILE_CACHE ?? cacheDir },
  },
);
rmSync(cacheDir, { recursive: true, force: true });
process.exit(res.status ?? 1);
