/**
 * xfed dialback, dialback verify and dialback key end to end (built CLI): exit codes, one JSON
 * document on stdout that matches the schema, the human report with step timings, usage
 * errors (exit 2, one line, no traffic), the secret never read from argv nor printed, and a
 * full handshake against an in-process scripted peer that calls the CLI's listener back.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { closeDnsSockets } from '../../src/protocol/dns/client.js';
import type { Report } from '../../src/report/model.js';
import { type FakeDnsServer, startFakeDns } from '../fakes/fake-dns-server.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import { type PkiFiles, writePki } from '../helpers/test-ca.js';
import { ejabberdStyle, OUR, PEER, startWorld, type World } from '../integration/dialback/world.js';

const SEED = ['--receiving', 'vngtp.lab', '--originating', 'coluc.com', '--stream-id', '05E295A2B'];
const SEED_KEY = 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03';

describe('xfed dialback key (e2e)', () => {
  it("says 'no match' for the seed's 40-hex Cisco key without calling it malformed, and never prints the secret", async () => {
    // Given the TAC log triple and a secret that is not Cisco's
    const secret = 'not-ciscos-secret-1234';
    const r = await runCli(['dialback', 'key', ...SEED, '--key', SEED_KEY, '--json'], {
      env: { XFED_DIALBACK_SECRET: secret },
    });
    // Then one JSON document, the no-match warning, exit 0 (a warning is not an error)
    assert.equal(r.code, 0, r.stderr);
    const [doc] = jsonLines(r.stdout);
    assertValidReport(doc);
    assert.deepEqual(idsOf(doc), ['dialback.key.no-match']);
    assert.doesNotMatch(r.stdout, /malformed|wrong length|invalid length/i);
    assert.ok(!r.stdout.includes(secret) && !r.stderr.includes(secret));
    // And --fail-on warning turns it into exit 1
    const strict = await runCli(['dialback', 'key', ...SEED, '--key', SEED_KEY, '--fail-on', 'warning'], {
      env: { XFED_DIALBACK_SECRET: secret },
    });
    assert.equal(strict.code, 1);
    assert.match(strict.stdout, /40 characters/);
  });

  it('reads the secret from stdin and identifies XEP-0185 and jabberd keys (spec vectors)', async () => {
    const triple = [
      '--receiving',
      'montague.example',
      '--originating',
      'capulet.example',
      '--stream-id',
      'D60000229F',
    ];
    const xep = await runCli(
      [
        'dialback',
        'key',
        ...triple,
        '--key',
        'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3',
        '--secret-stdin',
        '--json',
      ],
      { input: 's3cr3tf0rd14lb4ck\n' },
    );
    assert.equal(xep.code, 0, xep.stderr);
    assert.deepEqual(idsOf(jsonLines(xep.stdout)[0]), ['dialback.key.match-xep0185']);
    const jab = await runCli(
      [
        'dialback',
        'key',
        ...triple,
        '--key',
        '0040A0BE8A26A12B82A73B16D4C7FD0353ED8DBD',
        '--secret-stdin',
        '--json',
      ],
      { input: 's3cr3tf0rd14lb4ck\n' },
    );
    assert.deepEqual(idsOf(jsonLines(jab.stdout)[0]), ['dialback.key.match-jabberd']);
    const computed = await runCli(['dialback', 'key', ...triple, '--secret-stdin'], {
      input: 's3cr3tf0rd14lb4ck',
    });
    assert.equal(computed.code, 0);
    assert.match(computed.stdout, /b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3/);
    assert.match(computed.stdout, /\[dialback\.key\.computed\]/);
  });

  it('exits 2 with one line when there is no secret, and has no --secret flag', async () => {
    const none = await runCli(['dialback', 'key', ...SEED], { env: { XFED_DIALBACK_SECRET: '' } });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /XFED_DIALBACK_SECRET/);
    assert.equal(none.stderr.trim().split('\n').length, 1);
    const flag = await runCli(['dialback', 'key', ...SEED, '--secret', 'x']);
    assert.equal(flag.code, 2);
  });
});

describe('xfed dialback and dialback verify (e2e)', () => {
  let w: World;
  let dir: string;
  let files: PkiFiles;
  let silentDns: FakeDnsServer;

  before(async () => {
    w = await startWorld(ejabberdStyle);
    dir = mkdtempSync(join(tmpdir(), 'xfed-dialback-e2e-'));
    files = writePki(dir, w.certs.our, 'our');
    silentDns = await startFakeDns({ zone: {} });
  });
  after(async () => {
    await w.close();
    await silentDns.close();
    closeDnsSockets();
    rmSync(dir, { recursive: true, force: true });
  });

  const common = () => ['--as', OUR, '--ca', files.caFile, '--resolver', `${w.dns.host}:${w.dns.port}`];
  /** A whole handshake with the ejabberd-style peer, listening where our.test's SRV record points. */
  const handshake = () => [
    'dialback',
    PEER,
    ...common(),
    '--listen',
    `127.0.0.1:${w.listenPort}`,
    '--cert',
    files.chainFile,
    '--key',
    files.keyFile,
    '--timeout',
    '3s',
  ];

  it('runs a whole handshake: exit 0, one JSON document, valid result and ping', async () => {
    const r = await runCli([...handshake(), '--json', '--transcript'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const docs = jsonLines(r.stdout);
    assert.equal(docs.length, 1);
    assertValidReport(docs[0]);
    const ids = idsOf(docs[0]).filter((i) => i.startsWith('dialback.'));
    assert.deepEqual(ids, ['dialback.result.valid', 'dialback.ping.ok']);
    const doc = docs[0] as { options: Record<string, unknown>; command: string };
    assert.equal(doc.command, 'dialback');
    assert.equal(doc.options.callbackTimeoutMs, 9000);
    assert.equal(r.stderr, '');
  });

  it('prints every step with its timing in the human report', async () => {
    const r = await runCli(handshake(), { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr + r.stdout);
    for (const step of [
      'dns',
      'connect',
      'tls',
      'result-sent',
      'callback',
      'verify-answered',
      'result',
      'ping',
    ]) {
      assert.match(r.stdout, new RegExp(`✓ ${step} +\\+?\\d+ ms`), step);
    }
  });

  it('exits 1 with dialback.callback.timeout when the peer never calls back, within the deadline', async () => {
    // Given a peer that accepts the db:result and then neither calls back nor answers
    const silent = await startWorld({
      async onResult(rc) {
        await rc.c.waitFor(/<\/stream:stream>/, 20_000).catch(() => {});
        rc.c.end();
      },
    });
    try {
      const started = Date.now();
      const r = await runCli(
        [
          'dialback',
          PEER,
          '--as',
          OUR,
          '--ca',
          files.caFile,
          '--resolver',
          `${silent.dns.host}:${silent.dns.port}`,
          '--listen',
          `127.0.0.1:${silent.listenPort}`,
          '--cert',
          files.chainFile,
          '--key',
          files.keyFile,
          '--json',
          '--timeout',
          '1s',
          '--callback-timeout',
          '1500ms',
        ],
        { timeoutMs: 30_000 },
      );
      const took = Date.now() - started;
      assert.equal(r.code, 1, r.stderr);
      const [doc] = jsonLines(r.stdout);
      assertValidReport(doc);
      assert.deepEqual(
        idsOf(doc).filter((i) => i.startsWith('dialback.')),
        ['dialback.callback.timeout'],
      );
      // Then it waited the callback deadline, closed politely, and ended by itself
      assert.ok(took >= 1500 && took < 8000, `took ${took} ms`);
    } finally {
      await silent.close();
    }
  });

  it('verify: exit 0 with the healthy invalid answer and the impersonation notice', async () => {
    const r = await runCli(['dialback', 'verify', PEER, ...common(), '--json'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    const [doc] = jsonLines(r.stdout);
    assertValidReport(doc);
    assert.deepEqual(
      idsOf(doc).filter((i) => i.startsWith('dialback.')),
      ['dialback.verify.invalid', 'dialback.verify.impersonation-notice'],
    );
  });

  it('verify: warns about a --cert that does not name --as, naming the file (exit 0; 1 with --fail-on warning)', async () => {
    // Given a certificate from a trusted CA for xmpp.our.test only (the SRV host, not the domain)
    const hostOnly = writePki(dir, w.certs.ourHostOnly, 'host-only');
    const args = [
      'dialback',
      'verify',
      PEER,
      ...common(),
      '--cert',
      hostOnly.chainFile,
      '--key',
      hostOnly.keyFile,
    ];
    // When it is presented for our.test
    const r = await runCli([...args, '--json'], { timeoutMs: 30_000 });
    // Then the probe works, and the report warns, with the file and what it names
    assert.equal(r.code, 0, r.stderr);
    const [doc] = jsonLines(r.stdout);
    assertValidReport(doc);
    const report = doc as Report;
    assert.equal(report.status, 'warn');
    const f = report.findings.find((x) => x.id === 'dialback.our-cert.name-mismatch');
    assert.equal(f?.evidence.file, hostOnly.chainFile);
    assert.deepEqual(f?.evidence.names, [`DNS:xmpp.${OUR}`]);
    const strict = await runCli([...args, '--fail-on', 'warning'], { timeoutMs: 30_000 });
    assert.equal(strict.code, 1, strict.stderr);
    assert.match(strict.stdout, /does not name our\.test/);
  });

  const usage: [string, string[], RegExp][] = [
    ['a missing --as', ['dialback', PEER], /missing required flag --as/],
    [
      '--listen with a host name',
      ['dialback', PEER, '--as', OUR, '--listen', 'example.org:5269'],
      /--listen/,
    ],
    [
      '--cert without --key',
      ['dialback', PEER, '--as', OUR, '--cert', '/nonexistent.pem'],
      /--cert and --key/,
    ],
    [
      'an unreadable --cert',
      ['dialback', PEER, '--as', OUR, '--cert', '/nonexistent.pem', '--key', '/nonexistent.key'],
      /cannot read/,
    ],
    ['the same domain twice', ['dialback', PEER, '--as', PEER], /two different domains/],
    ['a malformed peer', ['dialback', 'bad..domain', '--as', OUR], /empty label/],
    ['verify without --as', ['dialback', 'verify', PEER], /missing required flag --as/],
    [
      'key with an empty --stream-id',
      ['dialback', 'key', '--receiving', 'a.example', '--originating', 'b.example', '--stream-id', ' '],
      /stream-id/,
    ],
  ];
  for (const [what, args, re] of usage) {
    it(`exits 2 with one line and no traffic for ${what}`, async () => {
      const before = silentDns.questions.length;
      const resolver = args[1] === 'key' ? [] : ['--resolver', `${silentDns.host}:${silentDns.port}`];
      const r = await runCli([...args, ...resolver], {
        env: { XFED_DIALBACK_SECRET: 'x' },
      });
      assert.equal(r.code, 2, r.stderr + r.stdout);
      assert.match(r.stderr, re);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(silentDns.questions.length, before);
    });
  }
});

describe('xfed dialback --help (e2e)', () => {
  it('says that default-configured peers need --cert/--key, and documents --request-client-cert and its cost', async () => {
    const r = await runCli(['dialback', '--help'], { env: { COLUMNS: '200' } });
    assert.equal(r.code, 0, r.stderr);
    const text = r.stdout.replace(/\s+/g, ' ');
    assert.match(text, /default-configured peers need --cert\/--key/);
    assert.match(text, /--request-client-cert/);
    assert.match(text, /jabberd2 2\.7\) then drop the callback and reconnect in a loop/);
  });
});
