#!/usr/bin/env node
// Puts fresh example outputs into README.md: reads the Markdown that scripts/readme-demo.ts
// prints (stdin) and replaces each ```console block of the README whose first line (the
// `$ xfed …` command) is the same as a fresh block's, numbers aside (the fake servers' ports
// and times change from run to run); a command shown twice is matched in order. Blocks the README does not have yet, and
// README blocks the demo no longer prints, are listed on stderr for a person to place.
//   npm run build && node --import tsx scripts/readme-demo.ts | node scripts/readme-splice.mjs README.md
import { readFileSync, writeFileSync } from 'node:fs';

const file = process.argv[2] ?? 'README.md';
const BLOCK = /```console\n([^\n]*)\n[\s\S]*?```/g;
const key = (first) => first.replace(/\d+/g, '#');
const fresh = new Map();
for (const m of readFileSync(0, 'utf8').matchAll(BLOCK)) {
  const k = key(m[1]);
  fresh.set(k, [...(fresh.get(k) ?? []), m[0]]);
}
let replaced = 0;
const kept = [];
const out = readFileSync(file, 'utf8').replace(BLOCK, (block, first) => {
  const b = fresh.get(key(first))?.shift();
  if (!b) {
    kept.push(first);
    return block;
  }
  replaced++;
  return b;
});
writeFileSync(file, out);
process.stderr.write(`readme-splice: ${replaced} blocks replaced in ${file}\n`);
for (const k of kept) process.stderr.write(`readme-splice: kept as it was (not printed by the demo): ${k}\n`);
for (const blocks of fresh.values())
  for (const b of blocks)
    process.stderr.write(`readme-splice: new, not placed (add it by hand): ${b.split('\n')[1]}\n`);
