/**
 * The V8 compile cache of dist/ (src/compile-cache.ts, issue 14). Each scenario runs in its own
 * Node process, as the CLI does: V8 keeps compiled scripts per process, so only a fresh
 * process shows whether a cache file was accepted. The fixture is a tiny "dist" of two
 * CommonJS files with a build id; the module under test is the built dist/compile-cache.js,
 * the file bin/run.js loads.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileCacheRoot, MAX_CACHE_BYTES, readBounded } from '../../../src/compile-cache.js';
import { BIN } from '../../helpers/cli.js';

const BUILT = fileURLToPath(new URL('../../../dist/compile-cache.js', import.meta.url));
const BUILD_ID = 'deadbeefcafe0123';

interface Run {
  stats: { dir?: string; off?: string; hits: number; misses: number; written: number };
  value: number;
  outside: number;
}

let work: string;
let fixture: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'xfed-cc-test-'));
  fixture = join(work, 'dist');
  mkdirSync(join(fixture, 'chunks'), { recursive: true });
  writeFileSync(join(fixture, 'build-id'), `${BUILD_ID}\n`);
  writeFileSync(join(fixture, 'main.js'), "exports.value = require('./chunks/b.js').twice(21);\n");
  writeFileSync(
    join(fixture, 'chunks', 'b.js'),
    `exports.twice = (x) => x * 2;\n// padding so the script is worth caching\n${'exports.f = () => [1, 2, 3].map((n) => n + 1);\n'.repeat(50)}`,
  );
  writeFileSync(join(work, 'outside.js'), 'module.exports = 7;\n');
});

after(() => rmSync(work, { recursive: true, force: true }));

/** Loads the fixture through the cache in a fresh process and reports the cache's counters. */
function run(env: NodeJS.ProcessEnv): Run {
  const script = `
    const { installCompileCache } = require(${JSON.stringify(BUILT)});
    const cc = installCompileCache(${JSON.stringify(fixture)}, process.env);
    if (!cc) { console.log(JSON.stringify({ nodeCache: true })); process.exit(0); }
    const { value } = require(${JSON.stringify(join(fixture, 'main.js'))});
    const outside = require(${JSON.stringify(join(work, 'outside.js'))});
    cc.flush();
    console.log(JSON.stringify({ stats: cc.stats, value, outside }));
  `;
  const r = spawnSync(process.execPath, ['-e', script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: 'utf8',
    timeout: 10_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(!out.nodeCache, 'this Node has its own compile cache; these tests are for Node 20');
  return out;
}

describe('compile cache of dist/', () => {
  test('the first run compiles from source and writes one private cache file per dist file', () => {
    const root = join(work, 'first');
    const r = run({ XFED_COMPILE_CACHE: root });
    assert.equal(r.value, 42);
    assert.equal(r.outside, 7);
    assert.deepEqual([r.stats.hits, r.stats.misses, r.stats.written], [0, 2, 2]);
    const dir = join(root, `${process.version}-${process.arch}-${BUILD_ID}`);
    assert.equal(r.stats.dir, dir);
    assert.deepEqual(readdirSync(dir).sort(), ['chunks!b.js.v8', 'main.js.v8']);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'main.js.v8')).mode & 0o777, 0o600);
  });

  test('the next run compiles both files from the cache and writes nothing', () => {
    const root = join(work, 'second');
    run({ XFED_COMPILE_CACHE: root });
    const r = run({ XFED_COMPILE_CACHE: root });
    assert.equal(r.value, 42);
    assert.deepEqual([r.stats.hits, r.stats.misses, r.stats.written], [2, 0, 0]);
  });

  test('a corrupt cache file is rejected by V8, compiled from source and rewritten', () => {
    const root = join(work, 'corrupt');
    run({ XFED_COMPILE_CACHE: root });
    const file = join(root, `${process.version}-${process.arch}-${BUILD_ID}`, 'main.js.v8');
    // Keep the stamp (size and time of the source), so the bytes after it reach V8.
    const good = readFileSync(file);
    writeFileSync(file, Buffer.concat([good.subarray(0, 20), Buffer.alloc(2000, 0x41)]));
    const r = run({ XFED_COMPILE_CACHE: root });
    assert.equal(r.value, 42);
    assert.deepEqual([r.stats.hits, r.stats.misses, r.stats.written], [1, 1, 1]);
    assert.notEqual(readFileSync(file)[0], 0x41);
    assert.deepEqual([run({ XFED_COMPILE_CACHE: root }).stats.hits], [2]);
  });

  test('a dist file changed to the same length is compiled from source, not from its old cache', () => {
    const root = join(work, 'edited');
    const b = join(fixture, 'chunks', 'b.js');
    const saved = readFileSync(b, 'utf8');
    try {
      run({ XFED_COMPILE_CACHE: root });
      const edited = saved.replace('x * 2', 'x * 3');
      assert.equal(edited.length, saved.length);
      writeFileSync(b, edited);
      utimesSync(b, new Date(), new Date(Date.now() + 5000));
      const r = run({ XFED_COMPILE_CACHE: root });
      assert.equal(r.value, 63, 'the edited code ran');
      assert.deepEqual([r.stats.hits, r.stats.misses, r.stats.written], [1, 1, 1]);
    } finally {
      writeFileSync(b, saved);
    }
  });

  test('a FIFO or a symbolic link in place of a cache file is not read: no hang, compiled from source', () => {
    const root = join(work, 'fifo');
    run({ XFED_COMPILE_CACHE: root });
    const dir = join(root, `${process.version}-${process.arch}-${BUILD_ID}`);
    rmSync(join(dir, 'main.js.v8'));
    assert.equal(spawnSync('mkfifo', [join(dir, 'main.js.v8')]).status, 0);
    rmSync(join(dir, 'chunks!b.js.v8'));
    symlinkSync('/etc/hostname', join(dir, 'chunks!b.js.v8'));
    const t0 = Date.now();
    const r = run({ XFED_COMPILE_CACHE: root });
    assert.ok(Date.now() - t0 < 5000);
    assert.equal(r.value, 42);
    assert.deepEqual([r.stats.hits, r.stats.misses], [0, 2]);
  });

  test('a cache directory others can write to is not used at all', () => {
    const root = join(work, 'shared');
    run({ XFED_COMPILE_CACHE: root });
    const dir = join(root, `${process.version}-${process.arch}-${BUILD_ID}`);
    chmodSync(dir, 0o777);
    const r = run({ XFED_COMPILE_CACHE: root });
    assert.equal(r.value, 42);
    assert.match(r.stats.off ?? '', /not private/);
    assert.deepEqual([r.stats.hits, r.stats.misses], [0, 0]);
  });

  test('XFED_DISABLE_COMPILE_CACHE=1 turns it off; XFED_DISABLE_COMPILE_CACHE=0 does not', () => {
    const root = join(work, 'disabled');
    const off = run({ XFED_COMPILE_CACHE: root, XFED_DISABLE_COMPILE_CACHE: '1' });
    assert.equal(off.value, 42);
    assert.match(off.stats.off ?? '', /XFED_DISABLE_COMPILE_CACHE/);
    assert.equal(existsSync(root), false);
    const on = run({ XFED_COMPILE_CACHE: root, XFED_DISABLE_COMPILE_CACHE: '0' });
    assert.equal(on.stats.written, 2);
  });

  test('a directory that cannot be created leaves xfed working, without a cache', () => {
    const r = run({ XFED_COMPILE_CACHE: '/dev/null/xfed-cache' });
    assert.equal(r.value, 42);
    assert.deepEqual([r.stats.misses, r.stats.written], [2, 0]);
  });

  test('without a build id nothing is cached', () => {
    const saved = readFileSync(join(fixture, 'build-id'));
    writeFileSync(join(fixture, 'build-id'), 'not a build id\n');
    try {
      const r = run({ XFED_COMPILE_CACHE: join(work, 'no-id') });
      assert.equal(r.value, 42);
      assert.match(r.stats.off ?? '', /build-id/);
    } finally {
      writeFileSync(join(fixture, 'build-id'), saved);
    }
  });

  test('a new build of xfed deletes the caches of older builds for the same Node', () => {
    const root = join(work, 'prune');
    const old = join(root, `${process.version}-${process.arch}-0000000000000000`);
    const otherNode = join(root, 'v99.0.0-x64-0000000000000000');
    mkdirSync(old, { recursive: true, mode: 0o700 });
    mkdirSync(otherNode, { recursive: true, mode: 0o700 });
    run({ XFED_COMPILE_CACHE: root });
    assert.equal(existsSync(old), false);
    assert.equal(existsSync(otherNode), true, 'a recent cache of another Node version is kept');
  });
});

describe('compileCacheRoot', () => {
  test('follows the XDG cache directory like oclif, and the overrides', () => {
    if (process.platform !== 'linux') return;
    assert.equal(compileCacheRoot({ XDG_CACHE_HOME: '/c', HOME: '/h' }), '/c/xfed/compile-cache');
    assert.equal(compileCacheRoot({ HOME: '/h' }), '/h/.cache/xfed/compile-cache');
    assert.equal(compileCacheRoot({ HOME: '/h', XFED_COMPILE_CACHE: '/x' }), '/x');
    assert.equal(compileCacheRoot({ HOME: '/h', XFED_DISABLE_COMPILE_CACHE: 'true' }), undefined);
  });
});

describe('readBounded', () => {
  test('reads a regular file whole, refuses one over the cap, a missing one and a directory', () => {
    const f = join(work, 'bounded');
    writeFileSync(f, 'abc');
    assert.equal(readBounded(f, 3)?.toString(), 'abc');
    assert.equal(readBounded(f, 2), undefined);
    assert.equal(readBounded(join(work, 'missing'), 10), undefined);
    assert.equal(readBounded(work, 10), undefined);
    assert.ok(MAX_CACHE_BYTES >= 1024 * 1024);
  });
});

describe('the CLI with its compile cache', () => {
  test('a second run gives the same output from the cache; a FIFO planted in the cache does not stall it', async () => {
    const root = join(work, 'cli');
    const env = { ...process.env, NO_COLOR: '1', XFED_COMPILE_CACHE: root };
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 20_000 });
    const first = cli('explain', 'dns.srv.ok');
    assert.equal(first.status, 0, first.stderr);
    const [leaf] = readdirSync(root);
    assert.ok(leaf?.startsWith(`${process.version}-${process.arch}-`));
    const files = readdirSync(join(root, leaf ?? ''));
    assert.ok(files.includes('main.js.v8'), files.join(' '));
    assert.ok(files.some((f) => f.startsWith('commands!explain.js')));
    const second = cli('explain', 'dns.srv.ok');
    assert.equal(second.stdout, first.stdout);
    rmSync(join(root, leaf ?? '', 'main.js.v8'));
    assert.equal(spawnSync('mkfifo', [join(root, leaf ?? '', 'main.js.v8')]).status, 0);
    const third = cli('explain', 'dns.srv.ok');
    assert.equal(third.status, 0, third.stderr);
    assert.equal(third.stdout, first.stdout);
  });
});
