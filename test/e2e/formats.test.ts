/**
 * --format nagios|junit|github|markdown end to end: the built CLI against an in-process fake
 * resolver (check srv) gives a pass, a warning and a failure. Nagios state, exit code and
 * perfdata syntax; JUnit validated with xmllint against the JUnit schema; GitHub workflow
 * commands and the job summary; the Markdown report; --json as the alias of --format json.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type FakeDnsServer, type FakeRecord, startFakeDns } from '../fakes/fake-dns-server.js';
import { jsonLines, runCli } from '../helpers/cli.js';
import { assertValidJunit, xmllintMissing } from '../helpers/junit.js';
import { assertValidReport } from '../helpers/schema.js';

const srv = (port: number, target: string): FakeRecord => ({
  type: 'SRV',
  data: { priority: 5, weight: 0, port, target },
});
const a = (ip: string): FakeRecord => ({ type: 'A', data: ip });

/** Monitoring Plugins perfdata: 'label'=value[UOM];[warn];[crit];[min];[max] */
const PERFDATA = /^('[^'=]+'|[^'=\s]+)=-?\d+(\.\d+)?(s|ms|us|%|B|KB|MB|TB|c)?(;(-?\d+(\.\d+)?)?){0,4}$/;

function perfItems(firstLine: string): string[] {
  const i = firstLine.indexOf('|');
  assert.ok(i > 0, `no perfdata in: ${firstLine}`);
  return firstLine
    .slice(i + 1)
    .trim()
    .split(/\s+/);
}

describe('output formats (built CLI, fake resolver)', () => {
  let dns: FakeDnsServer;
  let resolver: string;
  const dir = mkdtempSync(join(tmpdir(), 'xfed-e2e-formats-'));
  const srvArgs = (...domains: string[]) => ['check', 'srv', ...domains, '--resolver', resolver];

  before(async () => {
    dns = await startFakeDns({
      zone: {
        '_xmpp-server._tcp.good.test': [srv(5269, 'xmpp.good.test')],
        'xmpp.good.test': [a('127.0.0.2')],
        'fallback.test': [a('127.0.0.3')],
      },
    });
    resolver = `127.0.0.1:${dns.port}`;
  });
  after(async () => {
    await dns.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('nagios', () => {
    it('OK, exit 0, for a healthy domain, with perfdata in plugin syntax', async () => {
      const r = await runCli([...srvArgs('good.test'), '--format', 'nagios']);
      assert.equal(r.code, 0, r.stderr);
      const first = r.stdout.split('\n')[0] as string;
      assert.match(first, /^XFED CHECK SRV OK - good\.test: \S.*\|/);
      const perf = perfItems(first);
      for (const p of perf) assert.match(p, PERFDATA);
      assert.ok(
        perf.some((p) => /^dns=\d+(\.\d+)?s;;;0$/.test(p)),
        perf.join(' '),
      );
      assert.ok(perf.includes('srv_targets=1;;;0'), perf.join(' '));
    });

    it('WARNING, exit 1, for a warning; CRITICAL, exit 2, with --fail-on warning', async () => {
      const warn = await runCli([...srvArgs('fallback.test'), '--format', 'nagios']);
      assert.equal(warn.code, 1);
      assert.match(warn.stdout, /^XFED CHECK SRV WARNING - fallback\.test: /);
      const strict = await runCli([
        ...srvArgs('fallback.test'),
        '--format',
        'nagios',
        '--fail-on',
        'warning',
      ]);
      assert.equal(strict.code, 2);
      assert.match(strict.stdout, /^XFED CHECK SRV CRITICAL - fallback\.test: /);
    });

    it('CRITICAL, exit 2, for an error', async () => {
      const r = await runCli([...srvArgs('missing.test'), '--format', 'nagios']);
      assert.equal(r.code, 2);
      assert.match(r.stdout, /^XFED CHECK SRV CRITICAL - missing\.test: .*does not exist/i);
    });

    it('UNKNOWN, exit 3, for a usage error, with the status line on stdout', async () => {
      const r = await runCli(['check', 'srv', 'bad..name', '--format', 'nagios']);
      assert.equal(r.code, 3);
      assert.match(r.stdout, /^XFED CHECK SRV UNKNOWN - usage error: .*empty label/);
      assert.equal(r.stdout.trim().split('\n').length, 1);
      const flag = await runCli(['check', 'srv', 'good.test', '--format=nagios', '--no-such-flag']);
      assert.equal(flag.code, 3);
      assert.match(flag.stdout, /^XFED CHECK SRV UNKNOWN - usage error/);
    });

    it('several targets: the worst state wins and comes first, one line per target, labels per target', async () => {
      const r = await runCli([
        ...srvArgs('good.test', 'missing.test', 'fallback.test'),
        '--format',
        'nagios',
      ]);
      assert.equal(r.code, 2);
      const lines = r.stdout.trim().split('\n');
      assert.match(lines[0] as string, /^XFED CHECK SRV CRITICAL - missing\.test: /);
      assert.ok(lines.some((l) => /^XFED CHECK SRV WARNING - fallback\.test: /.test(l)));
      assert.ok(lines.some((l) => /^XFED CHECK SRV OK - good\.test: /.test(l)));
      const perf = perfItems(lines[0] as string);
      for (const p of perf) assert.match(p, PERFDATA);
      assert.ok(perf.some((p) => p.startsWith('good.test_dns=')));
      assert.ok(perf.some((p) => p.startsWith('missing.test_dns=')));
      assert.equal(r.stdout.split('|').length, 2, 'perfdata separator used once');
    });

    it('leaves the usage-error exit code at 2 without --format nagios', async () => {
      const r = await runCli(['check', 'srv', 'bad..name']);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
    });
  });

  describe('junit', () => {
    const skip = xmllintMissing();
    it('one testsuite per target, a failure per error, valid against the JUnit schema', {
      skip,
    }, async () => {
      const r = await runCli([...srvArgs('good.test', 'missing.test', 'fallback.test'), '--format', 'junit']);
      assert.equal(r.code, 1);
      assertValidJunit(r.stdout);
      assert.equal(r.stdout.match(/<testsuite /g)?.length, 3);
      assert.equal(r.stdout.match(/<failure /g)?.length, 1);
      assert.match(r.stdout, /<failure type="dns\.domain\.nxdomain"/);
    });

    it('warnings become failures with --fail-on warning', { skip }, async () => {
      const r = await runCli([...srvArgs('fallback.test'), '--format', 'junit', '--fail-on', 'warning']);
      assert.equal(r.code, 1);
      assertValidJunit(r.stdout);
      assert.match(r.stdout, /<failure type="dns\.srv\.missing"/);
      assert.match(r.stdout, /<testsuites [^>]*failures="1"/);
    });
  });

  describe('github', () => {
    it('prints ::error / ::warning workflow commands and appends a Markdown job summary', async () => {
      const summary = join(dir, 'summary.md');
      const r = await runCli([...srvArgs('missing.test', 'fallback.test'), '--format', 'github'], {
        env: { GITHUB_STEP_SUMMARY: summary },
      });
      assert.equal(r.code, 1);
      const lines = r.stdout.trim().split('\n');
      assert.ok(
        lines.every((l) => /^::(error|warning|debug)( title=[^:]*)?::/.test(l)),
        `not all lines are workflow commands:\n${r.stdout}`,
      );
      assert.ok(lines.some((l) => l.startsWith('::error title=xfed check srv missing.test%3A ')));
      assert.ok(lines.some((l) => l.startsWith('::warning title=xfed check srv fallback.test%3A ')));
      const md = readFileSync(summary, 'utf8');
      assert.match(md, /^# xfed check srv/);
      assert.match(md, /\| missing\\?\.test \| fail \| 1 \| 0 \|/);
    });
  });

  describe('markdown', () => {
    it('addresses the peer: what we observed, what to change on their side, evidence; no colour', async () => {
      const r = await runCli([...srvArgs('missing.test'), '--format', 'markdown'], {
        env: { FORCE_COLOR: '1', NO_COLOR: undefined },
      });
      assert.equal(r.code, 1);
      assert.ok(!r.stdout.includes('\u001b['), 'ANSI escape in markdown');
      assert.match(r.stdout, /^## XMPP federation check of missing\.test/);
      const observed = r.stdout.indexOf('**What we observed:**');
      const fix = r.stdout.indexOf('**What to change on your side:**');
      const why = r.stdout.indexOf('**Why:**');
      assert.ok(observed > 0 && fix > observed && why > fix, 'observed, then their fix, then the cause');
      assert.match(r.stdout, /\*\*Evidence:\*\*/);
    });
  });

  describe('--json and --format json', () => {
    it('are the same schema-valid output; --json with another --format is a usage error', async () => {
      const a1 = await runCli([...srvArgs('good.test'), '--json']);
      const a2 = await runCli([...srvArgs('good.test'), '--format', 'json']);
      assert.equal(a1.code, 0);
      assert.equal(a2.code, 0);
      for (const out of [a1.stdout, a2.stdout]) assertValidReport(jsonLines(out)[0]);
      const both = await runCli([...srvArgs('good.test'), '--json', '--format', 'junit']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /--json and --format junit/);
    });
  });
});
