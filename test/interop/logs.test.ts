/**
 * xfed logs on logs real servers wrote: the interop lab's Prosody 0.12 and ejabberd 23.01 (debug
 * level, their own log files) are made to fail by real s2s traffic from `xfed dialback`, then
 * `xfed logs` reads what they logged:
 * - secure-auth.test (s2s_secure_auth = true) gets an expired certificate, one from an issuer it
 *   does not trust, and no certificate at all;
 * - prosody-ok.test and ejabberd-ok.test must call back a domain that does not resolve, one whose
 *   server refuses the connection, and a node that answers with another secret (a wrong key);
 *   Prosody also calls back expired.test, whose certificate it tolerates (dialback);
 * - ejabberd-verify.test (ejabberd verifying the servers it connects to) is offered SASL EXTERNAL
 *   with an expired certificate, a not yet valid one, one for another name, a self-signed one and
 *   one from an issuer it does not trust, and a client that does not trust ejabberd aborts the
 *   handshake (inbound); then it must call back expired.test, not-yet-valid.test,
 *   wrong-name.test, self-signed.test and an xfed listener with the untrusted certificate
 *   (outbound);
 * - a .tar.gz bundle built here from those logs gives the same findings.
 * Needs root; skips on a laptop, fails under CI=true.
 */
import assert from 'node:assert/strict';
import {
  copyFileSync,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, describe, it } from 'node:test';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import type { LogFacts } from '../../src/facts/logs.js';
import type { Report } from '../../src/report/model.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import { issueCert, writePki } from '../helpers/test-ca.js';
import { type Lab, labSuiteOptions, NXDOMAIN_NAME, startLab } from './lab/index.js';

const XFED_LISTEN = '127.0.0.200:5269';
const SERVERS = ['prosody-ok.test', 'ejabberd-ok.test', 'secure-auth.test'] as const;

async function xfedLogs(args: string[]): Promise<Report> {
  const r = await runCli(['logs', ...args, '--json'], { timeoutMs: 60_000 });
  const docs = jsonLines(r.stdout);
  assert.equal(docs.length, 1, r.stderr + r.stdout);
  assertValidReport(docs[0]);
  return docs[0] as Report;
}

const logsIds = (r: Report) => [...new Set(idsOf(r))].sort();

/**
 * The peers whose certificates ejabberd-verify.test meets in both directions, the reason
 * ejabberd logs for each, and the finding xfed must give.
 */
const EJABBERD_CERT_CASES = [
  ['expired.test', 'certificate has expired', 'logs.s2s.cert-expired'],
  ['not-yet-valid.test', 'certificate is not yet valid', 'logs.s2s.cert-rejected'],
  ['wrong-name.test', 'Certificate host name mismatch', 'logs.s2s.cert-name-mismatch'],
  ['self-signed.test', 'self signed certificate', 'logs.s2s.cert-untrusted'],
  ['xfed.test', 'unable to get local issuer certificate', 'logs.s2s.cert-untrusted'],
] as const;

describe('xfed logs on logs written by real Prosody and ejabberd', labSuiteOptions(), () => {
  let lab: Lab;
  let dir: string;
  const logs: Record<string, string> = {};

  before(
    async () => {
      lab = await startLab({
        scenarios: [
          'prosody-ok.test',
          'ejabberd-ok.test',
          'secure-auth.test',
          'expired.test',
          'closed.test',
          'silent.test',
          'ejabberd-verify.test',
          'not-yet-valid.test',
          'wrong-name.test',
          'self-signed.test',
        ],
      });
      dir = mkdtempSync(join(tmpdir(), 'xfed-logs-interop-'));
      // A certificate for xfed.test from an issuer the lab servers do not trust (the unit-test PKI).
      const foreign = writePki(
        dir,
        issueCert({ cn: 'xfed.test', dns: ['xfed.test'], key: 'ec256', keySlot: 'foreign-xfed' }),
        'foreign',
      );
      const ours = ['--cert', lab.xfedCert.chainFile, '--key', lab.xfedCert.keyFile, '--ca', lab.caFile];
      const expired = lab.domains['expired.test'].cert;
      assert.ok(expired);
      const dialback = (peer: string, args: string[]) =>
        lab.run(['dialback', peer, ...args, '--timeout', '3s', '--json'], { timeoutMs: 60_000 });
      // SASL EXTERNAL to ejabberd-verify.test as `from`, presenting `cert` (XEP-0178).
      const external = (from: string, cert: { chainFile: string; keyFile: string }) =>
        lab.run(
          [
            'probe',
            'tls',
            'ejabberd-verify.test',
            '--from',
            from,
            '--cert',
            cert.chainFile,
            '--key',
            cert.keyFile,
            '--ca',
            lab.caFile,
            '--timeout',
            '3000',
            '--json',
          ],
          { timeoutMs: 60_000 },
        );
      const verifying = lab.domains['ejabberd-verify.test'];
      const wrongName = lab.domains['wrong-name.test'].cert;
      const selfSigned = lab.domains['self-signed.test'].cert;
      const notYetValid = lab.domains['not-yet-valid.test'].cert;
      assert.ok(wrongName && selfSigned && notYetValid);

      // Runs whose callback never reaches xfed run side by side, each with a listener on its own
      // address that no DNS record names (the suite must fit the per-test deadline on a busy machine).
      let nextListen = 202;
      const spare = () => `127.0.0.${nextListen++}:5269`;
      await Promise.all([
        // secure-auth.test: certificate authentication only
        dialback('secure-auth.test', [
          '--as',
          'expired.test',
          '--listen',
          spare(),
          '--cert',
          expired.chainFile,
          '--key',
          expired.keyFile,
          '--ca',
          lab.caFile,
        ]),
        dialback('secure-auth.test', [
          '--as',
          'xfed.test',
          '--listen',
          spare(),
          '--cert',
          foreign.chainFile,
          '--key',
          foreign.keyFile,
          '--ca',
          lab.caFile,
        ]),
        dialback('secure-auth.test', ['--as', 'xfed.test', '--listen', spare(), '--ca', lab.caFile]),
        ...['prosody-ok.test', 'ejabberd-ok.test'].flatMap((peer) => [
          dialback(peer, ['--as', NXDOMAIN_NAME, '--listen', spare(), ...ours]), // unresolvable domain
          dialback(peer, ['--as', 'closed.test', '--listen', spare(), ...ours]), // refused connection
        ]),
        dialback('prosody-ok.test', ['--as', 'expired.test', '--listen', spare(), ...ours]), // expired cert on the callback
        // ejabberd-verify.test, inbound: SASL EXTERNAL with bad certificates
        external('expired.test', expired),
        external('not-yet-valid.test', notYetValid),
        external('wrong-name.test', wrongName),
        external('self-signed.test', selfSigned),
        external('xfed.test', foreign),
        // a client that does not trust ejabberd's certificate aborts the handshake
        lab.exec(
          [
            'openssl',
            's_client',
            '-starttls',
            'xmpp-server',
            '-xmpphost',
            verifying.domain,
            '-connect',
            `${verifying.address}:${verifying.port}`,
            '-CAfile',
            foreign.caFile,
            '-verify_return_error',
          ],
          { timeoutMs: 10_000, input: '' },
        ),
      ]);
      // The inbound part of ejabberd-verify.test's log, before it is made to connect out.
      const verifyLog = verifying.logFile;
      assert.ok(verifyLog);
      await settled(verifyLog);
      const inbound = readFileSync(verifyLog);
      logs['ejabberd-verify.test:in'] = join(dir, 'ejabberd-verify.in.log');
      writeFileSync(logs['ejabberd-verify.test:in'], inbound);
      // Healthy handshakes: the callback reaches xfed where xfed.test's SRV record points, one at a time.
      for (const peer of ['prosody-ok.test', 'ejabberd-ok.test'])
        await dialback(peer, ['--as', 'xfed.test', '--listen', XFED_LISTEN, ...ours]);
      // A wrong key: the callback reaches another xfed node for xfed.test with its own secret.
      const other = lab.spawn(
        [
          process.execPath,
          'bin/run.js',
          'dialback',
          'silent.test',
          '--as',
          'xfed.test',
          '--listen',
          XFED_LISTEN,
          ...ours,
          '--timeout',
          '30s',
        ],
        'other-node.log',
      );
      try {
        await waitForListener(lab, '127.0.0.200', 5269);
        await Promise.all(
          ['prosody-ok.test', 'ejabberd-ok.test'].map((peer) =>
            dialback(peer, ['--as', 'xfed.test', '--listen', spare(), ...ours]),
          ),
        );
      } finally {
        other.child.kill('SIGTERM');
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([other.exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
      }
      // ejabberd-verify.test, outbound: its callbacks reach servers with bad certificates; the
      // last one reaches xfed's listener for xfed.test, which presents the untrusted certificate.
      await Promise.all([
        ...['expired.test', 'not-yet-valid.test', 'wrong-name.test', 'self-signed.test'].map((as) =>
          dialback('ejabberd-verify.test', ['--as', as, '--listen', spare(), ...ours]),
        ),
        dialback('ejabberd-verify.test', [
          '--as',
          'xfed.test',
          '--listen',
          XFED_LISTEN,
          '--cert',
          foreign.chainFile,
          '--key',
          foreign.keyFile,
          '--ca',
          lab.caFile,
        ]),
      ]);
      await settled(verifyLog);
      // The lines written since the inbound part (ejabberd only appends).
      logs['ejabberd-verify.test:out'] = join(dir, 'ejabberd-verify.out.log');
      writeFileSync(logs['ejabberd-verify.test:out'], readFileSync(verifyLog).subarray(inbound.length));
      for (const s of SERVERS) {
        const f = lab.domains[s].logFile;
        assert.ok(f, `${s} has a log file`);
        await settled(f); // ejabberd's logger writes asynchronously
        logs[s] = join(dir, `${s}.log`);
        copyFileSync(f, logs[s]);
      }
      // The lab plus twenty-four real s2s exchanges before the first assertion: ~60 s alone, more
      // than the runner's 120 s per test when the whole suite shares two cores.
    },
    { timeout: 300_000 },
  );
  after(async () => {
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('secure-auth.test (Prosody, s2s_secure_auth): expired certificate, untrusted issuer, no certificate', async () => {
    const r = await xfedLogs([logs['secure-auth.test']!]);
    assert.deepEqual(logsIds(r), [
      'logs.s2s.cert-expired',
      'logs.s2s.cert-untrusted',
      'logs.s2s.secure-auth-no-cert',
    ]);
    const byId = (id: string) => r.findings.find((f) => f.id === id)!;
    assert.equal(byId('logs.s2s.cert-expired').evidence.peer, 'expired.test');
    assert.equal(byId('logs.s2s.cert-untrusted').evidence.peer, 'xfed.test');
    assert.equal(byId('logs.s2s.secure-auth-no-cert').evidence.peer, 'xfed.test');
    const q = byId('logs.s2s.cert-expired').evidence.quote as string;
    assert.match(
      q,
      /Forbidding insecure connection to\/from expired\.test because its certificate has expired/,
    );
    assert.equal(
      readFileSync(logs['secure-auth.test']!, 'utf8').split('\n')[
        (byId('logs.s2s.cert-expired').evidence.line as number) - 1
      ],
      q,
    );
  });

  it('prosody-ok.test: wrong key, unresolvable domain, refused connection, tolerated expired certificate, healthy dialback', async () => {
    const r = await xfedLogs([logs['prosody-ok.test']!]);
    assert.deepEqual(logsIds(r), [
      'logs.dialback.valid',
      'logs.dialback.verify-invalid',
      'logs.s2s.cert-tolerated',
      'logs.s2s.connect-refused',
      'logs.s2s.dns-failed',
    ]);
    const dns = r.findings.find((f) => f.id === 'logs.s2s.dns-failed')!;
    assert.equal(dns.evidence.domain, NXDOMAIN_NAME);
    assert.equal(dns.evidence.query, `_xmpp-server._tcp.${NXDOMAIN_NAME}`);
    assert.equal(r.findings.find((f) => f.id === 'logs.s2s.connect-refused')!.evidence.domain, 'closed.test');
    const invalid = r.findings
      .filter((f) => f.id === 'logs.dialback.verify-invalid')
      .map((f) => f.evidence.from);
    assert.deepEqual(invalid.sort(), ['expired.test', 'xfed.test']);
    const inv = r.findings.find(
      (f) => f.id === 'logs.dialback.verify-invalid' && f.evidence.from === 'xfed.test',
    )!;
    assert.match(
      inv.fix,
      /xfed dialback key --receiving prosody-ok\.test --originating xfed\.test --stream-id <stream id[^>]*> --key [0-9a-f]{64}/,
    );
  });

  it('ejabberd-ok.test: wrong key, unresolvable domain, refused connection, healthy dialback', async () => {
    const r = await xfedLogs([logs['ejabberd-ok.test']!]);
    assert.deepEqual(logsIds(r), [
      'logs.dialback.valid',
      'logs.dialback.verify-invalid',
      'logs.s2s.connect-refused',
      'logs.s2s.dns-failed',
    ]);
    const inv = r.findings.find((f) => f.id === 'logs.dialback.verify-invalid')!;
    assert.equal(inv.evidence.from, 'xfed.test');
    assert.equal(inv.evidence.to, 'ejabberd-ok.test');
    // ejabberd logs the db:verify it sends: key and stream id come from the log
    assert.match(
      inv.fix,
      /--receiving ejabberd-ok\.test --originating xfed\.test --stream-id \d+ --key [0-9a-f]{64}/,
    );
  });

  it('ejabberd-verify.test, inbound: SASL EXTERNAL refused for an expired, not yet valid, wrong-name, self-signed and untrusted certificate; a client aborts the handshake', async () => {
    const r = await xfedLogs([logs['ejabberd-verify.test:in']!]);
    assert.deepEqual(logsIds(r), [
      'logs.s2s.cert-expired',
      'logs.s2s.cert-name-mismatch',
      'logs.s2s.cert-rejected',
      'logs.s2s.cert-untrusted',
      'logs.tls.negotiation-failed',
    ]);
    const quote = (id: string, peer: string) => {
      const f = r.findings.find((x) => x.id === id && x.evidence.peer === peer);
      assert.ok(f, `${id} for ${peer}: ${r.findings.map((x) => `${x.id} ${x.evidence.peer}`).join('; ')}`);
      assert.equal(f.evidence.server, 'ejabberd');
      return f.evidence.quote as string;
    };
    const external = (from: string, why: string) =>
      new RegExp(
        `\\[warning\\] .*ejabberd_s2s_in:handle_auth_failure/4:\\d+ \\(tls\\|<[\\d.]+>\\) Failed inbound s2s EXTERNAL authentication ${from.replace(/\./g, '\\.')} -> ejabberd-verify\\.test \\([\\d.]+\\): ${why}$`,
      );
    for (const [peer, why, id] of EJABBERD_CERT_CASES) assert.match(quote(id, peer), external(peer, why));
    // The aborted handshake is logged twice (info and warning) and counted once.
    const tls = r.findings.filter((f) => f.id === 'logs.tls.negotiation-failed');
    assert.equal(tls.length, 1);
    assert.equal(tls[0]!.evidence.count, 1);
    assert.match(
      tls[0]!.evidence.quote as string,
      /Closing inbound s2s connection [\d.]+ -> ejabberd-verify\.test: TLS failed: .*alert unknown ca$/,
    );
  });

  it('ejabberd-verify.test, outbound: its callback rejects an expired, not yet valid, wrong-name, self-signed and untrusted certificate', async () => {
    const r = await xfedLogs([logs['ejabberd-verify.test:out']!]);
    assert.deepEqual(logsIds(r), [
      'logs.s2s.cert-expired',
      'logs.s2s.cert-name-mismatch',
      'logs.s2s.cert-rejected',
      'logs.s2s.cert-untrusted',
    ]);
    const text = readFileSync(logs['ejabberd-verify.test:out']!, 'utf8');
    const outbound = (peer: string, why: string) => {
      const f = r.findings.find((x) => x.evidence.peer === peer);
      assert.ok(f, peer);
      const p = peer.replace(/\./g, '\\.');
      // ejabberd's outgoing connection, and the dialback request whose callback it was (two
      // processes: either line may come first); one finding per peer counts both.
      const out = new RegExp(
        `\\[warning\\] <[\\d.]+>@ejabberd_s2s_out:process_closed/2:\\d+ Failed to establish outbound s2s connection ejabberd-verify\\.test -> ${p}: Peer certificate rejected: ${why}; bouncing for \\d+ seconds$`,
        'm',
      );
      const callback = new RegExp(
        `\\[warning\\] <[\\d.]+>@ejabberd_s2s_in:handle_auth_failure/4:\\d+ \\(tls\\|<[\\d.]+>\\) Failed inbound s2s dialback authentication ${p} -> ejabberd-verify\\.test \\([\\d.]+\\): Verification failed: Peer certificate rejected: ${why} \\(remote-server-not-found\\)$`,
        'm',
      );
      assert.match(text, out);
      assert.match(text, callback);
      const q = f.evidence.quote as string;
      assert.ok(out.test(q) || callback.test(q), q);
      assert.equal(f.evidence.count, 2);
      return f.id;
    };
    for (const [peer, why, id] of EJABBERD_CERT_CASES) assert.equal(outbound(peer, why), id);
  });

  it('a .tar.gz bundle of the three logs gives the same findings and names the members', async () => {
    const bundle = join(dir, 'bundle.tar.gz');
    const pack = tar.pack();
    const done = pipeline(pack, createGzip(), createWriteStream(bundle));
    for (const s of SERVERS) pack.entry({ name: `logs/${s}/server.log` }, readFileSync(logs[s]!));
    pack.finalize();
    await done;
    const whole = await xfedLogs([bundle]);
    const separately = await Promise.all(SERVERS.map((s) => xfedLogs([logs[s]!])));
    assert.deepEqual(logsIds(whole), [...new Set(separately.flatMap(logsIds))].sort());
    const files = new Set(whole.findings.map((f) => f.evidence.file));
    for (const s of SERVERS) assert.ok(files.has(`${bundle}:logs/${s}/server.log`), [...files].join());
    const facts = whole.facts as unknown as LogFacts;
    assert.equal(facts.sources.length, 3);
    assert.equal(
      facts.totals.unmatched,
      facts.sources.reduce((a, s) => a + s.unmatched, 0),
    );
  });

  it('--domain keeps one peer\u2019s sessions; --timeline shows the rebuilt steps', async () => {
    const r = await xfedLogs([logs['ejabberd-ok.test']!, '--domain', 'closed.test']);
    assert.deepEqual(logsIds(r), ['logs.s2s.connect-refused']);
    const t = await runCli(['logs', logs['ejabberd-ok.test']!, '--domain', 'xfed.test', '--timeline'], {
      timeoutMs: 60_000,
    });
    assert.match(t.stdout, /2 db:result received \(receiving\)/);
    assert.match(t.stdout, /4 db:verify sent to the authoritative server/);
    assert.match(t.stdout, /6 db:verify answered \(type=invalid/);
  });
});

/** Waits until a log file stops growing (unchanged for 600 ms; at most 10 s). */
async function settled(file: string): Promise<void> {
  let last = -1;
  let stable = 0;
  for (let i = 0; i < 50 && stable < 3; i++) {
    const size = statSync(file).size;
    stable = size === last ? stable + 1 : 0;
    last = size;
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Polls until something accepts TCP connections on address:port inside the namespace. */
async function waitForListener(lab: Lab, address: string, port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const probe = `require('net').connect(${port}, '${address}').on('connect', () => process.exit(0)).on('error', () => process.exit(1))`;
  while (Date.now() < deadline) {
    const r = await lab.exec([process.execPath, '-e', probe], { timeoutMs: 2000 });
    if (r.code === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`nothing listens on ${address}:${port} after ${timeoutMs} ms`);
}
