#!/usr/bin/env node
// Puts fresh example outputs into README.md: reads the Markdown that scripts/readme-demo.ts
// prints (stdin) and replaces each ```console block of the README whose first line (the
// `$ xfed …` command) is the same as a fresh block's. Blocks the README does not have yet, and
// README blocks the demo no longer prints, are listed on stderr for a person to place.
//   npm run build && node --import tsx scripts/readme-demo.ts | node scripts/readme-splice.mjs README.md
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'README.md';
const BLOCK = /```console\n([^\n]*)\n[\s\S]*?```/g;
const fresh = new Map();
for (const m of readFileSync(0, 'utf8').matchAll(BLOCK)) fresh.set(m[1], m[0]);
const used = new Set();
const kept = [];
const out = readFileSync(file, 'utf8').replace(BLOCK, (block, first) => {
  const b = fresh.get(first);
  if (!b) {
    kept.push(first);
    return block;
  }
  used.add(first);
  return b;
});
writeFileSync(file, out);
process.stderr.write(`readme-splice: ${used.size} blocks replaced in ${file}\n`);
for (const k of kept) process.stderr.write(`readme-splice: kept as it was (not printed by the demo): ${k}\n`);
for (const k of fresh.keys())
  if (!used.has(k)) process.stderr.write(`readme-splice: new, not placed (add it by hand): ${k}\n`);
