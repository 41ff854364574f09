/**
 * xfed axl-auth end to end (built CLI against the fake AXL endpoint): exit codes, pure JSON on
 * stdout, the password never printed (text, JSON, transcript; success and 401), usage errors
 * exit 2 before any traffic, and the command's module stays light for other commands.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { FAKE_PASSWORD, FAKE_USER, type FakeAxl, startFakeAxl } from '../fakes/fake-axl-server.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';

describe('xfed axl-auth (e2e)', () => {
  let fake: FakeAxl;
  let dir: string;
  let caFile: string;
  const base = () => [
    'axl-auth',
    '--host',
    '127.0.0.1',
    '--port',
    String(fake.port),
    '--user',
    FAKE_USER,
    '--ca',
    caFile,
  ];
  const basic = (pw: string) => Buffer.from(`${FAKE_USER}:${pw}`).toString('base64');

  before(async () => {
    fake = await startFakeAxl({
      s2sRows: [{ pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' }],
    });
    dir = mkdtempSync(join(tmpdir(), 'xfed-axl-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, fake.caPem);
  });
  after(async () => {
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('succeeds with exit 0 and one valid JSON document listing the xmpps2snodes rows', async () => {
    // Given the password in XFED_AXL_PASSWORD
    // When axl-auth runs with --json --query-s2s
    const r = await runCli([...base(), '--query-s2s', '--json'], {
      env: { XFED_AXL_PASSWORD: FAKE_PASSWORD },
    });
    // Then stdout is exactly one report, and exit is 0
    assert.equal(r.code, 0, r.stderr);
    const docs = jsonLines(r.stdout);
    assert.equal(docs.length, 1);
    assertValidReport(docs[0]);
    assert.deepEqual(idsOf(docs[0]), ['cert.check.ok', 'axl.auth.ok', 'axl.s2s.present']);
    assert.equal(r.stderr, '');
  });

  it('reads the password from --password-stdin', async () => {
    const r = await runCli([...base(), '--password-stdin', '--json'], { input: `${FAKE_PASSWORD}\n` });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['cert.check.ok', 'axl.auth.ok']);
  });

  it('exits 1 with axl.auth.unauthorized for a wrong password', async () => {
    const r = await runCli([...base(), '--json'], { env: { XFED_AXL_PASSWORD: 'not-the-password' } });
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['axl.auth.unauthorized', 'cert.check.ok']);
  });

  it('never prints the password or its Basic form: text and JSON, success and 401, with --transcript', async () => {
    for (const password of [FAKE_PASSWORD, 'Wr0ng&Passw0rd:']) {
      for (const mode of [[], ['--json']]) {
        // Given a run with the transcript on
        const r = await runCli([...base(), '--query-s2s', '--transcript', ...mode], {
          env: { XFED_AXL_PASSWORD: password },
        });
        assert.ok(r.code === 0 || r.code === 1, `${r.code} ${r.stderr}`);
        // Then neither stream contains the secret, and the Authorization header shows as redacted
        for (const [name, out] of [
          ['stdout', r.stdout],
          ['stderr', r.stderr],
        ] as const) {
          assert.ok(!out.includes(password), `password in ${name} (${mode.join(' ')})`);
          assert.ok(!out.includes(basic(password)), `Basic credential in ${name} (${mode.join(' ')})`);
        }
        assert.match(r.stdout, /authorization: \[redacted\]/);
        if (mode.length) {
          const doc = jsonLines(r.stdout)[0] as { transcript?: unknown[] };
          assertValidReport(doc);
          assert.ok((doc.transcript?.length ?? 0) > 0);
        }
      }
    }
  });

  it('shows the gathered facts and the finding text in the human report', async () => {
    const r = await runCli([...base(), '--query-s2s'], { env: { XFED_AXL_PASSWORD: FAKE_PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^xfed axl-auth 127\.0\.0\.1 {2}PASS/);
    assert.match(r.stdout, /request {4}POST getCCMVersion ver=15\.0 \[session-cookie\] -> 200/);
    assert.match(r.stdout, /055c13d9-943d-459d-a3c6-af1d1176936d {2}cm-2_s2scp-1\.eft-xwye-a-coluc-com/);
    assert.match(r.stdout, /\[axl\.auth\.ok\]/);
  });

  it('exits 2 with one line on stderr and sends nothing for bad input', async () => {
    const before = fake.connections();
    const env = { XFED_AXL_PASSWORD: FAKE_PASSWORD, XFED_AXL_USER: '' };
    const port = String(fake.port);
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['axl-auth', '--user', FAKE_USER], env, /missing --host/],
      [
        ['axl-auth', '--host', '127.0.0.1', '--port', '0', '--user', FAKE_USER],
        env,
        /port 0 is out of range/,
      ],
      [['axl-auth', '--host', '127.0.0.1', '--port', '99999', '--user', FAKE_USER], env, /out of range/],
      [['axl-auth', '--host', 'bad host!', '--user', FAKE_USER], env, /host/],
      [
        ['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', FAKE_USER, '--axl-version', '14'],
        env,
        /--axl-version "14" is not a version/,
      ],
      [['axl-auth', '--host', '127.0.0.1', '--port', port], env, /missing --user/],
      [['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', 'a:b'], env, /--user "a:b" must be/],
      [
        ['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', FAKE_USER],
        { XFED_AXL_PASSWORD: '' },
        /set XFED_AXL_PASSWORD, or pipe it in with --password-stdin/,
      ],
      [
        [
          'axl-auth',
          '--host',
          '127.0.0.1',
          '--port',
          port,
          '--user',
          FAKE_USER,
          '--ca',
          join(dir, 'missing.pem'),
        ],
        env,
        /--ca .*missing\.pem: cannot read the file/,
      ],
      [
        ['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', FAKE_USER, '--password=hunter2'],
        env,
        /there is no --password flag/,
      ],
      [
        ['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', FAKE_USER, '--password', 'hunter2'],
        env,
        /there is no --password flag/,
      ],
      // The password typed on the command line by mistake: oclif would echo it
      ...[['--password-stdin', 'hunter2'], ['--password-stdin=hunter2'], ['hunter2']].map(
        (extra): [string[], NodeJS.ProcessEnv, RegExp] => [
          ['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', FAKE_USER, ...extra],
          env,
          /unexpected argument \(not shown, in case it is a secret\); .*XFED_AXL_PASSWORD/,
        ],
      ),
      ...[
        [['--passwd=hunter2'], /nonexistent flag --passwd=…;/],
        [['--pass', 'hunter2'], /nonexistent flag --pass;/],
        [['-phunter2'], /nonexistent flag -p…;/],
      ].map(([extra, message]): [string[], NodeJS.ProcessEnv, RegExp] => [
        ['axl-auth', '--host', '127.0.0.1', '--port', port, '--user', FAKE_USER, ...(extra as string[])],
        env,
        message as RegExp,
      ]),
    ];
    for (const [args, e, message] of cases) {
      const r = await runCli(args, { env: e });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /hunter2/, 'a password given on the command line is not echoed');
    }
    // And the endpoint never saw a connection
    assert.equal(fake.connections(), before);
  });

  it('takes the user from XFED_AXL_USER', async () => {
    const args = ['axl-auth', '--host', '127.0.0.1', '--port', String(fake.port), '--ca', caFile, '--json'];
    const r = await runCli(args, { env: { XFED_AXL_USER: FAKE_USER, XFED_AXL_PASSWORD: FAKE_PASSWORD } });
    assert.equal(r.code, 0, r.stderr);
  });

  it('documents --password-stdin and has no --password flag', async () => {
    const r = await runCli(['axl-auth', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /--password-stdin/);
    assert.doesNotMatch(r.stdout, /--password\s/);
  });
});
