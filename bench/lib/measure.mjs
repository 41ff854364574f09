// Shared helpers for bench/*.bench.mjs: run a command as a child process and measure its
// wall time and peak RSS, compute medians, and print result rows for bench/run.mjs.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const RSS_HOOK = fileURLToPath(new URL('./report-rss.mjs', import.meta.url));

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Runs `node <args>` and resolves with wall time (ms, spawn to exit), exit code, stdout
 * size and line count, and, with `rss: true`, the child's peak RSS in MB and CPU time (user +
 * system) in ms (measured inside the child by an --import hook, so it is the CLI's own process only).
 */
export function runNode(args, { rss = false, env = {}, timeoutMs = 120_000 } = {}) {
  const dir = rss ? mkdtempSync(join(tmpdir(), 'xfed-bench-')) : undefined;
  const rssFile = dir ? join(dir, 'rss') : undefined;
  const childEnv = { ...process.env, NO_COLOR: '1', ...env };
  if (rssFile) {
    childEnv.NODE_OPTIONS = `${childEnv.NODE_OPTIONS ?? ''} --import ${RSS_HOOK}`.trim();
    childEnv.XFED_BENCH_RSS_FILE = rssFile;
    // A caller's own CPU file (env) is kept; cpuMs is then read from it.
    childEnv.XFED_BENCH_CPU_FILE ??= `${rssFile}.cpu`;
  }
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (d) => {
      bytes += d.length;
      for (const c of d) if (c === 10) lines++;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      let rssMb;
      let cpuMs;
      if (rssFile) {
        try {
          rssMb = Number(readFileSync(rssFile, 'utf8')) / 1024;
          cpuMs = Number(readFileSync(childEnv.XFED_BENCH_CPU_FILE, 'utf8'));
        } catch {
          rssMb ??= undefined;
        }
        rmSync(dir, { recursive: true, force: true });
      }
      resolve({ code, wallMs, bytes, lines, stderr, rssMb, cpuMs });
    });
  });
}

/** Prints one result row; bench/run.mjs collects these (one JSON object per line). */
export function report(row) {
  process.stdout.write(`${JSON.stringify(row)}\n`);
}
