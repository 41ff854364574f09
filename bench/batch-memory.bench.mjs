// Memory of a batch is flat in its size (issue 13, "Scale"): `check srv --file` and
// `probe tls --file` with 1,000 and with 100,000 domains (XFED_BENCH_BATCH changes the large
// size), peak RSS of the CLI process compared; target: the large run within 20% of the 1,000 run.
// check srv asks an in-process fake resolver; probe tls resolves through it to a scripted XMPP
// peer on loopback that answers each stream with a host-unknown stream error (a full
// connect, stream, parse, judge and report per domain, without TLS handshakes, to keep the
// 100,000 run within minutes on a shared machine).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeDns } from '../test/fakes/fake-dns-server.ts';
import { serverHeader, startScriptedPeer, streamError } from '../test/fakes/xmpp-peer.ts';
import { report, runNode } from './lib/measure.mjs';

const SMALL = 1000;
const LARGE = Number(process.env.XFED_BENCH_BATCH ?? 100_000);
const LIMIT = 1.2;

const peer = await startScriptedPeer(async (c) => {
  await c.waitFor(/<stream:stream[^>]*>/);
  c.send(serverHeader('bench.test') + streamError('host-unknown', 'no such domain here'));
  c.end();
});

let dns;
dns = await startFakeDns({
  handler: (q) => {
    // The fake records every question; keep the bench process itself small.
    if (dns && dns.questions.length > 10_000) dns.questions.length = 0;
    if (q.type === 'SRV' && /^_xmpp-server\._tcp\.d\d+\.bench\.test$/.test(q.name)) {
      return {
        answers: [
          { type: 'SRV', data: { priority: 5, weight: 0, port: peer.port, target: 'xmpp.bench.test' } },
        ],
      };
    }
    if (q.name === 'xmpp.bench.test' && q.type === 'A')
      return { answers: [{ type: 'A', data: '127.0.0.1' }] };
    if (q.name === 'xmpp.bench.test') return { answers: [] };
    return { rcode: 'NXDOMAIN' };
  },
});
const resolver = `127.0.0.1:${dns.port}`;
const dir = mkdtempSync(join(tmpdir(), 'xfed-bench-scale-'));

function listFile(n) {
  const file = join(dir, `domains-${n}.txt`);
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`d${i}.bench.test`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function batch(command, n, extra) {
  const r = await runNode(
    ['bin/run.js', ...command, '--file', listFile(n), '--resolver', resolver, '--json', ...extra],
    { rss: true, timeoutMs: 1_800_000 },
  );
  if (r.lines !== n)
    throw new Error(`${command.join(' ')} printed ${r.lines} lines for ${n} domains: ${r.stderr}`);
  return r;
}

try {
  for (const [command, extra] of [
    [
      ['check', 'srv'],
      ['--concurrency', '64'],
    ],
    [
      ['probe', 'tls'],
      ['--concurrency', '32', '--timeout', '5s'],
    ],
  ]) {
    const name = command.join(' ');
    const small = await batch(command, SMALL, extra);
    const large = await batch(command, LARGE, extra);
    const ratio = large.rssMb / small.rssMb;
    report({ metric: `${name}: ${SMALL} domains, peak RSS`, value: small.rssMb, unit: 'MB' });
    report({ metric: `${name}: ${LARGE} domains, peak RSS`, value: large.rssMb, unit: 'MB' });
    report({ metric: `${name}: ${LARGE} domains, wall`, value: large.wallMs / 1000, unit: 's' });
    report({
      metric: `${name}: peak RSS ${LARGE} / ${SMALL} domains`,
      value: ratio,
      unit: 'x',
      limit: `<= ${LIMIT}`,
      ok: ratio <= LIMIT,
    });
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await dns.close();
  await peer.close();
}
