/**
 * End to end: the built CLI's global behaviour (help, version, usage errors). Usage errors
 * exit 2 with exactly one line on stderr and nothing on stdout (report contract, "Exit codes").
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('xfed CLI basics (built CLI)', () => {
  it('xfed --help lists the commands and exits 0', async () => {
    const r = await runCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /USAGE/);
    assert.match(r.stdout, /\bcheck\b/);
    assert.match(r.stdout, /\bexplain\b/);
  });

  it('xfed --version prints the package version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^xfed/${pkg.version.replaceAll('.', '\\.')} `));
  });

  it('xfed check srv --help shows flags and examples', async () => {
    const r = await runCli(['check', 'srv', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /EXAMPLES/);
    assert.match(r.stdout, /\$ xfed check srv example\.org/);
    for (const flag of [
      '--resolver',
      '--tcp',
      '-4',
      '-6',
      '--file',
      '--concurrency',
      '--json',
      '--timeout',
    ]) {
      assert.ok(r.stdout.includes(flag), `help lacks ${flag}`);
    }
  });

  it('xfed explain --help shows examples', async () => {
    const r = await runCli(['explain', '--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /EXAMPLES/);
  });

  const usageErrors: [string, string[], RegExp][] = [
    ['an unknown flag', ['check', 'srv', 'example.org', '--bogus'], /Nonexistent flag: --bogus/],
    ['an unknown command', ['nosuch-command'], /"nosuch-command" is not an xfed command/],
    ['a missing argument', ['check', 'srv'], /missing domain/],
    ['a domain with an empty label', ['check', 'srv', 'a..example.org'], /empty label/],
    ['an IP address instead of a domain', ['check', 'srv', '192.0.2.1'], /is an IP address/],
    ['a domain with white space', ['check', 'srv', 'exa mple.org'], /white space/],
    ['an overlong label', ['check', 'srv', `${'a'.repeat(64)}.org`], /at most 63/],
    [
      'a name over 253 octets',
      ['check', 'srv', `${'a'.repeat(60)}.`.repeat(4) + 'example.org'],
      /at most 253/,
    ],
    ['an IPv6 address instead of a domain', ['check', 'srv', '2001:db8::1'], /is an IP address/],
    ['port 65536', ['check', 'srv', 'example.org', '--resolver', '127.0.0.1:65536'], /out of range/],
    ['a label with invalid characters', ['check', 'srv', 'ex!ample.org'], /invalid label/],
    ['port 0', ['check', 'srv', 'example.org', '--resolver', '127.0.0.1:0'], /port 0 is out of range/],
    ['an unknown --fail-on value', ['check', 'srv', 'example.org', '--fail-on', 'info'], /fail-on/],
  ];
  for (const [what, args, message] of usageErrors) {
    it(`exits 2 with one stderr line and empty stdout for ${what}`, async () => {
      const r = await runCli(args);
      assert.equal(r.code, 2, `stderr: ${r.stderr}`);
      assert.equal(r.stdout, '');
      const lines = r.stderr.trimEnd().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', message);
    });
  }
});
