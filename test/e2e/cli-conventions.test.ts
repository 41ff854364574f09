/**
 * CLI conventions (issue 13): the root help lists every command with its summary; `xfed help`
 * and `-h` work; a typo names the nearest command; shell completion exists; piped stdin is
 * never taken as a target, `--file -` reads targets from it; XFED_CA stands in for --ca.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Config } from '@oclif/core';
import { startFakeDns } from '../fakes/fake-dns-server.js';
import { jsonLines, runCli } from '../helpers/cli.js';

const root = new URL('../..', import.meta.url).pathname;

describe('CLI conventions (e2e)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'xfed-cli-conv-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every command with its summary in the root help, for --help, -h and help', async () => {
    const config = await Config.load(root);
    const visible = config.commands.filter((c) => !c.hidden);
    for (const argv of [['--help'], ['-h'], ['help']]) {
      const r = await runCli(argv);
      assert.equal(r.code, 0, `${argv}: ${r.stderr}`);
      const flat = r.stdout.replace(/\s+/g, ' ');
      for (const c of visible) {
        const id = c.id.replaceAll(':', ' ');
        assert.match(
          r.stdout,
          new RegExp(`^  ${id.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s`, 'm'),
          `${argv}: ${id}`,
        );
        const summary = (c.summary ?? c.description ?? '').split('\n')[0]?.replace(/\s+/g, ' ') ?? '';
        assert.ok(flat.includes(summary.slice(0, 30)), `${argv}: summary of ${id}`);
      }
    }
  });

  it('shows one command\u2019s help for help <command> and <command> -h', async () => {
    for (const argv of [
      ['help', 'check', 'srv'],
      ['check', 'srv', '-h'],
    ]) {
      const r = await runCli(argv);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /\$ xfed check srv/);
    }
  });

  it('names the nearest command for a typo, on one line, exit 2', async () => {
    const r = await runCli(['chek', 'srv']);
    assert.equal(r.code, 2);
    assert.equal(r.stdout, '');
    assert.equal(
      r.stderr,
      'xfed: "chek srv" is not an xfed command; did you mean "check srv"? (see xfed --help)\n',
    );
    // with the target typed too, the suggestion still comes (the domain is not part of the name)
    const withTarget = await runCli(['chek', 'srv', 'example.org']);
    assert.equal(withTarget.code, 2);
    assert.match(withTarget.stderr, /; did you mean "check srv"\?/);
    const far = await runCli(['qqqqqqqq']);
    assert.equal(far.code, 2);
    assert.doesNotMatch(far.stderr, /did you mean/);
  });

  it('prints a shell completion script', async () => {
    const r = await runCli(['autocomplete', 'script', 'bash'], { env: { XDG_CACHE_HOME: dir, HOME: dir } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /XFED_AC_BASH_SETUP_PATH/);
  });

  describe('stdin', () => {
    let dns: Awaited<ReturnType<typeof startFakeDns>>;
    before(async () => {
      dns = await startFakeDns({
        zone: {
          '_xmpp-server._tcp.a.test': [
            { type: 'SRV', data: { priority: 0, weight: 0, port: 5269, target: 'x.a.test' } },
          ],
          'x.a.test': [{ type: 'A', data: '127.0.0.9' }],
        },
      });
    });
    after(() => dns.close());

    it('does not take piped stdin as a target', async () => {
      const before = dns.questions.length;
      const r = await runCli(['check', 'srv', '--resolver', `127.0.0.1:${dns.port}`, '--json'], {
        input: 'a.test\n',
      });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /missing domain.*use --file - to read them from it/);
      assert.equal(dns.questions.length, before, 'nothing was asked');
    });

    it('reads targets from stdin with --file -', async () => {
      const r = await runCli(
        ['check', 'srv', '--file', '-', '--resolver', `127.0.0.1:${dns.port}`, '--json'],
        {
          input: '# list\na.test\n\nb.test\n',
        },
      );
      const docs = jsonLines(r.stdout) as { target: string }[];
      assert.deepEqual(
        docs.map((d) => d.target),
        ['a.test', 'b.test'],
      );
    });
  });

  it('takes CA files from XFED_CA when no --ca is given, naming XFED_CA in errors', async () => {
    const r = await runCli(['probe', 'tls', 'x.test'], {
      env: { XFED_CA: `${join(dir, 'absent.pem')}:/dev/zero` },
    });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^xfed probe tls: XFED_CA .*absent\.pem: cannot read the file \(ENOENT\)/);
    const dev = await runCli(['dialback', 'verify', 'a.test', '--as', 'b.test'], {
      env: { XFED_CA: '/dev/zero' },
    });
    assert.equal(dev.code, 2);
    assert.match(dev.stderr, /XFED_CA \/dev\/zero is not a regular file \(a character device\)/);
    // --ca wins over XFED_CA
    const flag = await runCli(['probe', 'tls', 'x.test', '--ca', '/dev/null/x'], {
      env: { XFED_CA: '/dev/zero' },
    });
    assert.match(flag.stderr, /--ca \/dev\/null\/x: cannot read the file/);
  });

  it('documents XFED_CA in the help of every command that takes --ca', async () => {
    for (const cmd of [['probe', 'tls'], ['dialback'], ['dialback', 'verify'], ['axl-auth']]) {
      const r = await runCli([...cmd, '--help']);
      assert.match(r.stdout.replace(/\s+/g, ' '), /XFED_CA/, cmd.join(' '));
    }
  });
});
