/**
 * xfed probe tls end to end (the built CLI against scripted peers on loopback, and inside a
 * private network namespace for routing failures): exit codes, pure JSON (Lines) on stdout,
 * the text summary, usage errors before any traffic, and no heavy modules loaded.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closedPort } from '../fakes/fake-dns-server.js';
import {
  behaveLikeServer,
  FEATURES,
  type PeerConn,
  type ScriptedPeer,
  startScriptedPeer,
} from '../fakes/xmpp-peer.js';
import { BIN, jsonLines, runCli, runCliListingModules } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import { testPki } from '../helpers/test-ca.js';

const DOMAIN = 'peer.test';

describe('xfed probe tls (e2e)', () => {
  let dir: string;
  let caFile: string;
  let healthy: ScriptedPeer;
  let optional: ScriptedPeer;
  let silent: ScriptedPeer;
  const peers: ScriptedPeer[] = [];

  const answerClose = async (c: PeerConn) => {
    await c.waitFor(/<\/stream:stream>/);
    c.send('</stream:stream>');
    c.end();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-probe-tls-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, testPki().root.certPem);
    const leaf = testPki().leaf({ cn: DOMAIN, dns: [DOMAIN] });
    const tlsOpts = { key: leaf.keyPem, cert: leaf.chainPem };
    healthy = await startScriptedPeer(async (c) => {
      await behaveLikeServer(c, { domain: DOMAIN, tlsOpts, postTls: [FEATURES.dialback] });
      await answerClose(c);
    });
    optional = await startScriptedPeer(async (c) => {
      await behaveLikeServer(c, { domain: DOMAIN, tlsOpts, requireTls: false, postTls: [FEATURES.dialback] });
      await answerClose(c);
    });
    silent = await startScriptedPeer(() => new Promise(() => {}));
    peers.push(healthy, optional, silent);
  });
  after(async () => {
    for (const p of peers) await p.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const hostArgs = (p: ScriptedPeer) => [`127.0.0.1:${p.port}`, '--domain', DOMAIN, '--ca', caFile];

  it('exits 0 with one valid JSON document for a healthy server', async () => {
    // Given a healthy STARTTLS server with a certificate from the test CA
    // When probe tls runs with --json
    const r = await runCli(['probe', 'tls', ...hostArgs(healthy), '--json']);
    // Then stdout is exactly one report with only info findings, and exit is 0
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const docs = jsonLines(r.stdout);
    assert.equal(docs.length, 1);
    assertValidReport(docs[0]);
    assert.deepEqual(idsOf(docs[0]), [
      'tls.starttls.required',
      'cert.check.ok',
      'xmpp.auth.dialback-offered',
    ]);
    assert.equal((docs[0] as { target: string }).target, `127.0.0.1:${healthy.port}`);
  });

  it('exits 0 on a warning, and 1 with --fail-on warning', async () => {
    // Given a server with optional STARTTLS
    // When probed with and without --fail-on warning
    const plain = await runCli(['probe', 'tls', ...hostArgs(optional), '--json']);
    const strict = await runCli(['probe', 'tls', ...hostArgs(optional), '--json', '--fail-on', 'warning']);
    // Then the warning changes the exit code only with --fail-on warning
    assert.equal(plain.code, 0, plain.stderr);
    assert.equal(strict.code, 1, strict.stderr);
    assert.ok(idsOf(jsonLines(plain.stdout)[0]).includes('tls.starttls.optional'));
  });

  it('prints JSON Lines in input order for several targets and exits 1 when one fails', async () => {
    // Given a healthy server, a closed port and the optional-TLS server
    const closed = await closedPort();
    // When all three are probed in one run
    const r = await runCli([
      'probe',
      'tls',
      `127.0.0.1:${healthy.port}`,
      `127.0.0.1:${closed}`,
      `127.0.0.1:${optional.port}`,
      '--domain',
      DOMAIN,
      '--ca',
      caFile,
      '--json',
      '--concurrency',
      '3',
    ]);
    // Then there are three documents in input order and the refused one makes the exit 1
    assert.equal(r.code, 1, r.stderr);
    const docs = jsonLines(r.stdout);
    assert.equal(docs.length, 3);
    for (const d of docs) assertValidReport(d);
    assert.deepEqual(
      docs.map((d) => (d as { target: string }).target),
      [`127.0.0.1:${healthy.port}`, `127.0.0.1:${closed}`, `127.0.0.1:${optional.port}`],
    );
    assert.deepEqual(idsOf(docs[1]), ['tcp.connect.refused']);
  });

  it('reads targets from --file, comments allowed', async () => {
    // Given a file with a comment, a blank line and one target
    const file = join(dir, 'targets.txt');
    writeFileSync(file, `# lab\n\n127.0.0.1:${healthy.port}  # the healthy one\n`);
    // When probe tls reads it
    const r = await runCli(['probe', 'tls', '--file', file, '--domain', DOMAIN, '--ca', caFile, '--json']);
    // Then that target is probed
    assert.equal(r.code, 0, r.stderr);
    assert.equal(jsonLines(r.stdout).length, 1);
  });

  it('shows attempts, headers, features before and after TLS, TLS version and the chain in text mode', async () => {
    // Given the healthy server
    // When probe tls runs without --json
    const r = await runCli(['probe', 'tls', ...hostArgs(healthy)]);
    // Then the summary lists each step
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /xfed probe tls 127\.0\.0\.1:\d+ {2}PASS/);
    assert.match(r.stdout, /1\. 127\.0\.0\.1:\d+, STARTTLS/);
    assert.match(r.stdout, /stream \(to=peer\.test\): header from=peer\.test id=pre-tls-id version=1\.0/);
    assert.match(r.stdout, /features: starttls \(required\), dialback/);
    assert.match(r.stdout, /tls: TLSv1\.3 \S+, SNI peer\.test/);
    assert.match(r.stdout, /0\. CN=peer\.test \(issuer O=xfed tests, CN=xfed Test Intermediate CA/);
    assert.match(r.stdout, /stream over TLS \(to=peer\.test\): header from=peer\.test id=post-tls-id/);
    assert.match(r.stdout, /\[xmpp\.auth\.dialback-offered\]/);
  });

  it('includes the exchange with --transcript', async () => {
    // When probe tls runs with --transcript --json
    const r = await runCli(['probe', 'tls', ...hostArgs(healthy), '--json', '--transcript']);
    // Then the transcript has our header and the peer's STARTTLS offer
    const doc = jsonLines(r.stdout)[0] as { transcript: { dir: string; data: string }[] };
    assert.ok(doc.transcript.some((t) => t.dir === 'out' && /to='peer\.test'/.test(t.data)));
    assert.ok(doc.transcript.some((t) => t.dir === 'in' && /<required\/>/.test(t.data)));
  });

  it('turns a silent peer into a finding within the deadline, without a stack trace', async () => {
    // Given a peer that accepts and says nothing
    const started = Date.now();
    // When probed with --timeout 500
    const r = await runCli(['probe', 'tls', ...hostArgs(silent), '--json', '--timeout', '500']);
    // Then exit 1 with the timeout finding, soon after the deadline, nothing on stderr
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['xmpp.stream.timeout']);
    assert.equal(r.stderr, '');
    assert.ok(Date.now() - started < 5000);
  });

  const usage: [string, () => string[]][] = [
    ['a malformed domain', () => ['exa mple.org', '--connect', `127.0.0.1:${healthy.port}`]],
    [
      'a malformed target with --connect and --domain',
      () => ['bad target!', '--connect', `127.0.0.1:${healthy.port}`, '--domain', DOMAIN],
    ],
    ['--port 0', () => ['peer.test', '--port', '0', '--connect', `127.0.0.1:${healthy.port}`]],
    ['a bad --connect', () => ['peer.test', '--connect', `127.0.0.1:${healthy.port}0000`]],
    [
      'an unreadable --ca',
      () => ['peer.test', '--ca', '/nonexistent/ca.pem', '--connect', `127.0.0.1:${healthy.port}`],
    ],
    ['an IP target without --domain', () => ['127.0.0.1', '--port', String(healthy.port)]],
    ['a bad --from', () => ['peer.test', '--from', 'a..b', '--connect', `127.0.0.1:${healthy.port}`]],
    ['a bad line in --file', () => ['--file', join(dir, 'bad.txt'), '--domain', DOMAIN]],
  ];
  for (const [what, args] of usage) {
    it(`exits 2 on ${what}, with one line on stderr and no traffic`, async () => {
      // Given a peer that counts connections, and every target pointed at it
      const before = healthy.connections();
      writeFileSync(join(dir, 'bad.txt'), `127.0.0.1:${healthy.port}\nbad host name\n`);
      // When probe tls runs with the bad input
      const r = await runCli(['probe', 'tls', ...args()]);
      // Then exit 2, one line on stderr, nothing on stdout, no connection
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^xfed probe tls: /);
      if (what === 'a bad line in --file') assert.match(r.stderr, /line 2/);
      assert.equal(healthy.connections(), before, 'no connection may be made');
    });
  }

  it('loads neither undici, ora nor the help/completion plugins', async () => {
    // When a full healthy probe runs under the module lister (bench/lib/list-modules.mjs)
    const r = await runCliListingModules(['probe', 'tls', ...hostArgs(healthy), '--json']);
    // Then the heavy modules were never loaded
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.modules.includes('src/commands/probe/tls.ts'));
    assert.ok(
      r.modules.some((m) => m.includes('node_modules/saxes/')),
      'the lister must see dependencies at all',
    );
    // Every name here is a real dependency, so each assertion can fail (node-forge is not one).
    for (const heavy of ['undici', 'ora', '@oclif/plugin-not-found', '@oclif/plugin-autocomplete']) {
      assert.ok(
        existsSync(join('node_modules', heavy)),
        `${heavy} is installed, so this check means something`,
      );
      assert.ok(!r.modules.some((m) => m.includes(`node_modules/${heavy}/`)), `${heavy} was loaded`);
    }
  });
});

/** Routing failures need a namespace of our own (root and iproute2); no packet leaves it. */
function netnsSkipReason(): string | false {
  if (process.getuid?.() !== 0) return 'needs root for ip netns';
  const r = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  return r.status === 0 ? false : 'ip netns is not available';
}

describe('xfed probe tls in a private network namespace (e2e)', { skip: netnsSkipReason() }, () => {
  const ns = `xfed-tls-${process.pid}`;
  const UNREACHABLE = '127.0.0.99';
  const PROHIBITED = '127.0.0.98';
  const ip = (...args: string[]) => {
    const r = spawnSync('ip', ['netns', 'exec', ns, 'ip', ...args], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  };

  // The namespace's own resolv.conf and hosts (bind-mounted by `ip netns exec`): a resolver
  // that never answers, and one host name listed in the hosts file.
  const etc = `/etc/netns/${ns}`;
  const SILENT_RESOLVER = '127.0.0.9';
  let silentResolver: ChildProcess | undefined;

  before(async () => {
    mkdirSync(etc, { recursive: true });
    writeFileSync(join(etc, 'resolv.conf'), `nameserver ${SILENT_RESOLVER}\n`);
    writeFileSync(join(etc, 'hosts'), `127.0.0.1 localhost\n${PROHIBITED} listed.example # a comment\n`);
    assert.equal(spawnSync('ip', ['netns', 'add', ns]).status, 0);
    ip('link', 'set', 'lo', 'up');
    silentResolver = spawn('ip', [
      'netns',
      'exec',
      ns,
      process.execPath,
      '-e',
      `require('dgram').createSocket('udp4').bind(53, '${SILENT_RESOLVER}', () => console.log('ready')); setInterval(() => {}, 1000);`,
    ]);
    await new Promise((resolve) => silentResolver?.stdout?.once('data', resolve));
    // Loopback addresses overridden in the namespace's local table: "unreachable" answers
    // EHOSTUNREACH, "prohibit" EACCES. Nothing outside 127.0.0.0/8 is ever addressed.
    ip('route', 'add', 'unreachable', `${UNREACHABLE}/32`, 'table', 'local');
    ip('route', 'add', 'prohibit', `${PROHIBITED}/32`, 'table', 'local');
  });
  after(() => {
    silentResolver?.kill('SIGKILL');
    spawnSync('ip', ['netns', 'del', ns]);
    rmSync(etc, { recursive: true, force: true });
  });

  const inNs = (args: string[]) =>
    spawnSync('ip', ['netns', 'exec', ns, process.execPath, BIN, 'probe', 'tls', ...args], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', CI: '' },
      timeout: 30_000,
    });

  it('reports an address with no route as unreachable', () => {
    // Given a route of type unreachable to 127.0.0.99
    // When probed from inside the namespace
    const r = inNs([`${UNREACHABLE}:5269`, '--domain', DOMAIN, '--json', '--timeout', '2000']);
    // Then the finding is tcp.connect.unreachable naming host and port
    assert.equal(r.status, 1, r.stderr);
    const doc = jsonLines(r.stdout)[0];
    assertValidReport(doc);
    assert.deepEqual(idsOf(doc), ['tcp.connect.unreachable']);
    assert.match(JSON.stringify(doc), /127\.0\.0\.99:5269/);
  });

  it('reports any other connect error (here: administratively prohibited) as tcp.connect.failed', () => {
    // Given a route of type prohibit to 127.0.0.98
    // When probed from inside the namespace
    const r = inNs([`${PROHIBITED}:5269`, '--domain', DOMAIN, '--json', '--timeout', '2000']);
    // Then the finding carries the errno
    assert.equal(r.status, 1, r.stderr);
    const doc = jsonLines(r.stdout)[0] as { findings: { evidence: { code: string } }[] };
    assert.deepEqual(idsOf(doc), ['tcp.connect.failed']);
    assert.equal(doc.findings[0]?.evidence.code, 'EACCES');
  });
  it('ends soon after --timeout when the resolver of a host target never answers', () => {
    // Given a namespace whose only resolver is silent
    const started = Date.now();
    // When a host target that is not in the hosts file is probed with --timeout 1000
    const r = inNs(['slow.example:5269', '--domain', DOMAIN, '--json', '--timeout', '1000']);
    // Then the lookup timeout is the finding, and the process exits about then (not after the
    // C library's own resolver timeouts)
    assert.equal(r.status, 1, r.stderr);
    const doc = jsonLines(r.stdout)[0] as { findings: { evidence: { reason: string } }[] };
    assert.deepEqual(idsOf(doc), ['xmpp.target.no-address']);
    assert.equal(doc.findings[0]?.evidence.reason, 'timeout');
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
  });

  it('takes a host target from the hosts file before asking DNS', () => {
    // Given listed.example in the namespace's hosts file (and a silent resolver)
    // When it is probed
    const r = inNs(['listed.example:5269', '--domain', DOMAIN, '--json', '--timeout', '1000']);
    // Then the listed address was used at once
    assert.equal(r.status, 1, r.stderr);
    const doc = jsonLines(r.stdout)[0] as { facts: { resolution: { addresses: string[] } } };
    assert.deepEqual(doc.facts.resolution.addresses, [PROHIBITED]);
    assert.deepEqual(idsOf(doc), ['tcp.connect.failed']);
  });
});
