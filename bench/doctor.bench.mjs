// Benchmark for `xfed doctor` (issue 9, "Performance"): a healthy lab pair (peer prosody-ok.test,
// our ejabberd-ok.test, with ejabberd-ok.test's certificate so SASL EXTERNAL is tried), median
// wall time of the CLI next to the sum of the separate commands it replaces: check srv x2,
// probe tls --all-targets x2 (the peer with --from/--cert/--key), dialback verify both ways.
// Target: under 1.5 s and under half that sum. The lab needs root; without it a "skipped" row.
import { runInsideLab } from './lib/in-lab.mjs';
import { median, report, runNode } from './lib/measure.mjs';

const RUNS = Number(process.env.XFED_BENCH_RUNS ?? 10);

async function inner(cfg) {
  const { caFile, certFile, keyFile, peer, our } = cfg;
  const ca = ['--ca', caFile];
  const doctorArgs = [
    'bin/run.js',
    'doctor',
    peer,
    '--as',
    our,
    '--cert',
    certFile,
    '--key',
    keyFile,
    ...ca,
    '--json',
  ];
  const separate = [
    ['bin/run.js', 'check', 'srv', peer, '--json'],
    ['bin/run.js', 'check', 'srv', our, '--json'],
    [
      'bin/run.js',
      'probe',
      'tls',
      peer,
      '--all-targets',
      '--from',
      our,
      '--cert',
      certFile,
      '--key',
      keyFile,
      ...ca,
      '--json',
    ],
    ['bin/run.js', 'probe', 'tls', our, '--all-targets', '--from', peer, ...ca, '--json'],
    [
      'bin/run.js',
      'dialback',
      'verify',
      peer,
      '--as',
      our,
      '--cert',
      certFile,
      '--key',
      keyFile,
      ...ca,
      '--json',
    ],
    ['bin/run.js', 'dialback', 'verify', our, '--as', peer, ...ca, '--json'],
  ];
  await runNode(doctorArgs);
  const doctor = [];
  const sums = [];
  for (let i = 0; i < RUNS; i++) {
    const d = await runNode(doctorArgs);
    if (d.code !== 0) throw new Error(`doctor exited ${d.code}: ${d.stderr}`);
    doctor.push(d.wallMs);
    let sum = 0;
    for (const args of separate) {
      const r = await runNode(args);
      if (r.code !== 0) throw new Error(`${args.slice(1, 3).join(' ')} exited ${r.code}: ${r.stderr}`);
      sum += r.wallMs;
    }
    sums.push(sum);
  }
  const d = median(doctor);
  const s = median(sums);
  report({
    metric: `doctor ${peer} --as ${our} --cert, CLI wall (median of ${RUNS})`,
    value: d,
    unit: 'ms',
    limit: '< 1500 ms',
    ok: d < 1500,
  });
  report({
    metric: `the 6 separate commands it replaces, summed CLI wall (median of ${RUNS})`,
    value: s,
    unit: 'ms',
  });
  report({
    metric: 'doctor / sum of separate commands',
    value: d / s,
    unit: '',
    limit: '< 0.5',
    ok: d / s < 0.5,
  });
}

async function outer() {
  await runInsideLab('bench/doctor.bench.mjs', {
    scenarios: ['prosody-ok.test', 'ejabberd-ok.test'],
    runs: RUNS,
    config: (lab) => ({
      caFile: lab.caFile,
      certFile: lab.domains['ejabberd-ok.test'].cert.chainFile,
      keyFile: lab.domains['ejabberd-ok.test'].cert.keyFile,
      peer: 'prosody-ok.test',
      our: 'ejabberd-ok.test',
    }),
  });
}

if (process.argv[2] === 'inner') await inner(JSON.parse(process.argv[3]));
else await outer();
