#!/usr/bin/env node
// Runs every bench/*.bench.mjs (or the files given) as a child process with tsx, collects the
// result rows each prints (one JSON object per line: {bench, metric, value, unit, limit?, ok?}),
// prints them as a table and saves them to bench/results/<time>.json. Exit code 1 only when a
// bench crashes, or with --strict when a row has ok: false. Build first (`npm run bench` does).
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const benchDir = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const strict = args.includes('--strict');
const chosen = args.filter((a) => !a.startsWith('--'));
const files = chosen.length
  ? chosen
  : readdirSync(benchDir)
      .filter((f) => f.endsWith('.bench.mjs'))
      .sort()
      .map((f) => join(benchDir, f));

const rows = [];
let crashed = false;
for (const file of files) {
  process.stderr.write(`bench: ${basename(file)} ...\n`);
  const res = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: join(benchDir, '..'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  for (const line of res.stdout.split('\n')) {
    try {
      const row = JSON.parse(line);
      if (row && typeof row === 'object' && 'metric' in row)
        rows.push({ bench: basename(file, '.bench.mjs'), ...row });
    } catch {
      // not a result row
    }
  }
  if (res.status !== 0) {
    crashed = true;
    process.stderr.write(`bench: ${basename(file)} exited with ${res.status}\n`);
  }
}

const fmt = (v) =>
  typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(v < 10 ? 2 : 1)) : String(v ?? '');
const table = [['bench', 'metric', 'value', 'unit', 'limit', 'ok']].concat(
  rows.map((r) => [
    r.bench,
    r.metric,
    fmt(r.value),
    r.unit ?? '',
    r.limit ?? '',
    r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ]),
);
const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
for (const [i, r] of table.entries()) {
  console.log(
    r
      .map((c, j) => (j === 2 ? c.padStart(widths[j]) : c.padEnd(widths[j])))
      .join('  ')
      .trimEnd(),
  );
  if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
}

const resultsDir = join(benchDir, 'results');
mkdirSync(resultsDir, { recursive: true });
const out = join(resultsDir, `${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
writeFileSync(
  out,
  `${JSON.stringify({ node: process.version, platform: `${process.platform}-${process.arch}`, rows }, null, 2)}\n`,
);
process.stderr.write(`bench: results saved to ${out}\n`);
process.exit(crashed || (strict && rows.some((r) => r.ok === false)) ? 1 : 0);
