/**
 * Nothing untrusted reaches the terminal raw (issue 13): bytes from a hostile DNS server, XMPP
 * peer or HTTP server, and user input echoed in usage errors, appear escaped in the text report
 * and on stderr. Each case feeds ESC/BEL/LF/RLO (and NUL where the channel carries it) and checks
 * the raw bytes never reach stdout or stderr, that no forged line starts a line, and that the
 * escaped form is there (so the value was shown, not dropped).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_PASSWORD, FAKE_USER, startFakeAxl } from '../fakes/fake-axl-server.js';
import { startFakeDns } from '../fakes/fake-dns-server.js';
import { serverHeader, startScriptedPeer, streamError } from '../fakes/xmpp-peer.js';
import { type CliResult, runCli } from '../helpers/cli.js';
import { testPki } from '../helpers/test-ca.js';

/** C0 (but LF), DEL, C1 and the bidi controls: none may reach a terminal from untrusted input. */
const RAW =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function assertClean(r: CliResult, forged?: RegExp): void {
  for (const [name, text] of [
    ['stdout', r.stdout],
    ['stderr', r.stderr],
  ] as const) {
    const m = RAW.exec(text);
    assert.equal(
      m,
      null,
      `${name} holds a raw U+${m?.[0].codePointAt(0)?.toString(16).padStart(4, '0')}:\n${text}`,
    );
    if (forged) {
      for (const line of text.split('\n'))
        assert.doesNotMatch(line, forged, `${name} has a forged line: ${line}`);
    }
  }
}

describe('untrusted text in the text report and on stderr (e2e)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-untrusted-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('escapes SRV target names with ESC, BEL and LF from a hostile DNS server', async () => {
    // Given a resolver whose SRV target retitles the terminal and starts a forged PASS line
    const target = 'x\x1b]0;owned\x07\nPASS all good.evil.test';
    const dns = await startFakeDns({
      zone: {
        '_xmpp-server._tcp.victim.test': [
          { type: 'SRV', data: { priority: 5, weight: 0, port: 5269, target } },
        ],
      },
    });
    try {
      // When check srv prints its text report
      const r = await runCli(['check', 'srv', 'victim.test', '--resolver', `127.0.0.1:${dns.port}`]);
      // Then the name is shown escaped, and no line starts with the forged verdict
      assertClean(r, /^PASS/i);
      // (DNS names are shown in lower case)
      assert.match(r.stdout, /x\\x1b\]0;owned\\x07\\x0apass all good/);
    } finally {
      await dns.close();
    }
  });

  it('escapes a certificate subject with control characters and a stream error text with RLO and LF', async () => {
    // Given a peer whose certificate CN and stream error text carry control and bidi characters
    const leaf = testPki().leaf({ cn: 'evil\x1b[2J\u202etset.reep', dns: ['other.test'] });
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, testPki().root.certPem);
    const tlsPeer = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader('peer.test'));
      c.send(
        "<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features>",
      );
      await c.waitFor(/<starttls[^>]*\/>/);
      c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      await c.startTls({ key: leaf.keyPem, cert: leaf.chainPem });
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader('peer.test', 'post'));
      c.send(streamError('policy-violation', 'go away\u202e\nPASS forged'));
      c.end();
    });
    try {
      // When probe tls prints its text report with the transcript
      const r = await runCli([
        'probe',
        'tls',
        `127.0.0.1:${tlsPeer.port}`,
        '--domain',
        'peer.test',
        '--ca',
        caFile,
        '--transcript',
      ]);
      // Then both are shown escaped
      assertClean(r, /^\s{0,4}PASS forged/);
      // node:crypto (OpenSSL) already writes ESC in a subject as \1B; the RLO is ours to escape.
      assert.match(r.stdout, /evil\\1B\[2J\\u202etset\.reep/);
      assert.match(r.stdout, /go away\\u202e\\x0aPASS forged/);
    } finally {
      await tlsPeer.close();
    }
  });

  it('escapes an HTTP body quoted from an AXL host', async () => {
    // Given a web server whose page title carries ESC, BEL, a C1 CSI and RLO
    const fake = await startFakeAxl({ mode: 'web-portal', portalTitle: 'Portal\x1b]0;x\x07\x9b2J\u202eKO' });
    const caFile = join(dir, 'axl-ca.pem');
    writeFileSync(caFile, fake.caPem);
    try {
      const r = await runCli(
        ['axl-auth', '--host', '127.0.0.1', '--port', String(fake.port), '--user', FAKE_USER, '--ca', caFile],
        { env: { XFED_AXL_PASSWORD: FAKE_PASSWORD } },
      );
      assert.equal(r.code, 1, r.stderr);
      assertClean(r);
      assert.match(r.stdout, /Portal\\x1b\]0;x\\x07\\x9b2J\\u202eKO/);
    } finally {
      await fake.close();
    }
  });

  for (const [what, value, shownAs] of [
    ['a newline', 'a.test\nxfed: all good', /a\.test\\x0axfed: all good/],
    ['ESC', 'a\x1b[31m.test', /a\\x1b\[31m\.test/],
    ['RLO', 'a\u202eb.test', /a\\u202eb\.test/],
  ] as const) {
    it(`keeps a usage error echoing ${what} on one escaped line`, async () => {
      const r = await runCli(['check', 'srv', value]);
      assert.equal(r.code, 2);
      assertClean(r);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, shownAs);
    });
  }

  it('shortens a long echoed value', async () => {
    const r = await runCli(['check', 'srv', `${'a'.repeat(5000)} b`]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.ok(r.stderr.length < 500, `${r.stderr.length} characters`);
    assert.match(r.stderr, /a…"/);
  });

  it('refuses a binary --file whole (NUL bytes), and escapes a control character in a text --file line', async () => {
    const bin = await runCli(['check', 'srv', '--file', '/bin/ls']);
    assert.equal(bin.code, 2);
    assertClean(bin);
    assert.match(
      bin.stderr,
      /^xfed check srv: --file \/bin\/ls is not a text file \(it contains NUL bytes\)/,
    );
    const list = join(dir, 'list.txt');
    writeFileSync(list, 'ok.test\nbad\x1b]0;t\x07\u202e.test\n');
    const r = await runCli(['check', 'srv', '--file', list]);
    assert.equal(r.code, 2);
    assertClean(r);
    assert.equal(r.stderr.trimEnd().split('\n').length, 1);
    assert.match(r.stderr, /line 2: domain "bad\\x1b\]0;t\\x07\\u202e\.test"/);
  });

  it('escapes an internal error message too', async () => {
    // A path that exists as neither: the message quotes the path; ESC must not pass through.
    const r = await runCli(['probe', 'tls', 'x.test', '--ca', join(dir, 'no\x1b[2Jsuch.pem')]);
    assert.equal(r.code, 2);
    assertClean(r);
    assert.match(r.stderr, /no\\x1b\[2Jsuch\.pem: cannot read the file \(ENOENT\)/);
  });
});
