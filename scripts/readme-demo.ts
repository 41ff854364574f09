/**
 * Regenerates the example outputs shown in README.md: starts the interop lab (root needed),
 * runs each command against a real server or the fake AXL endpoint, and prints the output
 * as Markdown. Paths to lab files are shown as short names. To refresh the README in place
 * (scripts/readme-splice.mjs replaces each console block by the fresh one of the same command):
 *   npm run build && node --import tsx scripts/readme-demo.ts | node scripts/readme-splice.mjs README.md
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FAKE_PASSWORD, FAKE_USER, startFakeAxl } from '../test/fakes/fake-axl-server.js';
import { healthyImp, startFakeControlCenter } from '../test/fakes/fake-control-center.js';
import { runCli } from '../test/helpers/cli.js';
import { startLab } from '../test/interop/lab/index.js';
import { monitoringDemo } from './readme-demo-monitoring.js';

const lab = await startLab({
  // probe tls every target: ecdsa.test's SRV target gets a second, stale A record (nothing
  // listens there), so the report names the dead address and its A record.
  extraDns: [{ type: 'A', name: 'xmpp.ecdsa.test', address: '127.0.0.97' }],
});
const fake = await startFakeAxl({
  users: { [FAKE_USER]: FAKE_PASSWORD },
  // The row from the Cisco TAC document's "run sql select * from xmpps2snodes".
  s2sRows: [{ pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' }],
});
// Two IM and Presence nodes for `cisco services`: imp1's XCP Router has run for 25 h; on imp2
// the router restarted 10 min ago but the XMPP Federation Connection Manager runs too.
const imp1 = await startFakeControlCenter();
const imp2 = await startFakeControlCenter({
  services: healthyImp(600).map((s) =>
    s.name === 'Cisco XCP XMPP Federation Connection Manager' ? { ...s, status: 'Started', upTime: 600 } : s,
  ),
});
const dir = mkdtempSync(join(tmpdir(), 'xfed-demo-'));
const axlCa = join(dir, 'cucm-ca.pem');
writeFileSync(axlCa, fake.caPem);
const prosodyLog = lab.domains['prosody-ok.test'].logFile as string;
const short = (s: string) =>
  s
    .replaceAll(prosodyLog, 'prosody.log')
    .replaceAll(lab.caFile, 'lab-ca.pem')
    .replaceAll(lab.xfedCert.chainFile, 'xfed.test.pem')
    .replaceAll(lab.xfedCert.keyFile, 'xfed.test.key')
    .replaceAll(lab.domains['prosody-ok.test'].cert!.chainFile, 'prosody-ok.test.pem')
    .replaceAll(lab.domains['prosody-ok.test'].cert!.keyFile, 'prosody-ok.test.key')
    .replaceAll(axlCa, 'cucm-ca.pem');

async function show(
  args: string[],
  opts: {
    ns?: boolean;
    env?: NodeJS.ProcessEnv;
    pretty?: boolean;
    summary?: boolean;
    verdicts?: boolean;
  } = {},
) {
  const r =
    opts.ns === false
      ? await runCli(args, { env: { ...opts.env } })
      : await lab.run(args, { env: { NO_COLOR: '1', ...opts.env }, timeoutMs: 60_000 });
  let out = r.stdout;
  if (opts.pretty) out = `${JSON.stringify(JSON.parse(out), null, 2)}\n`;
  let shown = args.join(' ');
  if (opts.verdicts) {
    // What `jq -c '.verdicts[], .checks[]'` prints for a doctor report.
    const d = JSON.parse(out) as { verdicts: unknown[]; checks: unknown[] };
    out = [...d.verdicts, ...d.checks].map((x) => `${JSON.stringify(x)}\n`).join('');
    shown += ` | jq -c '.verdicts[], .checks[]'`;
  }
  if (opts.summary) {
    // What `jq -c '{status, ids: [.findings[].id]}'` prints for each JSON line.
    out = out
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const d = JSON.parse(l) as { status: string; findings: { id: string }[] };
        return `${JSON.stringify({ status: d.status, ids: d.findings.map((f) => f.id) })}\n`;
      })
      .join('');
    shown += ` | jq -c '{status, ids: [.findings[].id]}'`;
  }
  process.stdout.write(
    `\n\`\`\`console\n$ xfed ${short(shown)}\n${short(out)}${r.stderr ? short(r.stderr) : ''}$ echo $?\n${r.code}\n\`\`\`\n`,
  );
}

try {
  const axl = [
    'axl-auth',
    '--host',
    '127.0.0.1',
    '--port',
    String(fake.port),
    '--user',
    FAKE_USER,
    '--ca',
    axlCa,
  ];
  const axlEnv = (pw: string) => ({ ns: false, env: { XFED_AXL_PASSWORD: pw, NO_COLOR: '1' } });
  const dbListen = ['--as', 'xfed.test', '--listen', '127.0.0.200:5269', '--cert', lab.xfedCert.chainFile];
  const dbTls = [...dbListen, '--key', lab.xfedCert.keyFile, '--ca', lab.caFile];
  const keyArgs = [
    'dialback',
    'key',
    '--receiving',
    'vngtp.lab',
    '--originating',
    'coluc.com',
    '--stream-id',
  ];
  const seedKey = ['05E295A2B', '--key', 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03'];
  const keyEnv = { ns: false, env: { XFED_DIALBACK_SECRET: 'not-the-cluster-secret', NO_COLOR: '1' } };
  // doctor (start here)
  const ourCert = [
    '--cert',
    lab.domains['prosody-ok.test'].cert!.chainFile,
    '--key',
    lab.domains['prosody-ok.test'].cert!.keyFile,
  ];
  await show(['doctor', 'ejabberd-ok.test', '--as', 'prosody-ok.test', ...ourCert, '--ca', lab.caFile]);
  await show(['doctor', 'prosody-ok.test', '--as', 'expired.test', '--ca', lab.caFile]);
  await show(['doctor', 'srv-dot.test', '--as', 'prosody-ok.test', '--ca', lab.caFile, '--json'], {
    verdicts: true,
  });
  // check srv
  await show(['check', 'srv', 'prosody-ok.test']);
  await show(['check', 'srv', 'srv-cname.test', 'srv-dot.test', 'no-srv.test']);
  await show(
    ['check', 'srv', 'prosody-ok.test', 'srv-cname.test', 'srv-noaddr.test', 'nonexistent.test', '--json'],
    {
      summary: true,
    },
  );
  await show(['check', 'srv', 'port-5270.test', '--json'], { pretty: true });
  // probe tls
  await show(['probe', 'tls', 'prosody-ok.test', '--ca', lab.caFile]);
  await show(['probe', 'tls', 'wrong-name.test', '--ca', lab.caFile]);
  // certificates: the chain as sent (wire order) apart from the verified path
  await show(['probe', 'tls', 'misordered-chain.test', '--ca', lab.caFile]);
  await show(['probe', 'tls', 'silent.test', '--ca', lab.caFile, '--timeout', '2000']);
  await show(['probe', 'tls', 'ecdsa.test', '--ca', lab.caFile]);
  await show(
    [
      'probe',
      'tls',
      'ejabberd-ok.test',
      'tls-optional.test',
      'expired.test',
      'srvid-only.test',
      'no-intermediate.test',
      'closed.test',
      '--ca',
      lab.caFile,
      '--json',
    ],
    { summary: true },
  );
  // axl-auth
  await show([...axl, '--query-s2s'], axlEnv('wrong-password'));
  await show([...axl, '--query-s2s'], axlEnv(FAKE_PASSWORD));
  await show([...axl, '--query-s2s', '--json'], { ...axlEnv(FAKE_PASSWORD), summary: true });
  // cisco services (the federation change was an hour ago)
  const changedAt = new Date(Date.now() - 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
  const cisco = ['cisco', 'services', '--user', FAKE_USER, '--ca', axlCa, '--via', 'expressway'];
  await show(
    [...cisco, '--host', `127.0.0.1:${imp1.port}`, '--changed-at', changedAt],
    axlEnv(FAKE_PASSWORD),
  );
  await show(
    [
      ...cisco,
      '--host',
      `127.0.0.1:${imp1.port}`,
      '--host',
      `localhost:${imp2.port}`,
      '--changed-at',
      changedAt,
      '--json',
    ],
    { ...axlEnv(FAKE_PASSWORD), summary: true },
  );
  // dialback
  await show(['dialback', 'prosody-ok.test', ...dbTls]);
  await show(['dialback', 'ejabberd-ok.test', ...dbTls, '--json'], { summary: true });
  // jabberd2: two s2s nodes with different dialback secrets; the TLS policy its features hide
  await show(['dialback', 'jabberd2-split.test', ...dbTls, '--json'], { summary: true });
  await show(['dialback', 'verify', 'jabberd2-tls.test', '--as', 'xfed.test', '--ca', lab.caFile, '--json'], {
    summary: true,
  });
  await show(['dialback', 'verify', 'ejabberd-ok.test', '--as', 'xfed.test', '--ca', lab.caFile]);
  await show(['dialback', 'verify', 'secure-auth.test', '--as', 'xfed.test', '--ca', lab.caFile, '--json'], {
    summary: true,
  });
  await show([...keyArgs, ...seedKey], keyEnv);
  await show([...keyArgs, ...seedKey, '--json'], { ...keyEnv, summary: true });
  // logs: the TAC 213865 lines (fixtures), then the log Prosody wrote while it failed a callback
  await show(['logs', 'test/fixtures/logs/seed/', '--timeline'], { ns: false, env: { NO_COLOR: '1' } });
  await lab.run([
    'dialback',
    'prosody-ok.test',
    '--as',
    'nonexistent.test',
    '--listen',
    '127.0.0.201:5269',
    ...dbTls.slice(4),
    '--timeout',
    '3s',
  ]);
  await lab.run([
    'dialback',
    'prosody-ok.test',
    '--as',
    'closed.test',
    '--listen',
    '127.0.0.201:5269',
    ...dbTls.slice(4),
    '--timeout',
    '3s',
  ]);
  await show(['logs', prosodyLog, '--since', '10m'], { ns: false, env: { NO_COLOR: '1' } });
  await show(['logs', prosodyLog, '--domain', 'closed.test', '--timeline', '--json'], {
    ns: false,
    env: { NO_COLOR: '1' },
    summary: true,
  });
  // explain
  await show(['explain', 'cert.name.matches-srv-target-only'], { ns: false, env: { NO_COLOR: '1' } });
  // monitoring: --format nagios, github, markdown; xfed serve
  await monitoringDemo(lab, show, short);
} finally {
  await fake.close();
  await imp1.close();
  await imp2.close();
  await lab.stop();
}
