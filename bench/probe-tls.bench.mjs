// Benchmarks for `xfed probe tls` (issue 4, "Performance") against the interop lab's real servers:
// 1. one probe of the local Prosody: median wall time of `xfed probe tls` vs
//    `openssl s_client -starttls xmpp-server -xmpphost <domain>` and vs a bare oclif 4 command
//    (the start-up floor), interleaved in the same run; target xfed <= floor + 2 x openssl;
// 2. a batch of 100 targets from --file with --concurrency against the lab: < 5 s wall, peak RSS < 150 MB,
//    and its CPU time; with XFED_BENCH_BASELINE=<dir of another built checkout> that tree's batch
//    runs in the same rounds.
// The lab needs root (docs/interop-lab.md); without it the bench prints a "skipped" row.
// Outer mode starts the lab and re-runs this file inside the namespace ("inner" mode), so every
// measurement is a plain child process of the namespace, without `ip netns exec` in the timing.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInsideLab } from './lib/in-lab.mjs';
import { median, report, runNode } from './lib/measure.mjs';

const RUNS = Number(process.env.XFED_BENCH_RUNS ?? 15);
const BATCH_SIZE = 100;
const BATCH_RUNS = Number(process.env.XFED_BENCH_BATCH_RUNS ?? 3);

/** Wall time of any command (spawn to exit), stdin closed. */
function runCmd(cmd, args, timeoutMs = 30_000) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      if (out.length < 65536) out += d.toString();
    });
    child.stderr.on('data', () => {});
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, wallMs: performance.now() - t0, out });
    });
  });
}

async function inner(cfg) {
  const { caFile, domain, address, port, batchFile, batchSize } = cfg;
  const floorArgs = ['bench/floor/bin/run.js', 'hello'];
  const xfedArgs = ['bin/run.js', 'probe', 'tls', domain, '--ca', caFile, '--json', '--warn-days', '7'];
  const sslArgs = [
    's_client',
    '-starttls',
    'xmpp-server',
    '-xmpphost',
    domain,
    '-connect',
    `${address}:${port}`,
  ];
  sslArgs.push('-servername', domain, '-CAfile', caFile, '-verify_return_error', '-brief');
  // Warm the file cache and the servers once.
  await runNode(floorArgs);
  await runNode(xfedArgs);
  await runCmd('openssl', sslArgs);
  const floor = [];
  const xfed = [];
  const ssl = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push((await runNode(floorArgs)).wallMs);
    const x = await runNode(xfedArgs);
    if (x.code !== 0) throw new Error(`probe tls exited ${x.code}: ${x.stderr}`);
    xfed.push(x.wallMs);
    const o = await runCmd('openssl', sslArgs);
    if (o.code !== 0) throw new Error(`openssl s_client exited ${o.code}`);
    ssl.push(o.wallMs);
  }
  const floorMs = median(floor);
  const xfedMs = median(xfed);
  const sslMs = median(ssl);
  const budget = floorMs + 2 * sslMs;
  report({ metric: `start-up floor: bare oclif 4 command (median of ${RUNS})`, value: floorMs, unit: 'ms' });
  report({
    metric: `openssl s_client -starttls xmpp-server -xmpphost ${domain} (median of ${RUNS})`,
    value: sslMs,
    unit: 'ms',
  });
  report({
    metric: `probe tls ${domain} --json (median of ${RUNS})`,
    value: xfedMs,
    unit: 'ms',
    limit: `<= floor + 2 x openssl = ${budget.toFixed(1)}`,
    ok: xfedMs <= budget,
  });
  report({ metric: 'probe tls minus floor', value: xfedMs - floorMs, unit: 'ms' });

  // The batch, and with XFED_BENCH_BASELINE=<another built checkout> the same batch from there
  // in the same rounds (before/after under the same load).
  const trees = [['', 'bin/run.js']];
  if (cfg.baseline) trees.push(['baseline: ', join(cfg.baseline, 'bin/run.js')]);
  const runs = trees.map(() => ({ walls: [], rss: [], cpu: [] }));
  for (let i = 0; i < BATCH_RUNS; i++) {
    for (const [j, [, bin]] of trees.entries()) {
      const r = await runNode(
        [bin, 'probe', 'tls', '--file', batchFile, '--ca', caFile, '--json', '--concurrency', '16'],
        { rss: true },
      );
      if (r.lines !== batchSize)
        throw new Error(`batch printed ${r.lines} lines, expected ${batchSize}: ${r.stderr}`);
      runs[j].walls.push(r.wallMs);
      runs[j].rss.push(r.rssMb ?? Number.NaN);
      runs[j].cpu.push(r.cpuMs ?? Number.NaN);
    }
  }
  for (const [j, [label]] of trees.entries()) {
    const wall = median(runs[j].walls);
    const peak = Math.max(...runs[j].rss);
    report({
      metric: `${label}batch: ${batchSize} targets --file --concurrency 16 --json, wall (median of ${BATCH_RUNS})`,
      value: wall,
      unit: 'ms',
      limit: '< 5000',
      ok: wall < 5000,
    });
    report({
      metric: `${label}batch: CPU time, user + system, start-up included (median of ${BATCH_RUNS})`,
      value: median(runs[j].cpu),
      unit: 'ms',
    });
    report({
      metric: `${label}batch: peak RSS (max of ${BATCH_RUNS})`,
      value: peak,
      unit: 'MB',
      limit: '< 150',
      ok: peak < 150,
    });
  }
}

async function outer() {
  // Real servers with full TLS probes (healthy and broken), plus a refused port: a mixed batch.
  const scenarios = [
    'prosody-ok.test',
    'ejabberd-ok.test',
    'tls-optional.test',
    'no-tls.test',
    'expired.test',
    'wrong-name.test',
    'self-signed.test',
    'ecdsa.test',
    'srvid-only.test',
    'no-intermediate.test',
    'port-5270.test',
    'no-srv.test',
    'closed.test',
    'secure-auth.test',
  ];
  await runInsideLab('bench/probe-tls.bench.mjs', {
    scenarios,
    runs: RUNS,
    config: (lab) => {
      const batchFile = join(lab.dir, 'bench-targets.txt');
      const lines = Array.from({ length: BATCH_SIZE }, (_, i) => scenarios[i % scenarios.length]);
      writeFileSync(batchFile, `${lines.join('\n')}\n`);
      const info = lab.domains['prosody-ok.test'];
      return {
        caFile: lab.caFile,
        domain: 'prosody-ok.test',
        address: info.address,
        port: info.port,
        batchFile,
        batchSize: BATCH_SIZE,
        baseline: process.env.XFED_BENCH_BASELINE,
      };
    },
  });
}

if (process.argv[2] === 'inner') await inner(JSON.parse(process.argv[3]));
else await outer();
