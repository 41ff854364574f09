// Benchmark for `xfed serve` (issue 12, "Performance"): 100 concurrent GET /probe?module=tls
// against the interop lab's real servers; latency p50/p99 of the answers and the exporter's
// peak RSS. Targets: p99 < 1 s, RSS < 200 MB. The exporter runs with its defaults
// (--concurrency 16, so requests queue); each request carries its own `as` (our domain in the
// stream header), so no two requests are joined into one probe and none is answered from the
// cache: all 100 are real probes. Outer mode starts the lab and re-runs this file inside the
// namespace ("inner" mode); without root it prints a "skipped" row. With
// XFED_BENCH_BASELINE=<dir of another built checkout> both exporters run in turn, 3 times each.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInsideLab } from './lib/in-lab.mjs';
import { median, ROOT, report } from './lib/measure.mjs';

const REQUESTS = 100;
const ROUNDS = Number(process.env.XFED_BENCH_RUNS ?? 3);
const LISTEN = '127.0.0.1:19798';
/** Runs of each exporter with XFED_BENCH_BASELINE. */
const COMPARE_RUNS = 3;

function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

/** Peak resident set size of a process, from /proc (VmHWM), in MB. */
function peakRssMb(pid) {
  const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

/** User + system CPU time of a process so far, from /proc/<pid>/stat, in ms (USER_HZ = 100). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/**
 * One exporter from `root`: started, warmed with one probe, then ROUNDS rounds of REQUESTS
 * concurrent probes. Returns the latencies, the exporter's CPU per probe and its peak RSS.
 */
async function exporterRun(root, cfg) {
  const child = spawn(
    process.execPath,
    ['bin/run.js', 'serve', '--listen', LISTEN, '--allow', '*.test', '--ca', cfg.caFile],
    { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (let i = 0; ; i++) {
      const ok = await fetch(`http://${LISTEN}/metrics`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) break;
      if (i > 100) throw new Error('xfed serve did not start');
      await sleep(100);
    }
    const latencies = [];
    let failures = 0;
    let round = 0;
    const one = async (i) => {
      const target = cfg.targets[i % cfg.targets.length];
      const url = `http://${LISTEN}/probe?module=tls&target=${target}&as=r${round}-${i}.xfed.test`;
      const t0 = performance.now();
      const res = await fetch(url);
      const body = await res.text();
      latencies.push(performance.now() - t0);
      if (res.status !== 200 || !/^xfed_probe_success 1$/m.test(body)) failures++;
    };
    await one(0); // warm-up: modules loaded, servers awake
    latencies.length = 0;
    const cpu0 = cpuMs(child.pid);
    const wall0 = performance.now();
    for (round = 1; round <= ROUNDS; round++) {
      await Promise.all(Array.from({ length: REQUESTS }, (_, i) => one(i)));
    }
    const cpuPerProbe = (cpuMs(child.pid) - cpu0) / (REQUESTS * ROUNDS);
    const wallPerRound = (performance.now() - wall0) / ROUNDS;
    if (failures > 0) throw new Error(`${failures} probes did not answer with success 1`);
    return { latencies, cpuPerProbe, wallPerRound, rss: peakRssMb(child.pid) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

function reportRun(r, label = '') {
  const p50 = percentile(r.latencies, 50);
  const p99 = percentile(r.latencies, 99);
  report({
    metric: `${label}serve: ${REQUESTS} concurrent /probe?module=tls, p50 (${ROUNDS} rounds)`,
    value: p50,
    unit: 'ms',
  });
  report({
    metric: `${label}serve: ${REQUESTS} concurrent /probe?module=tls, p99 (${ROUNDS} rounds)`,
    value: p99,
    unit: 'ms',
    limit: '< 1000',
    ok: p99 < 1000,
  });
  report({ metric: `${label}serve: median latency`, value: median(r.latencies), unit: 'ms' });
  report({ metric: `${label}serve: wall time of one round of 100`, value: r.wallPerRound, unit: 'ms' });
  report({ metric: `${label}serve: exporter CPU time per probe`, value: r.cpuPerProbe, unit: 'ms' });
  report({
    metric: `${label}serve: exporter peak RSS`,
    value: r.rss,
    unit: 'MB',
    limit: '< 200',
    ok: r.rss < 200,
  });
}

async function inner(cfg) {
  if (!cfg.baseline) {
    reportRun(await exporterRun(ROOT, cfg));
    return;
  }
  // XFED_BENCH_BASELINE=<another built xfed checkout>: both exporters in turn, COMPARE_RUNS
  // times, so the machine's load falls on both alike; each row is the median of its runs.
  const runs = { baseline: [], this: [] };
  for (let i = 0; i < COMPARE_RUNS; i++) {
    runs.baseline.push(await exporterRun(cfg.baseline, cfg));
    runs.this.push(await exporterRun(ROOT, cfg));
  }
  for (const [label, list] of [
    ['baseline: ', runs.baseline],
    ['', runs.this],
  ]) {
    const p = (q) => median(list.map((r) => percentile(r.latencies, q)));
    report({ metric: `${label}serve: p50 (median of ${COMPARE_RUNS} runs)`, value: p(50), unit: 'ms' });
    report({
      metric: `${label}serve: p99 (median of ${COMPARE_RUNS} runs)`,
      value: p(99),
      unit: 'ms',
      limit: '< 1000',
      ok: p(99) < 1000,
    });
    report({
      metric: `${label}serve: exporter CPU time per probe (median of ${COMPARE_RUNS} runs)`,
      value: median(list.map((r) => r.cpuPerProbe)),
      unit: 'ms',
    });
    report({
      metric: `${label}serve: exporter peak RSS (max of ${COMPARE_RUNS} runs)`,
      value: Math.max(...list.map((r) => r.rss)),
      unit: 'MB',
    });
  }
}

async function outer() {
  const targets = ['prosody-ok.test', 'ejabberd-ok.test', 'ecdsa.test', 'tls-optional.test'];
  await runInsideLab('bench/serve.bench.mjs', {
    scenarios: targets,
    runs: ROUNDS,
    config: (lab) => ({ caFile: lab.caFile, targets, baseline: process.env.XFED_BENCH_BASELINE }),
  });
}

if (process.argv[2] === 'inner') await inner(JSON.parse(process.argv[3]));
else await outer();
