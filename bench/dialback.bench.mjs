// Benchmark for `xfed dialback` (issue 6, "Timing in the closing note"): a full handshake with
// the interop lab's Prosody (DNS, connect, STARTTLS, db:result, Prosody-style callback with
// xfed's own dial-back check of Prosody's key, db:verify, result, ping, polite close), median
// of 10 CLI runs, beside the start-up floor of a bare oclif 4 command and the report's own
// durationMs (the handshake without process start-up), plus `xfed dialback verify`.
// The lab needs root (docs/interop-lab.md); without it the bench prints a "skipped" row.
// Outer mode starts the lab and re-runs this file inside the namespace ("inner" mode), so every
// measurement is a plain child process of the namespace, without `ip netns exec` in the timing.
import { spawn } from 'node:child_process';
import { runInsideLab } from './lib/in-lab.mjs';
import { median, ROOT, report, runNode } from './lib/measure.mjs';

const RUNS = Number(process.env.XFED_BENCH_RUNS ?? 10);

/** Like runNode, but keeps stdout (one JSON report) so the report's own durationMs can be read. */
function runJson(args, timeoutMs = 60_000) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      if (stdout.length < 4 * 1024 * 1024) stdout += d.toString();
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < 4096) stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, wallMs: performance.now() - t0, stdout, stderr });
    });
  });
}

async function inner(cfg) {
  const { caFile, certFile, keyFile, domain } = cfg;
  const floorArgs = ['bench/floor/bin/run.js', 'hello'];
  const tls = ['--cert', certFile, '--key', keyFile, '--ca', caFile];
  const fullArgs = [
    'bin/run.js',
    'dialback',
    domain,
    '--as',
    'xfed.test',
    '--listen',
    '127.0.0.200:5269',
    ...tls,
    '--json',
    '--timeout',
    '5s',
  ];
  const verifyArgs = [
    'bin/run.js',
    'dialback',
    'verify',
    domain,
    '--as',
    'xfed.test',
    '--ca',
    caFile,
    '--json',
  ];
  await runNode(floorArgs);
  await runNode(fullArgs);
  const floor = [];
  const full = [];
  const inside = [];
  const verify = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push((await runNode(floorArgs)).wallMs);
    const r = await runJson(fullArgs);
    if (r.code !== 0) throw new Error(`dialback exited ${r.code}: ${r.stderr}`);
    full.push(r.wallMs);
    inside.push(JSON.parse(r.stdout).durationMs);
    const v = await runNode(verifyArgs);
    if (v.code !== 0) throw new Error(`dialback verify exited ${v.code}: ${v.stderr}`);
    verify.push(v.wallMs);
  }
  report({
    metric: `start-up floor: bare oclif 4 command (median of ${RUNS})`,
    value: median(floor),
    unit: 'ms',
  });
  report({
    metric: `dialback ${domain} --as xfed.test, full handshake + ping, CLI wall (median of ${RUNS})`,
    value: median(full),
    unit: 'ms',
  });
  report({
    metric: `dialback ${domain}: report durationMs, i.e. without process start-up (median of ${RUNS})`,
    value: median(inside),
    unit: 'ms',
  });
  report({
    metric: `dialback verify ${domain}, CLI wall (median of ${RUNS})`,
    value: median(verify),
    unit: 'ms',
  });
}

async function outer() {
  await runInsideLab('bench/dialback.bench.mjs', {
    scenarios: ['prosody-ok.test'],
    runs: RUNS,
    config: (lab) => ({
      caFile: lab.caFile,
      certFile: lab.xfedCert.chainFile,
      keyFile: lab.xfedCert.keyFile,
      domain: 'prosody-ok.test',
    }),
  });
}

if (process.argv[2] === 'inner') await inner(JSON.parse(process.argv[3]));
else await outer();
