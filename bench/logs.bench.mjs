// Benchmark for `xfed logs` (issue 10): a generated 1 GB Expressway-style log (tvcs network and
// developer lines, XCP_CM2 lines, an alarm line every so often) with a few hundred relevant
// lines (AXL 401 answers, a dialback trail with an invalid verify, 7400 refused), written at
// bench time to the temp dir and removed afterwards. Target: under 10 s and under 200 MB peak RSS.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { report, runNode } from './lib/measure.mjs';

const SIZE = Number(process.env.XFED_BENCH_LOG_BYTES ?? 1024 ** 3);
const RELEVANT_EVERY = 15_000; // lines; about 330 relevant records in 1 GiB

const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-logs-'));
const file = join(dir, 'loggingsnapshot.txt');

function ts(i) {
  const d = new Date(Date.UTC(2024, 4, 2, 0, 0, 0) + i * 7);
  return [
    d.toISOString().replace('Z', '+00:00'),
    d.toISOString().replace('T', ' ').replace('Z', '').replace('.', ','),
  ];
}

const noise = [
  (iso, utc) =>
    `${iso} expc01 tvcs: UTCTime="${utc}" Module="network.h323" Level="INFO":  Action="Sent" Dst-ip="10.15.13.16" Dst-port="1719" Detail="Sending RAS SCI  SeqNum=52319 Retransmit=True"`,
  (iso, utc) =>
    `${iso} expc01 tvcs: UTCTime="${utc}" Module="network.dns" Level="DEBUG":  Detail="Sending DNS query" Name="_sip._tcp.starlabs.com" Type="SRV (IPv4 and IPv6)"`,
  (iso, utc) =>
    `${iso} expc01 tvcs: UTCTime="${utc}" Module="developer.fsm.sip" Level="TRACE" CodeLocation="allshare/fsm/fsmfsm.cpp(1234)" Method="::sys_testAndExecTask" Thread="0x7f":  Detail="task executed" Task="12"`,
  (iso, utc) =>
    `${iso} expc01 UTCTime="${utc}" Module="developer.clusterdb.cdb" Level="INFO" Node="clusterdb@expc01.example" PID="<0.159.0>" Detail="Processed event" Node="clusterdb@expc02.example"`,
  (iso) =>
    `${iso} expe01 XCP_CM2[12122]: Level="DEBUG" CodeLocation="stanza.router" Detail="routing presence for user${Math.floor(Math.random() * 1000)}@example.com"`,
];

function relevant(iso, utc, n) {
  const x = (n * 7919).toString(16).toUpperCase().padStart(9, '0').slice(-9);
  switch (n % 4) {
    case 0:
      return `${iso} expc01 tvcs: UTCTime="${utc}" Module="network.axl" Level="ERROR" Action="Received" URL="https://imp.example.com:8443/axl/" Function="executeSQLQuery" Status="401" Reason="None"`;
    case 1:
      return `${iso} expe01 XCP_CM2[22992]: Level="INFO " CodeLocation="stanza.component.in" Detail="xcoder=${x} received:: <db:result from='partner${n}.example' to='example.com'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:result>"`;
    case 2:
      return `${iso} expe01 XCP_CM2[22992]: Level="INFO " CodeLocation="DBVerify.cpp:282" Detail="(e5b18d01-fe24-4290-bba1-a57788a${String(n).padStart(5, '0')}, example.com:partner${n - 1}.example,IN) DBVerify Packet Received <db:verify from='partner${n - 1}.example' id='${(((n - 1) * 7919).toString(16).toUpperCase().padStart(9, '0')).slice(-9)}' to='example.com' type='invalid'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:verify>"`;
    default:
      return `xwayc XCP_JABBERD[23843]: UTCTime="${utc}" ThreadID="1397" Module="Jabber" Level="ERROR" CodeLocation="mio.c:1121" Detail=" Unable to connect to host '10.48.36.171', port 7400 :(111) Connection refused"`;
  }
}

async function generate() {
  const out = createWriteStream(file, { highWaterMark: 4 * 1024 * 1024 });
  let written = 0;
  let i = 0;
  let rel = 0;
  while (written < SIZE) {
    const parts = [];
    for (let k = 0; k < 2000; k++, i++) {
      const [iso, utc] = ts(i);
      const line =
        i % RELEVANT_EVERY === RELEVANT_EVERY - 1
          ? relevant(iso, utc, rel++)
          : noise[i % noise.length](iso, utc);
      parts.push(line);
    }
    const chunk = `${parts.join('\n')}\n`;
    written += Buffer.byteLength(chunk);
    if (!out.write(chunk)) await new Promise((r) => out.once('drain', r));
  }
  await new Promise((r) => out.end(r));
  return { lines: i, relevant: rel };
}

try {
  const t0 = performance.now();
  const g = await generate();
  process.stderr.write(
    `bench logs: generated ${(statSync(file).size / 1024 ** 3).toFixed(2)} GiB, ${g.lines} lines, ${g.relevant} relevant, in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  const cpuFile = join(dir, 'cpu');
  const r = await runNode(['bin/run.js', 'logs', file, '--json'], {
    rss: true,
    timeoutMs: 600_000,
    env: { XFED_BENCH_CPU_FILE: cpuFile },
  });
  const cpuS = Number(readFileSync(cpuFile, 'utf8')) / 1000;
  if (r.code !== 1) throw new Error(`xfed logs exited ${r.code} (expected 1: findings): ${r.stderr}`);
  report({
    metric: `logs: ${(statSync(file).size / 1024 ** 3).toFixed(2)} GiB Expressway-style log, ${g.relevant} relevant lines`,
    value: r.wallMs / 1000,
    unit: 's',
    limit: '< 10',
    ok: r.wallMs < 10_000,
  });
  report({ metric: 'logs: CPU time (user + system)', value: cpuS, unit: 's', limit: '< 10', ok: cpuS < 10 });
  report({ metric: 'logs: peak RSS', value: r.rssMb, unit: 'MB', limit: '< 200', ok: r.rssMb < 200 });
  report({
    metric: 'logs: throughput',
    value: statSync(file).size / 1024 ** 2 / (r.wallMs / 1000),
    unit: 'MiB/s',
  });
} finally {
  rmSync(dir, { recursive: true, force: true });
}
