/**
 * One version everywhere: src/version.ts (what reports carry in tool.version), package.json
 * (what npm publishes) and `xfed --version` (what oclif prints) must agree. Bumping one without
 * the others fails here.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { VERSION } from '../../src/version.js';
import { runCli } from '../helpers/cli.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

describe('version', () => {
  it('src/version.ts matches package.json', () => {
    assert.match(pkg.version, /^\d+\.\d+\.\d+(?:-[\w.]+)?$/);
    assert.equal(VERSION, pkg.version);
  });

  it('xfed --version prints the package version', async () => {
    const r = await runCli(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^xfed/${pkg.version.replaceAll('.', '\\.')} `));
  });

  it('a report carries the same version in tool.version', async () => {
    const r = await runCli(
      ['dialback', 'key', '--receiving', 'a.test', '--originating', 'b.test', '--stream-id', 'x1', '--json'],
      {
        env: { XFED_DIALBACK_SECRET: 's3cret' },
      },
    );
    const report = JSON.parse(r.stdout) as { tool: { name: string; version: string } };
    assert.deepEqual(report.tool, { name: 'xfed', version: pkg.version });
  });
});
