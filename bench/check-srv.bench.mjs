// Benchmarks for `xfed check srv` (issue 3, §5), against an in-process fake resolver:
// start-up (median of interleaved runs vs a bare oclif 4 command, target <= 1.25x) and a
// batch of 1,000 domains from --file (target < 3 s wall, peak RSS < 150 MB), and the same
// batch behind a silent first resolver.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeDns } from '../test/fakes/fake-dns-server.ts';
import { median, report, runNode } from './lib/measure.mjs';

const STARTUP_RUNS = Number(process.env.XFED_BENCH_RUNS ?? 15);
const BATCH_DOMAINS = 1000;
const BATCH_RUNS = 3;

const zone = {
  '_xmpp-server._tcp.good.test': [
    { type: 'SRV', data: { priority: 5, weight: 0, port: 5269, target: 'xmpp.good.test' } },
  ],
  'xmpp.good.test': [{ type: 'A', data: '127.0.0.2' }],
};
for (let i = 0; i < BATCH_DOMAINS; i++) {
  const d = `d${i}.bench.test`;
  zone[`_xmpp-server._tcp.${d}`] = [
    { type: 'SRV', data: { priority: 5, weight: 0, port: 5269, target: `xmpp.${d}` } },
  ];
  zone[`xmpp.${d}`] = [{ type: 'A', data: `127.0.${i >> 8}.${i & 255}` }];
}
const dns = await startFakeDns({ zone });
const resolver = `127.0.0.1:${dns.port}`;

try {
  // Start-up: interleave floor and xfed so machine noise hits both alike.
  const floor = [];
  const xfed = [];
  const floorArgs = ['bench/floor/bin/run.js', 'hello'];
  const xfedArgs = ['bin/run.js', 'check', 'srv', 'good.test', '--resolver', resolver, '--json'];
  await runNode(floorArgs); // warm the file cache
  await runNode(xfedArgs);
  for (let i = 0; i < STARTUP_RUNS; i++) {
    floor.push((await runNode(floorArgs)).wallMs);
    const r = await runNode(xfedArgs);
    if (r.code !== 0) throw new Error(`check srv exited ${r.code}: ${r.stderr}`);
    xfed.push(r.wallMs);
  }
  const floorMs = median(floor);
  const xfedMs = median(xfed);
  const ratio = xfedMs / floorMs;
  report({
    metric: `start-up floor: bare oclif 4 command (median of ${STARTUP_RUNS})`,
    value: floorMs,
    unit: 'ms',
  });
  report({
    metric: `start-up: check srv <domain> --json (median of ${STARTUP_RUNS})`,
    value: xfedMs,
    unit: 'ms',
  });
  report({
    metric: 'start-up ratio check srv / floor',
    value: ratio,
    unit: 'x',
    limit: '<= 1.25',
    ok: ratio <= 1.25,
  });

  // Batch: 1,000 domains from --file, JSON Lines.
  const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-batch-'));
  const file = join(dir, 'domains.txt');
  writeFileSync(
    file,
    `# ${BATCH_DOMAINS} benchmark domains\n${Array.from({ length: BATCH_DOMAINS }, (_, i) => `d${i}.bench.test`).join('\n')}\n`,
  );
  const walls = [];
  const rss = [];
  for (let i = 0; i < BATCH_RUNS; i++) {
    const before = dns.questions.length;
    const r = await runNode(
      ['bin/run.js', 'check', 'srv', '--file', file, '--resolver', resolver, '--json'],
      { rss: true },
    );
    if (r.code !== 0) throw new Error(`batch exited ${r.code}: ${r.stderr}`);
    if (r.lines !== BATCH_DOMAINS)
      throw new Error(`batch printed ${r.lines} lines, expected ${BATCH_DOMAINS}`);
    walls.push(r.wallMs);
    rss.push(r.rssMb ?? Number.NaN);
    if (i === 0)
      report({ metric: 'batch: DNS queries per run', value: dns.questions.length - before, unit: 'queries' });
  }
  const wall = median(walls);
  const peak = Math.max(...rss);
  report({
    metric: `batch: ${BATCH_DOMAINS} domains --file --json, wall (median of ${BATCH_RUNS})`,
    value: wall,
    unit: 'ms',
    limit: '< 3000',
    ok: wall < 3000,
  });
  report({
    metric: `batch: peak RSS (max of ${BATCH_RUNS})`,
    value: peak,
    unit: 'MB',
    limit: '< 150',
    ok: peak < 150,
  });

  // Batch behind a dead first resolver (--timeout 1s): the run waits for it only until two
  // domains have found it silent (gather/srv.ts, ResolverMemory), not once per 32 domains.
  const silent = await startFakeDns({ handler: () => ({ silent: true }) });
  try {
    const args = ['bin/run.js', 'check', 'srv', '--file', file, '--resolver', `127.0.0.1:${silent.port}`];
    const r = await runNode([...args, '--resolver', resolver, '--json', '--timeout', '1000']);
    if (r.lines !== BATCH_DOMAINS)
      throw new Error(`silent-resolver batch printed ${r.lines} lines, expected ${BATCH_DOMAINS}`);
    report({
      metric: `batch behind a silent first resolver: ${BATCH_DOMAINS} domains, --timeout 1s, wall`,
      value: r.wallMs,
      unit: 'ms',
      limit: '< 5000',
      ok: r.wallMs < 5000,
    });
  } finally {
    await silent.close();
  }
} finally {
  await dns.close();
}
