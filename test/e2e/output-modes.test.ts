/**
 * Output channels of the built CLI, on an offline command (dialback key) and explain:
 * colour only when asked for, nothing on stderr for a normal run, one JSON document with
 * --json, and the exit codes of the report contract.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';

const ESC = '\u001b[';
const KEY_ARGS = [
  'dialback',
  'key',
  '--receiving',
  'vngtp.lab',
  '--originating',
  'coluc.com',
  '--stream-id',
  '05E295A2B',
];
const SECRET = { XFED_DIALBACK_SECRET: 's3cr3tf0rd14lb4ck' };

describe('output modes', () => {
  it('prints no colour into a pipe, and none with NO_COLOR even when stdout is piped', async () => {
    const r = await runCli(KEY_ARGS, { env: SECRET });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes(ESC), 'ANSI escape in piped output');
    assert.equal(r.stderr, '');
    assert.match(r.stdout, /\[dialback\.key\.computed\]/);
  });

  it('colours the report when FORCE_COLOR is set', async () => {
    const r = await runCli(KEY_ARGS, { env: { ...SECRET, NO_COLOR: undefined, FORCE_COLOR: '1' } });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(r.stdout.includes(ESC), 'no ANSI escape despite FORCE_COLOR');
  });

  it('--json prints exactly one schema-valid document and no colour even with FORCE_COLOR', async () => {
    const r = await runCli([...KEY_ARGS, '--json'], { env: { ...SECRET, FORCE_COLOR: '1' } });
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines.length, 1);
    const doc = JSON.parse(lines[0] as string) as unknown;
    assertValidReport(doc);
    assert.deepEqual(idsOf(doc), ['dialback.key.computed']);
    assert.ok(!r.stdout.includes(ESC));
  });

  it('--fail-on warning turns a warning report into exit 1', async () => {
    const args = [...KEY_ARGS, '--key', 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03', '--json'];
    const plain = await runCli(args, { env: SECRET });
    assert.deepEqual(idsOf(JSON.parse(plain.stdout)), ['dialback.key.no-match']);
    assert.equal(plain.code, 0);
    const strict = await runCli([...args, '--fail-on', 'warning'], { env: SECRET });
    assert.equal(strict.code, 1);
  });

  it('explain prints a catalog entry, and an unknown id is a usage error', async () => {
    const ok = await runCli(['explain', 'dns.srv.target-cname']);
    assert.equal(ok.code, 0);
    assert.match(ok.stdout, /symptom/);
    const bad = await runCli(['explain', 'dns.srv.nope']);
    assert.equal(bad.code, 2);
    assert.equal(bad.stdout, '');
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  it('explain --all --json lists every catalog id once', async () => {
    const r = await runCli(['explain', '--all', '--json']);
    assert.equal(r.code, 0);
    const doc = JSON.parse(r.stdout) as { catalog: { id: string }[] };
    const ids = doc.catalog.map((e) => e.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.ok(ids.includes('cert.check.ok') && ids.includes('axl.auth.unauthorized'));
  });

  it('never echoes a secret typed on the command line by mistake (dialback key)', async () => {
    for (const extra of [
      ['--secret=hunter2-typed'],
      ['hunter2-typed'],
      ['--secret-stdin', 'hunter2-typed'],
    ]) {
      // Given a secret typed into argv instead of XFED_DIALBACK_SECRET / --secret-stdin
      const r = await runCli([...KEY_ARGS, ...extra]);
      // Then the usage error names the right way and never shows the value
      assert.equal(r.code, 2, extra.join(' '));
      assert.equal(r.stdout, '');
      assert.ok(!r.stderr.includes('hunter2-typed'), r.stderr);
      assert.match(r.stderr, /XFED_DIALBACK_SECRET/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
  });
});
