/**
 * xfed logs on fixtures: the TAC 213865 lines verbatim (test/fixtures/logs/seed), the line
 * families of the reference notes (test/fixtures/logs/reference), variants of them for the
 * conditions the seed only describes, and malformed input. Real server logs are in
 * test/interop/logs.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { LogFacts } from '../../../src/facts/logs.js';
import { gatherLogs, type LogsOptions } from '../../../src/gather/logs.js';
import { judge } from '../../../src/judge/judge.js';
import { logsRules } from '../../../src/judge/rules/logs.js';
import type { Finding } from '../../../src/report/model.js';
import { jsonLines, runCli } from '../../helpers/cli.js';
import { assertValidReport } from '../../helpers/schema.js';

const FIX = new URL('../../fixtures/logs/', import.meta.url).pathname;
const SEED = join(FIX, 'seed');
const REF = join(FIX, 'reference');

async function analyse(
  paths: string[],
  o: Partial<LogsOptions> = {},
): Promise<{ facts: LogFacts; findings: Finding[] }> {
  const facts = await gatherLogs({ paths, secrets: [], ...o });
  return { facts, findings: judge(facts, logsRules) };
}
const ids = (fs: Finding[]) => fs.map((f) => f.id);

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'xfed-logs-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, text: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

describe('xfed logs: TAC 213865 lines (verbatim)', () => {
  it('rebuilds the dialback trail of the three servers as one session, in the procedure order', async () => {
    const { facts, findings } = await analyse([join(SEED, 'xcp-dialback.log')]);
    assert.equal(facts.totals.unmatched, 0);
    assert.equal(facts.sessions.length, 1);
    const s = facts.sessions[0]!;
    assert.equal(s.from, 'coluc.com');
    assert.equal(s.to, 'vngtp.lab');
    assert.deepEqual(
      [...new Set(s.steps.map((x) => x.step))],
      [
        'result-sent',
        'timeout-scheduled',
        'result-received',
        'callback-resolve',
        'verify-sent',
        'verify-received',
        'verify-answer',
        'connected',
      ],
    );
    assert.equal(s.steps.find((x) => x.step === 'verify-answer')?.detail, 'type=valid, id 05E295A2B');
    assert.equal(s.steps.find((x) => x.step === 'callback-resolve')?.detail, '_xmpp-server._tcp.coluc.com');
    assert.deepEqual(ids(findings), ['logs.dialback.valid']);
  });

  it('Symptom 1: executeSQLQuery Status="401" names the IM and Presence server and xfed axl-auth', async () => {
    const { findings } = await analyse([join(SEED, 'axl.log')]);
    assert.deepEqual(ids(findings), ['logs.axl.unauthorized']);
    const f = findings[0]!;
    assert.equal(f.evidence.host, 'cups.ciscotac.net');
    assert.equal(f.evidence.line, 2);
    assert.match(f.evidence.quote as string, /Status="401" Reason="None"/);
    assert.match(f.fix, /IM and Presence Service nodes/);
    assert.match(f.fix, /xfed axl-auth --host cups\.ciscotac\.net/);
  });

  it('federation switched on, alone: info; followed by failures: XCP Router restart (Symptom 2)', async () => {
    const alone = await analyse([join(SEED, 'federation-enabled.log')]);
    assert.deepEqual(ids(alone.findings), ['logs.federation.toggled']);
    assert.equal(alone.findings[0]?.evidence.change, 'on (0->1)');
    const then = await analyse([join(SEED, 'federation-enabled.log'), join(REF, 'xcp-jabberd-7400.log')]);
    assert.deepEqual(ids(then.findings), ['logs.federation.restart-needed', 'logs.xcp.internal-refused']);
    assert.match(then.findings[0]!.fix, /xfed cisco services/);
    assert.match(then.findings[0]!.fix, /Cisco XCP Router/);
  });
});

describe('xfed logs: reference line families', () => {
  it('7400 refused between Expressway-C and E (XCP_JABBERD, stray space after =)', async () => {
    const { findings } = await analyse([join(REF, 'xcp-jabberd-7400.log')]);
    assert.deepEqual(ids(findings), ['logs.xcp.internal-refused']);
    assert.equal(findings[0]!.evidence.host, '10.48.36.171');
    assert.equal(findings[0]!.evidence.port, 7400);
    assert.equal(findings[0]!.evidence.time, '2014-03-25T17:19:45.847Z');
  });

  it('a failed XCP component without the refused line', async () => {
    const only = readFileSync(join(REF, 'xcp-jabberd-7400.log'), 'utf8').split('\n')[2]!;
    const { findings } = await analyse([file('component.log', `${only}\n`)]);
    assert.deepEqual(ids(findings), ['logs.xcp.component-failed']);
    assert.equal(findings[0]!.evidence.component, 'jabberd-port-1.expresswayc-vngtp-lab');
  });

  it('tvcs, clusterdb (no process tag, repeated key), replication, alarm (UTCTime last), TLS negotiation error with the certificate identity', async () => {
    const { facts, findings } = await analyse([join(REF, 'tvcs-mixed.log')]);
    assert.equal(facts.totals.recognised, 6);
    assert.equal(facts.totals.unmatched, 1);
    assert.deepEqual(ids(findings), ['logs.tls.negotiation-failed']);
    assert.equal(findings[0]!.evidence.identity, 'chat.partner.example');
    assert.equal(findings[0]!.evidence.peer, '192.0.2.44:5269');
    assert.match(findings[0]!.title, /certificate chat\.partner\.example/);
  });
});

describe('xfed logs: conditions the seed describes (its lines, changed)', () => {
  const seedDialback = () => readFileSync(join(SEED, 'xcp-dialback.log'), 'utf8');

  it("db:verify answered type='invalid': the fix fills in xfed dialback key from the logged key, stream id and domains", async () => {
    const { findings } = await analyse([
      file('invalid.log', seedDialback().replace("type='valid'", "type='invalid'")),
    ]);
    assert.deepEqual(ids(findings), ['logs.dialback.verify-invalid']);
    const f = findings[0]!;
    assert.equal(f.evidence.from, 'coluc.com');
    assert.equal(f.evidence.to, 'vngtp.lab');
    assert.match(
      f.fix,
      /xfed dialback key --receiving vngtp\.lab --originating coluc\.com --stream-id 05E295A2B --key d780f198ac34a6dbd795fcdaf8762eaf52ea9b03/,
    );
  });

  it("db:verify answered type='error'", async () => {
    const { findings } = await analyse([
      file('error.log', seedDialback().replace("type='valid'", "type='error'")),
    ]);
    assert.deepEqual(ids(findings), ['logs.dialback.verify-error']);
  });

  it('AXL 403 and 500 answers', async () => {
    const axl = readFileSync(join(SEED, 'axl.log'), 'utf8');
    const r403 = await analyse([
      file('403.log', axl.replace('"401" Reason="None"', '"403" Reason="Forbidden"')),
    ]);
    assert.deepEqual(ids(r403.findings), ['logs.axl.forbidden']);
    const r500 = await analyse([
      file('500.log', axl.replace('"401" Reason="None"', '"500" Reason="Internal Server Error"')),
    ]);
    assert.deepEqual(ids(r500.findings), ['logs.axl.failed']);
    assert.equal(r500.findings[0]!.evidence.status, '500');
  });

  it('no callback within the 30 s dialback timeout (only when the log goes on past the deadline)', async () => {
    const t = (s: string) => `2024-05-02T10:00:${s}+00:00 expe XCP_CM2[12122]:`;
    const sent = `${t('00.000')} Level="INFO " CodeLocation="stanza.component.out" Detail="xcoder=34A9B60C8 sending:: <db:result from='coluc.com' to='vngtp.lab'>d780f198ac34a6dbd795fcdaf8762eaf52ea9b03</db:result>"`;
    const sched = `${t('00.001')} Level="DEBUG" CodeLocation="stream.out" Detail="(00000000-0000-0000-0000-000000000000, coluc.com:vngtp.lab , OUT)xcoder=34A9B60C8 Scheduling dialback timeout in 30 secs."`;
    const later = `2024-05-02T10:00:45.000+00:00 expe XCP_CM2[12122]: Level="INFO " CodeLocation="stanza.component.out" Detail="xcoder=AAAAAAAAA sending:: <db:result from='coluc.com' to='other.lab'>00112233445566778899aabbccddeeff00112233</db:result>"`;
    const short = await analyse([file('short.log', `${sent}\n${sched}\n`)]);
    assert.deepEqual(ids(short.findings), []);
    const { findings } = await analyse([file('timeout.log', `${sent}\n${sched}\n${later}\n`)]);
    assert.deepEqual(ids(findings), ['logs.dialback.callback-timeout']);
    assert.equal(findings[0]!.evidence.seconds, 30);
    assert.equal(findings[0]!.evidence.from, 'coluc.com');
    assert.equal(findings[0]!.evidence.to, 'vngtp.lab');
  });

  it('the callback SRV lookup failed (names the domain and the SRV query)', async () => {
    const line = `2024-05-02T10:00:00+00:00 expe XCP_CM2[22992]: Level="ERROR" CodeLocation="Resolver.cpp:141" Detail="Resolver query for 'coluc.com:puny=coluc.com:service=_xmpp-server._tcp:defport=0' failed: NXDOMAIN"`;
    const { findings } = await analyse([file('resolve.log', `${line}\n`)]);
    assert.deepEqual(ids(findings), ['logs.dialback.resolve-failed']);
    assert.equal(findings[0]!.evidence.query, '_xmpp-server._tcp.coluc.com');
  });
});

describe('xfed logs: Prosody and ejabberd strings not provoked in the lab', () => {
  const p = (msg: string, src = 's2sin55d0c0ffee00', level = 'warn') =>
    `Nov 30 18:47:34 ${src}\t${level}\t${msg}`;
  it('name mismatch, validation failure, encryption required, receiver timeout, info-level bounce', async () => {
    const { findings } = await analyse([
      file(
        'prosody.log',
        [
          p(
            'Forbidding insecure connection to/from a.example because its certificate is not valid for this name',
          ),
          p(
            'Forbidding insecure connection to/from b.example because its certificate could not be validated',
            's2sin55d0c0ffee01',
          ),
          p(
            'Encrypted server-to-server communication is required but was not offered by c.example',
            's2sout55d0c0ffee02',
          ),
          p(
            "Disconnecting d.example->here.example[s2sin_unauthed], <stream:error> is: <stream:error><connection-timeout xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>",
            's2sin55d0c0ffee03',
            'debug',
          ),
          p(
            'Sending error replies for 2 queued stanzas because of failed outgoing connection to e.example',
            's2sout55d0c0ffee04',
            'info',
          ),
        ].join('\n'),
      ),
    ]);
    assert.deepEqual(ids(findings), [
      'logs.dialback.receiver-timeout',
      'logs.s2s.cert-name-mismatch',
      'logs.s2s.cert-rejected',
      'logs.s2s.encryption-required',
      'logs.s2s.connect-failed',
    ]);
  });

  it('ejabberd: connection timeout', async () => {
    const line =
      '2026-11-30 18:47:56.085975+00:00 [warning] <0.465.0>@ejabberd_s2s_out:process_closed/2:157 Failed to establish outbound s2s connection here.example -> slow.example: Connection failed: timeout; bouncing for 251 seconds';
    const { findings } = await analyse([file('ejabberd.log', `${line}\n`)]);
    assert.deepEqual(ids(findings), ['logs.s2s.connect-timeout']);
    assert.equal(findings[0]!.evidence.domain, 'slow.example');
  });
});

describe('xfed logs: ejabberd certificate and TLS lines (shapes of the lab\u2019s real log)', () => {
  // The same lines, written by ejabberd 23.01, are asserted in test/interop/logs.test.ts; these
  // run without root and pin what each part of a line is taken for.
  const e = (level: string, pid: string, where: string, msg: string) =>
    `2026-11-30 22:13:00.525869+00:00 [${level}] <0.${pid}.0>@${where} ${msg}`;
  const out = (peer: string, why: string) =>
    e(
      'warning',
      '463',
      'ejabberd_s2s_out:process_closed/2:157',
      `Failed to establish outbound s2s connection here.example -> ${peer}: ${why}; bouncing for 85 seconds`,
    );

  it('a rejected certificate on ejabberd\u2019s own connection, and the callback that failed on it', async () => {
    const { findings } = await analyse([
      file(
        'ejabberd.log',
        [
          // debug: the error text sent back quotes the reason; it is no finding of its own
          e(
            'notice',
            '462',
            '',
            `(tls|<0.462.0>) Send XML on stream = <<"<db:result type='error' to='private.example' from='here.example'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text xml:lang='en' xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Peer certificate rejected: unable to get local issuer certificate</text></error></db:result>">>`,
          ).replace('@ ', ' '),
          out('private.example', 'Peer certificate rejected: unable to get local issuer certificate'),
          e(
            'warning',
            '462',
            'ejabberd_s2s_in:handle_auth_failure/4:200',
            '(tls|<0.462.0>) Failed inbound s2s dialback authentication private.example -> here.example (192.0.2.7): Verification failed: Peer certificate rejected: unable to get local issuer certificate (remote-server-not-found)',
          ),
          out('old.example', 'Peer certificate rejected: certificate has expired'),
          out('alias.example', 'Peer certificate rejected: Certificate host name mismatch'),
        ].join('\n'),
      ),
    ]);
    assert.deepEqual(ids(findings), [
      'logs.s2s.cert-untrusted',
      'logs.s2s.cert-expired',
      'logs.s2s.cert-name-mismatch',
    ]);
    const untrusted = findings.find((f) => f.id === 'logs.s2s.cert-untrusted')!;
    assert.equal(untrusted.evidence.peer, 'private.example');
    assert.equal(untrusted.evidence.count, 2);
    assert.equal(untrusted.evidence.server, 'ejabberd');
  });

  it('a handshake the peer aborted (it does not trust our certificate) is a TLS failure, not the peer\u2019s certificate', async () => {
    const why = 'TLS failed: SSL_do_handshake failed: error:0A000418:SSL routines::tlsv1 alert unknown ca';
    const { findings } = await analyse([
      file(
        'ejabberd.log',
        [
          e(
            'info',
            '474',
            'ejabberd_s2s_in:process_closed/2:132',
            `Closing inbound s2s connection 192.0.2.7 -> here.example: ${why}`,
          ),
          e(
            'warning',
            '474',
            'ejabberd_s2s_in:terminate/2:288',
            `(tls|<0.474.0>) Failed to secure inbound s2s connection: ${why}`,
          ),
          out('strict.example', why),
        ].join('\n'),
      ),
    ]);
    assert.deepEqual(ids(findings), ['logs.tls.negotiation-failed', 'logs.tls.negotiation-failed']);
    // one failure logged on two lines of one session counts once
    assert.equal(findings[0]!.evidence.peer, '192.0.2.7');
    assert.equal(findings[0]!.evidence.count, 1);
    assert.equal(findings[1]!.evidence.peer, 'strict.example');
    assert.match(findings[0]!.title, /no certificate identity logged/);
  });
});

describe('xfed logs: inputs', () => {
  it('reads a .tar.gz bundle, a zip, a .gz member inside the tar, and stdin, naming members in the evidence', async () => {
    const bundle = join(dir, 'bundle');
    mkdirSync(join(bundle, 'xcp'), { recursive: true });
    writeFileSync(join(bundle, 'xcp', 'jabberd.log'), readFileSync(join(REF, 'xcp-jabberd-7400.log')));
    writeFileSync(join(bundle, 'network.log.gz'), gzipSync(readFileSync(join(SEED, 'axl.log'))));
    execFileSync('tar', ['-czf', join(dir, 'diag.tgz'), '-C', bundle, '.']);
    const t = await analyse([join(dir, 'diag.tgz')]);
    assert.deepEqual(ids(t.findings), ['logs.axl.unauthorized', 'logs.xcp.internal-refused']);
    assert.match(t.findings[0]!.evidence.file as string, /diag\.tgz:\.\/network\.log\.gz$/);
    execFileSync('python3', [
      '-c',
      `import shutil; shutil.make_archive(${JSON.stringify(join(dir, 'diag'))}, 'zip', ${JSON.stringify(bundle)})`,
    ]);
    const z = await analyse([join(dir, 'diag.zip')]);
    assert.deepEqual(ids(z.findings), ['logs.axl.unauthorized', 'logs.xcp.internal-refused']);
    const { Readable } = await import('node:stream');
    const s = await analyse(['-'], { stdin: Readable.from([readFileSync(join(dir, 'diag.tgz'))]) });
    assert.deepEqual(ids(s.findings), ['logs.axl.unauthorized', 'logs.xcp.internal-refused']);
  });

  it('a truncated archive: a finding, and the lines before the damage still count', async () => {
    const whole = readFileSync(join(dir, 'diag.tgz'));
    const { findings } = await analyse([file('cut.tgz', whole.subarray(0, Math.floor(whole.length * 0.6)))]);
    assert.ok(ids(findings).includes('logs.input.truncated'), ids(findings).join());
  });

  it('binary, invalid UTF-8, a 10 MB line, nothing recognised, a FIFO, a missing path, nesting too deep', async () => {
    const bin = file('core.bin', Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3]));
    const bad = file(
      'latin1.log',
      Buffer.concat([
        Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x0a]),
        readFileSync(join(REF, 'xcp-jabberd-7400.log')),
      ]),
    );
    const long = file(
      'long.log',
      `${'x'.repeat(10 * 1024 * 1024)}\n${readFileSync(join(SEED, 'axl.log'), 'utf8')}`,
    );
    const b = await analyse([bin]);
    assert.deepEqual(ids(b.findings), ['logs.input.binary']);
    const u = await analyse([bad]);
    assert.ok(u.facts.sources[0]?.invalidUtf8);
    assert.deepEqual(ids(u.findings), ['logs.xcp.internal-refused']);
    const l = await analyse([long]);
    assert.deepEqual(ids(l.findings), ['logs.axl.unauthorized', 'logs.input.long-line']);
    assert.equal(l.findings[0]!.evidence.line, 3);
    const n = await analyse([file('access.log', '127.0.0.1 - - GET / 200\nhello\n')]);
    assert.deepEqual(ids(n.findings), ['logs.input.nothing-recognised']);
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const ff = await analyse([fifo]);
    assert.deepEqual(ids(ff.findings), ['logs.input.not-a-file']);
    const missing = await analyse([join(dir, 'missing.log')]);
    assert.deepEqual(ids(missing.findings), ['logs.input.unreadable']);
    let deep: Buffer = readFileSync(join(SEED, 'axl.log'));
    for (let i = 0; i < 6; i++) deep = gzipSync(deep);
    const d = await analyse([file('deep.gz', deep)]);
    assert.deepEqual(ids(d.findings), ['logs.input.limit']);
  });

  it('redacts Authorization headers, passwords and configured secrets from quotes', async () => {
    const line = `2024-05-02T10:00:00+00:00 expc tvcs: UTCTime="2024-05-02 10:00:00,000" Module="network.axl" Level="INFO" Function="executeSQLQuery" Status="401" Reason="None" Authorization="Basic ZXhwOmh1bnRlcjI=" password="hunter2" Detail="s3cr3t-dialback in text"`;
    const { findings, facts } = await analyse([file('secret.log', `${line}\n`)], {
      secrets: ['s3cr3t-dialback'],
    });
    const all = JSON.stringify({ findings, facts });
    assert.ok(!all.includes('ZXhwOmh1bnRlcjI'), all);
    assert.ok(!all.includes('hunter2'));
    assert.ok(!all.includes('s3cr3t-dialback'));
    assert.match(findings[0]!.evidence.quote as string, /Authorization="Basic \[redacted\]"/);
  });

  it('--since/--until and --domain keep only matching events', async () => {
    const lab = readFileSync(join(REF, 'xcp-jabberd-7400.log'), 'utf8');
    const early = await analyse([file('w.log', lab)], { since: new Date('2015-01-01T00:00:00Z') });
    assert.deepEqual(ids(early.findings), []);
    assert.ok(early.facts.window.outside > 0);
    const other = await analyse([join(SEED, 'xcp-dialback.log')], { domain: 'example.net' });
    assert.equal(other.facts.sessions.length, 0);
    const same = await analyse([join(SEED, 'xcp-dialback.log')], { domain: 'coluc.com' });
    assert.equal(same.facts.sessions.length, 1);
  });
});

describe('xfed logs: the command', () => {
  it('JSON report per the schema, --timeline text escapes control characters, explain knows the ids', async () => {
    const r = await runCli(['logs', join(SEED, 'xcp-dialback.log'), join(SEED, 'axl.log'), '--json']);
    assert.equal(r.code, 1, r.stderr);
    const [doc] = jsonLines(r.stdout);
    assertValidReport(doc);
    const evil = file(
      'evil.log',
      'XCP_CM2[1]: \x1b[31m Level="INFO " CodeLocation="stanza.component.out" Detail="xcoder=ABCDEF012 sending:: <db:result from=\'a.example\' to=\'b.example\'>deadbeefdeadbeef</db:result>"\n',
    );
    const t = await runCli(['logs', evil, '--timeline']);
    assert.equal(t.code, 0, t.stderr);
    assert.ok(!t.stdout.includes('\x1b'), t.stdout);
    assert.match(t.stdout, /\\x1b\[31m/);
    assert.match(t.stdout, /1 db:result sent/);
    const e = await runCli(['explain', 'logs.dialback.verify-invalid']);
    assert.equal(e.code, 0);
    assert.match(e.stdout, /xfed dialback key/);
  });

  it('usage errors: no path, a missing path, a bad --since', async () => {
    for (const args of [
      ['logs'],
      ['logs', join(dir, 'nope.log')],
      ['logs', join(SEED, 'axl.log'), '--since', 'yesterday-ish'],
    ]) {
      const r = await runCli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '');
    }
  });
});
