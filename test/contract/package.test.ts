/**
 * What `npm pack` ships: every file the README links to (docs, schema), a LICENSE whose text
 * is the license package.json names, the manifest and the entry point. A README link that
 * would be dead on the npm page, or a missing LICENSE, fails here.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../..', import.meta.url).pathname;

describe('npm pack contents', () => {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const files = new Set(
    (JSON.parse(out) as { files: { path: string }[] }[])[0]?.files.map((f) => f.path) ?? [],
  );

  it('ships every local file the README links to', () => {
    const readme = readFileSync(`${root}README.md`, 'utf8');
    const links = [...readme.matchAll(/\]\((?!https?:|#|mailto:)([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) =>
      (m[1] as string).replace(/^\.\//, ''),
    );
    assert.ok(links.length > 0, 'the README links to local files');
    for (const l of links) assert.ok(files.has(l), `README links to ${l}, which npm pack does not ship`);
  });

  it('ships a LICENSE matching package.json', () => {
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { license: string };
    assert.ok(files.has('LICENSE'));
    assert.equal(pkg.license, 'MIT');
    assert.match(readFileSync(`${root}LICENSE`, 'utf8'), /^MIT License\n/);
  });

  it('ships the entry point, the manifest and the schema', () => {
    for (const f of [
      'bin/run.js',
      'oclif.manifest.json',
      'schemas/report.v1.json',
      'dist/main.js',
      'dist/meta.json',
    ])
      assert.ok(files.has(f), f);
  });
});
