/**
 * End to end: the built CLI (bin/run.js, run `npm run build` first) against an in-process
 * fake resolver. Exit codes, pure JSON / JSON Lines on stdout in input order, errors on
 * stderr, usage errors without traffic, and the modules `check srv` must never load.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeDnsServer, type FakeRecord, startFakeDns } from '../fakes/fake-dns-server.js';
import { BIN, jsonLines, runCli, runCliListingModules } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';

const srv = (port: number, target: string): FakeRecord => ({
  type: 'SRV',
  data: { priority: 5, weight: 0, port, target },
});
const a = (ip: string): FakeRecord => ({ type: 'A', data: ip });

/** util-linux script(1) gives the CLI a terminal; without it the spinner tests skip. */
const SCRIPT = spawnSync('script', ['--version']).status === 0;
const sh = (s: string) => `'${s.replaceAll("'", "'\\''")}'`;

/**
 * Runs the built CLI with stderr on a pseudo-terminal (80 columns) and stdout in a file;
 * returns what the terminal showed (stderr only) and the file. CI is unset: the spinner is
 * off under CI by design.
 */
function runOnTerminal(
  args: string[],
  stdoutFile: string,
  cols = 80,
): Promise<{ terminal: string; stdout: string }> {
  const cmd = `stty cols ${cols} rows 24; exec ${[process.execPath, BIN, ...args].map(sh).join(' ')} > ${sh(stdoutFile)}`;
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm', NO_COLOR: '1' };
  delete env.CI;
  delete env.FORCE_COLOR;
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', cmd, '/dev/null'], { env, stdio: ['pipe', 'pipe', 'inherit'] });
    let terminal = '';
    child.stdout.on('data', (d: Buffer) => {
      terminal += d.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`xfed ${args.join(' ')} on a terminal did not finish within 20 s`));
    }, 20_000);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      child.stdin.destroy();
      resolve({ terminal, stdout: readFileSync(stdoutFile, 'utf8') });
    });
  });
}

describe('xfed check srv (built CLI)', () => {
  let dns: FakeDnsServer;
  let resolver: string;
  const dir = mkdtempSync(join(tmpdir(), 'xfed-e2e-srv-'));

  before(async () => {
    dns = await startFakeDns({
      zone: {
        '_xmpp-server._tcp.good.test': [srv(5269, 'xmpp.good.test')],
        'xmpp.good.test': [a('127.0.0.2')],
        'fallback.test': [a('127.0.0.3')],
        '_xmpp-server._tcp.slow.test': [srv(5269, 'xmpp.good.test')],
        '_xmpp-server._tcp.xn--bcher-kva.test': [srv(5269, 'xmpp.good.test')],
      },
      // slow.test answers late, so later domains finish first: output must keep input order.
      handler: (q) =>
        q.name === '_xmpp-server._tcp.slow.test'
          ? { answers: [srv(5269, 'xmpp.good.test')], delayMs: 300 }
          : undefined,
    });
    resolver = `127.0.0.1:${dns.port}`;
  });
  after(async () => {
    await dns.close();
  });

  it('exits 0 for a healthy domain and prints exactly one valid JSON document', async () => {
    const r = await runCli(['check', 'srv', 'good.test', '--resolver', resolver, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    const docs = jsonLines(r.stdout);
    assert.equal(docs.length, 1);
    assertValidReport(docs[0]);
    assert.deepEqual(idsOf(docs[0]), ['dns.srv.ok']);
    assert.equal((docs[0] as { command: string }).command, 'check srv');
  });

  it('exits 1 for an error finding (NXDOMAIN) and still prints the report', async () => {
    const r = await runCli(['check', 'srv', 'missing.test', '--resolver', resolver, '--json']);
    assert.equal(r.code, 1);
    assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['dns.domain.nxdomain']);
  });

  it('exits 0 for a warning, and 1 with --fail-on warning', async () => {
    const warn = await runCli(['check', 'srv', 'fallback.test', '--resolver', resolver, '--json']);
    assert.equal(warn.code, 0);
    assert.deepEqual(idsOf(jsonLines(warn.stdout)[0]), ['dns.srv.missing']);
    const strict = await runCli([
      'check',
      'srv',
      'fallback.test',
      '--resolver',
      resolver,
      '--json',
      '--fail-on',
      'warning',
    ]);
    assert.equal(strict.code, 1);
  });

  it('prints JSON Lines in input order for arguments plus --file, with # comments skipped', async () => {
    // Given a file with comments and blank lines, and a slow first domain
    const file = join(dir, 'domains.txt');
    writeFileSync(file, '# partners\nfallback.test   # no SRV\n\nmissing.test\n');
    // When several domains are checked at once
    const r = await runCli([
      'check',
      'srv',
      'slow.test',
      'good.test',
      '--file',
      file,
      '--resolver',
      resolver,
      '--json',
      '--concurrency',
      '4',
    ]);
    // Then there is one document per domain, in input order, and the worst status decides the exit code
    const docs = jsonLines(r.stdout) as { target: string }[];
    assert.deepEqual(
      docs.map((d) => d.target),
      ['slow.test', 'good.test', 'fallback.test', 'missing.test'],
    );
    for (const d of docs) assertValidReport(d);
    assert.equal(r.code, 1);
  });

  it('shows the SRV list, the connect list and the findings in the human report, IDNs in both forms', async () => {
    const r = await runCli(['check', 'srv', 'bücher.test', '--resolver', resolver]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /domain bücher\.test \(A-label xn--bcher-kva\.test\)/);
    assert.match(r.stdout, /_xmpp-server\._tcp\.xn--bcher-kva\.test/);
    assert.match(r.stdout, /1\. xmpp\.good\.test 127\.0\.0\.2:5269 STARTTLS/);
    assert.match(r.stdout, /\[dns\.srv\.ok\]/);
  });

  it('includes the DNS transcript with --transcript', async () => {
    const r = await runCli(['check', 'srv', 'good.test', '--resolver', resolver, '--json', '--transcript']);
    const doc = jsonLines(r.stdout)[0] as { transcript: { dir: string; data: string }[] };
    assert.ok(
      doc.transcript.some((t) => t.dir === 'out' && t.data.startsWith('SRV? _xmpp-server._tcp.good.test')),
    );
  });

  it('compares repeated --resolver flags and shows the differing answers side by side', async () => {
    // Given a second resolver whose view gives the SRV target another address (split DNS)
    const inside = await startFakeDns({
      zone: {
        '_xmpp-server._tcp.good.test': [srv(5269, 'xmpp.good.test')],
        'xmpp.good.test': [a('127.0.9.2')],
      },
    });
    try {
      const other = `127.0.0.1:${inside.port}`;
      // When both are given with --resolver
      const json = await runCli([
        'check',
        'srv',
        'good.test',
        '--resolver',
        resolver,
        '--resolver',
        other,
        '--json',
      ]);
      const text = await runCli(['check', 'srv', 'good.test', '--resolver', resolver, '--resolver', other]);
      // Then the warning lists each resolver's answer, and the text report shows both views
      assert.equal(json.code, 0, json.stderr);
      const doc = jsonLines(json.stdout)[0] as { findings: { evidence: { answers?: string[] } }[] };
      assertValidReport(doc);
      assert.deepEqual(idsOf(doc), ['dns.resolvers.disagree']);
      assert.deepEqual(
        doc.findings[0]?.evidence.answers?.map((l) => l.replace(/ → .*xmpp\.good\.test: /, ' → ')),
        [`${resolver} → 127.0.0.2`, `${other} → 127.0.9.2`],
      );
      assert.match(text.stdout, new RegExp(`resolvers ${resolver}, ${other}, compared`));
      assert.match(
        text.stdout,
        new RegExp(
          `As answered by ${resolver} [^]*→ 127\\.0\\.0\\.2[^]*As answered by ${other}:[^]*→ 127\\.0\\.9\\.2`,
        ),
      );
    } finally {
      await inside.close();
    }
  });

  it('waits for a silent resolver only at the start of a batch, and names it in every report', async () => {
    // Given a silent first resolver, a working second one, and 40 domains
    const silent = await startFakeDns({ handler: () => ({ silent: true }) });
    try {
      const file = join(dir, 'forty.txt');
      writeFileSync(file, Array.from({ length: 40 }, (_, i) => `d${i}.good.test\n`).join(''));
      // When they are checked four at a time
      const r = await runCli([
        'check',
        'srv',
        '--file',
        file,
        '--resolver',
        `127.0.0.1:${silent.port}`,
        '--resolver',
        resolver,
        '--concurrency',
        '4',
        '--timeout',
        '300',
        '--json',
      ]);
      // Then only the first domains waited for it; later ones skipped it and said why
      const waited = new Set(silent.questions.map((q) => q.name.replace(/^_[a-z-]+\._tcp\./, '')));
      assert.ok(waited.size <= 8, `${waited.size} domains waited for the silent resolver`);
      const docs = jsonLines(r.stdout) as { target: string; facts: { skipped?: { resolver: string }[] } }[];
      assert.equal(docs.length, 40);
      for (const d of docs) {
        assertValidReport(d);
        assert.ok(idsOf(d).includes('dns.resolver.timeout'), d.target);
      }
      assert.equal(docs[39]?.facts.skipped?.[0]?.resolver, `127.0.0.1:${silent.port}`);
      assert.equal(r.code, 1);
    } finally {
      await silent.close();
    }
  });

  it('spins on stderr when stderr is a terminal, and keeps stdout free of it', {
    skip: !SCRIPT && 'script(1) is not installed',
  }, async () => {
    // Given stderr on a terminal and a domain whose answer takes 300 ms
    // When the human report is asked for
    const r = await runOnTerminal(
      ['check', 'srv', 'slow.test', '--resolver', resolver],
      join(dir, 'tty-text.txt'),
    );
    // Then the terminal shows the spinner and the report on stdout carries none of it
    assert.match(r.terminal, /[\u2800-\u28ff] checking slow\.test/);
    assert.match(r.stdout, /^xfed check srv slow\.test +PASS/);
    assert.doesNotMatch(r.stdout, /checking slow\.test|\x1b/);
  });

  it('does not spin on a terminal that reports 0 columns (ora would clear lines forever)', {
    skip: !SCRIPT && 'script(1) is not installed',
  }, async () => {
    // Given stderr on a terminal without a width (script(1) in some CI runners, docker exec -t)
    // When the human report is asked for
    const r = await runOnTerminal(
      ['check', 'srv', 'slow.test', '--resolver', resolver],
      join(dir, 'tty-0.txt'),
      0,
    );
    // Then it finishes with the report and draws nothing on the terminal
    assert.equal(r.terminal, '');
    assert.match(r.stdout, /^xfed check srv slow\.test +PASS/);
  });

  it('never spins with --json, even on a terminal', {
    skip: !SCRIPT && 'script(1) is not installed',
  }, async () => {
    const r = await runOnTerminal(
      ['check', 'srv', 'slow.test', '--resolver', resolver, '--json'],
      join(dir, 'tty-json.txt'),
    );
    assert.equal(r.terminal, '');
    assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['dns.srv.ok']);
  });

  it('turns a silent resolver into a finding within the --timeout', async () => {
    const silent = await startFakeDns({ handler: () => ({ silent: true }) });
    try {
      const t0 = Date.now();
      const r = await runCli([
        'check',
        'srv',
        'good.test',
        '--resolver',
        `127.0.0.1:${silent.port}`,
        '--timeout',
        '300',
        '--json',
      ]);
      assert.equal(r.code, 1);
      assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['dns.resolver.timeout']);
      assert.ok(Date.now() - t0 < 5000, `took ${Date.now() - t0} ms`);
    } finally {
      await silent.close();
    }
  });

  for (const [what, args] of [
    ['a malformed domain', ['check', 'srv', 'bad..domain']],
    ['a resolver host name', ['check', 'srv', 'good.test', '--resolver', 'ns.example.org']],
    ['port 0', ['check', 'srv', 'good.test', '--resolver', '127.0.0.1:0']],
    ['-4 with -6', ['check', 'srv', 'good.test', '-4', '-6']],
    ['a missing --file', ['check', 'srv', '--file', '/nonexistent/domains.txt']],
    ['a --file that is a device', ['check', 'srv', '--file', '/dev/zero']],
    ['a bad line in --file', ['check', 'srv', '--file', 'BADFILE']],
    ['a bad --concurrency', ['check', 'srv', 'good.test', '--concurrency', '0']],
    ['a bad --timeout', ['check', 'srv', 'good.test', '--timeout', 'soon']],
  ] as const) {
    it(`exits 2 with one line on stderr and no traffic for ${what}`, async () => {
      // Given a file whose second entry is malformed (the first is valid: nothing may be sent)
      const bad = join(dir, 'bad.txt');
      writeFileSync(bad, 'good.test\nnot a domain\n');
      const before = dns.questions.length;
      const argv = [...args.map((x) => (x === 'BADFILE' ? bad : x)), '--resolver', resolver, '--json'];
      const r = await runCli(argv);
      assert.equal(r.code, 2, r.stderr);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /^xfed check srv: /);
      if (what === 'a bad line in --file') assert.match(r.stderr, /line 2/);
      if (what === 'a --file that is a device')
        assert.match(r.stderr, /not a regular file.*one domain a line/);
      assert.equal(dns.questions.length, before, 'no DNS query may be sent');
    });
  }

  it('loads neither undici, ora nor the help/completion plugins', async () => {
    // The lister (bench/lib/list-modules.mjs) sees ESM, CommonJS and the bundle's source modules.
    const r = await runCliListingModules(['check', 'srv', 'good.test', '--resolver', resolver, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(
      r.modules.some((m) => m.includes('node_modules/dns-packet/')),
      'the lister must see dependencies at all',
    );
    assert.ok(r.modules.includes('src/commands/check/srv.ts'));
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
