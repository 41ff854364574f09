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

  it('depends at run time only on what the bundle leaves out, and carries the notices of what it bundles', () => {
    // dist/ is an esbuild bundle (scripts/bundle.mjs): the packages it holds are devDependencies,
    // so an install pulls only oclif, its plugins (loaded from node_modules by oclif), and the
    // not-found plugin the not-found hook imports on an unknown command.
    const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
      oclif: { plugins: string[] };
    };
    const runtime = ['@oclif/core', ...pkg.oclif.plugins, '@oclif/plugin-not-found'].sort();
    assert.deepEqual(Object.keys(pkg.dependencies).sort(), runtime);
    const meta = JSON.parse(readFileSync(`${root}dist/meta.json`, 'utf8')) as {
      inputs: Record<string, unknown>;
    };
    const bundled = new Set(
      Object.keys(meta.inputs).flatMap((i) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(i)?.[1] ?? []),
    );
    assert.ok(bundled.has('dns-packet') && bundled.has('saxes'), 'the metafile lists the bundled packages');
    assert.ok(files.has('dist/THIRD-PARTY-LICENSES.txt'), 'npm pack ships the third-party notices');
    const notices = readFileSync(`${root}dist/THIRD-PARTY-LICENSES.txt`, 'utf8');
    for (const name of bundled) {
      const { version } = JSON.parse(readFileSync(`${root}node_modules/${name}/package.json`, 'utf8')) as {
        version: string;
      };
      assert.ok(
        notices.includes(`\n${name} ${version} (`),
        `${name} ${version} is bundled but has no notice`,
      );
    }
  });
});
