// Benchmark for `xfed axl-auth` (issue 5: "test the credentials in seconds"), against the fake AXL
// endpoint: wall time of a full CLI run with --query-s2s (TLS check, GET /axl/, getCCMVersion
// with one 599 renegotiation, executeSQLQuery), median of interleaved runs beside a bare oclif 4
// command, and the peak RSS of one run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_PASSWORD, FAKE_USER, startFakeAxl } from '../test/fakes/fake-axl-server.ts';
import { median, report, runNode } from './lib/measure.mjs';

const RUNS = Number(process.env.XFED_BENCH_RUNS ?? 10);

// A Unified CM 14 node: 15.0 is refused with 599, so every run also negotiates once.
const fake = await startFakeAxl({
  supportedVersions: ['12.0', '12.5', '14.0'],
  supportedText: '12.x and 14.0',
  s2sRows: [{ pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' }],
});
const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-axl-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, fake.caPem);
const env = { XFED_AXL_PASSWORD: FAKE_PASSWORD };
const args = [
  'bin/run.js',
  'axl-auth',
  '--host',
  '127.0.0.1',
  '--port',
  String(fake.port),
  '--user',
  FAKE_USER,
  '--ca',
  caFile,
  '--query-s2s',
  '--json',
];

try {
  const floorArgs = ['bench/floor/bin/run.js', 'hello'];
  await runNode(floorArgs);
  await runNode(args, { env });
  const floor = [];
  const walls = [];
  for (let i = 0; i < RUNS; i++) {
    floor.push((await runNode(floorArgs)).wallMs);
    const r = await runNode(args, { env });
    if (r.code !== 0) throw new Error(`axl-auth exited ${r.code}: ${r.stderr}`);
    walls.push(r.wallMs);
  }
  report({
    metric: `start-up floor: bare oclif 4 command (median of ${RUNS})`,
    value: median(floor),
    unit: 'ms',
  });
  const wall = median(walls);
  report({
    metric: `axl-auth --query-s2s --json, full run with one 599 renegotiation (median of ${RUNS})`,
    value: wall,
    unit: 'ms',
    limit: '< 2000',
    ok: wall < 2000,
  });
  const requests = fake.requests.length / (RUNS + 1);
  report({ metric: 'HTTP requests per run', value: requests, unit: 'requests' });
  const one = await runNode(args, { env, rss: true });
  report({
    metric: 'axl-auth peak RSS (one run)',
    value: one.rssMb ?? Number.NaN,
    unit: 'MB',
    limit: '< 150',
    ok: (one.rssMb ?? 0) < 150,
  });
} finally {
  await fake.close();
  rmSync(dir, { recursive: true, force: true });
}
