/**
 * xfed cisco services end to end (built CLI against fake Control Center nodes): one report per
 * --host (JSON Lines), exit codes, the human report, the password never printed (text, JSON,
 * transcript; success and 401), usage errors exit 2 before any traffic, `xfed axl-auth` and its
 * `xfed cisco axl-auth` alias both work, and the command module stays light.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeAxl, startFakeAxl } from '../fakes/fake-axl-server.js';
import {
  FAKE_PASSWORD,
  FAKE_USER,
  type FakeControlCenter,
  healthyImp,
  startFakeControlCenter,
} from '../fakes/fake-control-center.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';

const env = { XFED_AXL_PASSWORD: FAKE_PASSWORD };
const verdicts = (doc: unknown) =>
  idsOf(doc).filter((id) => id !== 'cisco.service.status' && id !== 'cert.check.ok');

describe('xfed cisco services (e2e)', () => {
  let imp1: FakeControlCenter;
  let imp2: FakeControlCenter;
  let dir: string;
  let caFile: string;
  const base = (...hosts: string[]) => [
    'cisco',
    'services',
    ...hosts.flatMap((h) => ['--host', h]),
    '--user',
    FAKE_USER,
    '--ca',
    caFile,
  ];

  before(async () => {
    imp1 = await startFakeControlCenter();
    // The second node: the XCP Router was started 10 minutes ago, the Federation CM runs
    imp2 = await startFakeControlCenter({
      prefix: 'none',
      services: healthyImp(600).map((s) =>
        s.name === 'Cisco XCP XMPP Federation Connection Manager'
          ? { ...s, status: 'Started', upTime: 600 }
          : s,
      ),
    });
    dir = mkdtempSync(join(tmpdir(), 'xfed-cisco-'));
    caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, imp1.caPem);
  });
  after(async () => {
    await imp1.close();
    await imp2.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('asks each --host separately and prints one valid JSON document per node, in order', async () => {
    const changedAt = new Date(Date.now() - 3_600_000).toISOString();
    const r = await runCli(
      [
        ...base(`127.0.0.1:${imp1.port}`, `localhost:${imp2.port}`),
        '--via',
        'expressway',
        '--changed-at',
        changedAt,
        '--json',
      ],
      { env },
    );
    // Then node 1 needs a router restart, node 2 federates by itself: exit 1
    assert.equal(r.code, 1, r.stderr);
    const docs = jsonLines(r.stdout);
    assert.equal(docs.length, 2);
    for (const d of docs) assertValidReport(d);
    const [one, two] = docs as { target: string; command: string; options: Record<string, unknown> }[];
    assert.equal(one!.target, '127.0.0.1');
    assert.equal(two!.target, 'localhost');
    assert.equal(one!.command, 'cisco services');
    assert.deepEqual(verdicts(one), ['cisco.xcp-router.restart-pending']);
    assert.deepEqual(verdicts(two), [
      'cisco.federation.imp-also-federating',
      'cisco.xcp-router.restarted-since-change',
    ]);
    assert.equal(one!.options.via, 'expressway');
    assert.equal(one!.options.changedAt, changedAt);
    assert.equal(imp1.requests.length >= 1 && imp2.requests.length >= 1, true);
    assert.equal(r.stderr, '');
  });

  it('exits 0 for a healthy node and shows the services in the human report', async () => {
    const r = await runCli([...base(`127.0.0.1:${imp1.port}`), '--via', 'expressway'], { env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^xfed cisco services 127\.0\.0\.1 {2}PASS/);
    assert.match(r.stdout, /service {4}Cisco XCP Router +Started {2}up 1 d 01:00:00/);
    assert.match(r.stdout, /service {4}Cisco XCP XMPP Federation Connection Manager {2}Stopped\n/);
    assert.match(
      r.stdout,
      /request {4}POST \/controlcenterservice2\/services\/ControlCenterServices \[basic\] -> 200/,
    );
    assert.match(r.stdout, /\[cisco\.service\.status\]/);
  });

  it('reads the password from --password-stdin', async () => {
    const r = await runCli([...base(`127.0.0.1:${imp1.port}`), '--password-stdin', '--json'], {
      input: `${FAKE_PASSWORD}\n`,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(verdicts(jsonLines(r.stdout)[0]), []);
  });

  it('never prints the password or its Basic form: text and JSON, success and 401, with --transcript', async () => {
    for (const password of [FAKE_PASSWORD, 'Wr0ng&Passw0rd:']) {
      const basic = Buffer.from(`${FAKE_USER}:${password}`).toString('base64');
      for (const mode of [[], ['--json']]) {
        const r = await runCli([...base(`127.0.0.1:${imp1.port}`), '--transcript', ...mode], {
          env: { XFED_AXL_PASSWORD: password },
        });
        assert.ok(r.code === 0 || r.code === 1, `${r.code} ${r.stderr}`);
        for (const [name, out] of [
          ['stdout', r.stdout],
          ['stderr', r.stderr],
        ] as const) {
          assert.ok(!out.includes(password), `password in ${name} (${mode.join(' ')})`);
          assert.ok(!out.includes(basic), `Basic credential in ${name} (${mode.join(' ')})`);
        }
        assert.match(r.stdout, /authorization: \[redacted\]/);
        if (password !== FAKE_PASSWORD) assert.match(r.stdout, /cisco\.auth\.unauthorized/);
      }
    }
  });

  it('exits 2 with one line on stderr and sends nothing for bad input', async () => {
    const before = imp1.connections();
    const host = `127.0.0.1:${imp1.port}`;
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['cisco', 'services', '--user', FAKE_USER], env, /missing --host/],
      [['cisco', 'services', '--host', host], { ...env, XFED_AXL_USER: '' }, /missing --user/],
      [[...base(host), '--changed-at', 'last tuesday'], env, /--changed-at "last tuesday" is not a time/],
      [
        [...base(host), '--changed-at', '2999-01-01T00:00:00Z'],
        env,
        /--changed-at "2999-01-01T00:00:00Z" is in the future/,
      ],
      [[...base(host), '--via', 'cups'], env, /--via/],
      [[...base(host), '--port', '9443'], env, /disagree/],
      [
        [...base(host)],
        { XFED_AXL_PASSWORD: '' },
        /set XFED_AXL_PASSWORD, or pipe it in with --password-stdin/,
      ],
      [[...base(host), '--password=hunter2'], env, /there is no --password flag/],
      [
        [...base(host), '--password-stdin', 'hunter2'],
        env,
        /unexpected argument \(not shown, in case it is a secret\)/,
      ],
      [[...base(host), '--passwd=hunter2'], env, /nonexistent flag --passwd=…;/],
    ];
    for (const [args, e, message] of cases) {
      const r = await runCli(args, { env: e });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stdout, '', args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.match(r.stderr, /^xfed cisco services: /);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /hunter2/, 'a password given on the command line is not echoed');
    }
    assert.equal(imp1.connections(), before);
  });

  it('documents --password-stdin, --via and --changed-at, and has no --password flag', async () => {
    const r = await runCli(['cisco', 'services', '--help']);
    assert.equal(r.code, 0, r.stderr);
    for (const flag of ['--password-stdin', '--via', '--changed-at', '--all', '--host'])
      assert.ok(r.stdout.includes(flag), flag);
    assert.doesNotMatch(r.stdout, /--password\s/);
  });
});

describe('xfed axl-auth under the cisco topic', () => {
  let axl: FakeAxl;
  let dir: string;
  before(async () => {
    axl = await startFakeAxl();
    dir = mkdtempSync(join(tmpdir(), 'xfed-cisco-axl-'));
    writeFileSync(join(dir, 'ca.pem'), axl.caPem);
  });
  after(async () => {
    await axl.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the same as xfed axl-auth, which keeps working', async () => {
    const args = [
      '--host',
      '127.0.0.1',
      '--port',
      String(axl.port),
      '--user',
      FAKE_USER,
      '--ca',
      join(dir, 'ca.pem'),
      '--json',
    ];
    const old = await runCli(['axl-auth', ...args], { env });
    const alias = await runCli(['cisco', 'axl-auth', ...args], { env });
    assert.equal(old.code, 0, old.stderr);
    assert.equal(alias.code, 0, alias.stderr);
    const [a, b] = [jsonLines(old.stdout)[0], jsonLines(alias.stdout)[0]] as { command: string }[];
    assert.deepEqual(idsOf(a), ['cert.check.ok', 'axl.auth.ok']);
    assert.deepEqual(idsOf(b), idsOf(a));
    assert.equal(b!.command, 'axl-auth');
  });

  it('does not echo a stray argument after --ca (the flag takes one value each time)', async () => {
    const args = [
      'axl-auth',
      '--host',
      '127.0.0.1',
      '--user',
      FAKE_USER,
      '--ca',
      join(dir, 'ca.pem'),
      'hunter2',
    ];
    const r = await runCli(args, { env });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /unexpected argument \(not shown, in case it is a secret\)/);
    assert.doesNotMatch(r.stderr, /hunter2/);
  });
});
