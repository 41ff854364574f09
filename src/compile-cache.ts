/**
 * A V8 code cache for xfed's own bundle (issue 14, docs/performance.md "Compile cache").
 *
 * Node 20 compiles every file of dist/ from source at each start: with the ES-module loader's
 * resolution, about a fifth of a command's CPU, paid hundreds of times a minute by a monitor. Node ≥ 22.1 has `module.enableCompileCache()`
 * for this; on Node 20 the only way is to compile the CommonJS files of dist/ (scripts/bundle.mjs)
 * with `vm.Script` and V8's `cachedData`, which is what this module does, for dist/ only:
 *
 * - The cache lives in the user's cache directory (XFED_COMPILE_CACHE overrides it,
 *   XFED_DISABLE_COMPILE_CACHE=1 turns it off), in one sub-directory per Node version, CPU
 *   and build of xfed (dist/build-id), and each cache file carries the size and mtime of its
 *   source (sourceStamp), so a cache is only ever offered to the code it was made from. V8
 *   checks it again (its version and flags) and rejects a mismatch; a rejected or missing
 *   cache means compiling from source and writing the cache anew.
 * - A file's cache is written at exit, after the run, so it also holds the functions that
 *   were compiled lazily while the command ran: the next run compiles almost nothing.
 * - Every read is bounded (a regular file of at most MAX_CACHE_BYTES, opened non-blocking, so
 *   a FIFO planted there cannot stall a start) and the directory must be the user's own and
 *   not writable by others, or the cache is not used. Writes go to a temporary file renamed
 *   into place, so concurrent runs never read half a file; a failed write (read-only home,
 *   full disk) is ignored: xfed runs the same without the cache, only slower.
 *
 * `import()` cannot be used inside a script compiled from cached data on Node 20 (its
 * dynamic-import callback is lost): the bundle has none of its own (scripts/bundle.mjs turns
 * them into `require`), and the few ES modules from outside it are loaded through
 * `importEsm()` (src/cli/esm-import.ts).
 */
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import Module, { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join, sep } from 'node:path';
import { Script } from 'node:vm';

/** No code cache of one file of dist/ is anywhere near this (the largest is about 1 MB). */
export const MAX_CACHE_BYTES = 16 * 1024 * 1024;
/** dist/build-id is 16 hex digits; anything longer is not ours. */
const MAX_BUILD_ID_BYTES = 64;
/** Caches of other builds or Node versions untouched this long are deleted when one is written. */
const STALE_MS = 30 * 24 * 3600 * 1000;

export interface CompileCacheStats {
  /** The directory in use, or undefined when the cache is off. */
  dir: string | undefined;
  /** Why the cache is off (env, untrusted directory, no build id, source maps, ...). */
  off?: string;
  /** Files compiled from a cache V8 accepted. */
  hits: number;
  /** Files compiled from source (no cache yet, or V8 rejected it); their caches are written at exit. */
  misses: number;
  /** Caches written by flush(). */
  written: number;
}

export interface CompileCache {
  stats: CompileCacheStats;
  /** Writes the caches of this run's misses (also done at process exit). */
  flush(): void;
  /** Removes the hook (tests). */
  uninstall(): void;
}

/** Where the cache would live for this environment, before the per-build sub-directory. */
export function compileCacheRoot(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.XFED_DISABLE_COMPILE_CACHE && env.XFED_DISABLE_COMPILE_CACHE !== '0') return undefined;
  if (env.XFED_COMPILE_CACHE) return env.XFED_COMPILE_CACHE;
  // The same place as oclif's config.cacheDir for xfed, plus compile-cache/.
  let base: string;
  try {
    if (process.platform === 'win32') base = env.LOCALAPPDATA ?? join(homedir(), 'AppData', 'Local');
    else if (process.platform === 'darwin') base = join(homedir(), 'Library', 'Caches');
    else base = env.XDG_CACHE_HOME || join(env.HOME || homedir(), '.cache');
  } catch {
    return undefined; // no home directory (some service accounts): no cache
  }
  return join(base, 'xfed', 'compile-cache');
}

/**
 * Reads a whole regular file of at most `max` bytes, or returns undefined: never follows a
 * symbolic link, never blocks on a FIFO or device, never reads more than `max`.
 */
export function readBounded(file: string, max: number): Buffer | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0));
    const st = fstatSync(fd);
    if (!st.isFile() || st.size === 0 || st.size > max) return undefined;
    const buf = Buffer.allocUnsafe(st.size);
    let off = 0;
    while (off < buf.length) {
      const n = readSync(fd, buf, off, buf.length - off, off);
      if (n === 0) return undefined; // shrank while we read: not a cache to trust
      off += n;
    }
    return buf;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** A directory only this user can write to (POSIX); on Windows, any directory. */
function trustedDir(dir: string): boolean {
  try {
    const st = lstatSync(dir);
    if (!st.isDirectory()) return false;
    if (typeof process.getuid !== 'function') return true;
    return st.uid === process.getuid() && (st.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** Deletes sibling caches of older builds for this Node, and any left untouched for STALE_MS. */
function pruneSiblings(root: string, current: string, sameNodePrefix: string): void {
  const now = Date.now();
  for (const name of readdirSync(root)) {
    if (name === current) continue;
    const path = join(root, name);
    try {
      const st = lstatSync(path);
      if (!st.isDirectory()) continue;
      if (name.startsWith(sameNodePrefix) || now - st.mtimeMs > STALE_MS)
        rmSync(path, { recursive: true, force: true });
    } catch {
      // another run pruned it first
    }
  }
}

/** Node's CommonJS wrapper, as Module.wrap() writes it. */
const WRAP_HEAD = Buffer.from('(function (exports, require, module, __filename, __dirname) { ');
const WRAP_TAIL = Buffer.from('\n});');

type LoadExtension = (this: unknown, module: NodeJS.Module, filename: string) => void;

interface Pending {
  script: Script;
  file: string;
  stamp: Buffer;
}

/**
 * Each cache file starts with the size and modification time of the source it was made from.
 * V8 checks only the source's length, so a file of dist/ edited by hand to the same length
 * (same build id) would otherwise run its old code.
 */
const STAMP_MAGIC = 'xfc1';
const STAMP_BYTES = 20;

function sourceStamp(size: number, mtimeMs: number): Buffer {
  const b = Buffer.alloc(STAMP_BYTES);
  b.write(STAMP_MAGIC, 0, 'latin1');
  b.writeDoubleLE(size, 4);
  b.writeDoubleLE(mtimeMs, 12);
  return b;
}

/** The V8 data of a cache file, if it was made from the source with this stamp. */
function cacheFor(file: Buffer | undefined, stamp: Buffer): Buffer | undefined {
  if (!file || file.length <= STAMP_BYTES || !file.subarray(0, STAMP_BYTES).equals(stamp)) return undefined;
  return file.subarray(STAMP_BYTES);
}

/**
 * Compiles every CommonJS file under `distDir` through V8's code cache from now on. Returns
 * undefined when Node has its own compile cache (it is turned on instead) and a handle whose
 * `stats.off` says why when the cache cannot be used.
 */
export function installCompileCache(
  distDir: string,
  env: NodeJS.ProcessEnv = process.env,
): CompileCache | undefined {
  const stats: CompileCacheStats = { dir: undefined, hits: 0, misses: 0, written: 0 };
  const off = (why: string): CompileCache => ({ stats: { ...stats, off: why }, flush() {}, uninstall() {} });
  const root = compileCacheRoot(env);
  if (!root) return off('XFED_DISABLE_COMPILE_CACHE or no home directory');
  // Node >= 22.1: its own cache covers CommonJS and ES modules alike.
  const nodeCache = (Module as unknown as { enableCompileCache?: (dir: string) => unknown })
    .enableCompileCache;
  if (typeof nodeCache === 'function') {
    nodeCache(root);
    return undefined;
  }
  // With --enable-source-maps, stack traces should map to src/: Node's own loader does that.
  if ((process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled) return off('source maps enabled');
  const prefix = distDir.endsWith(sep) ? distDir : `${distDir}${sep}`;
  const buildId = readBounded(join(prefix, 'build-id'), MAX_BUILD_ID_BYTES)?.toString('latin1').trim();
  if (!buildId || !/^[0-9a-f]{8,}$/.test(buildId)) return off('no dist/build-id');
  const nodePrefix = `${process.version}-${process.arch}-`;
  const leaf = `${nodePrefix}${buildId}`;
  const dir = join(root, leaf);
  // A directory someone else can write to could hand us code: then no cache at all. One that
  // does not exist yet is made (0700) at the first write.
  let exists = false;
  try {
    statSync(dir);
    exists = true;
  } catch {}
  if (exists && !trustedDir(dir)) return off(`${dir} is not private to this user`);
  stats.dir = dir;

  const pending: Pending[] = [];
  // Node's loader would read a file into a string, and wrapping that in the CommonJS function
  // would copy it: the two big chunks (catalog, oclif) sit in V8's large-object space until a
  // full GC, which a short run never does. Here the wrapped source is decoded once from the
  // file's bytes (peak RSS, docs/performance.md).
  const extensions = (Module as unknown as { _extensions: Record<string, LoadExtension> })._extensions;
  const originalJs = extensions['.js'] as LoadExtension;
  const loadWithCache: LoadExtension = function (module, filename) {
    if (!filename.startsWith(prefix)) return originalJs.call(this, module, filename);
    const file = join(dir, `${filename.slice(prefix.length).split(sep).join('!')}.v8`);
    const bytes = readFileSync(filename);
    const stamp = sourceStamp(bytes.length, statSync(filename).mtimeMs);
    const cachedData = exists ? cacheFor(readBounded(file, MAX_CACHE_BYTES), stamp) : undefined;
    const source = Buffer.concat([WRAP_HEAD, bytes, WRAP_TAIL]).toString('utf8');
    let script: Script;
    try {
      script = new Script(source, { filename, cachedData });
    } catch {
      return originalJs.call(this, module, filename); // a syntax error: reported Node's way
    }
    if (cachedData && !script.cachedDataRejected) stats.hits++;
    else {
      stats.misses++;
      pending.push({ script, file, stamp });
    }
    const fn = script.runInThisContext({ displayErrors: true }) as (...args: unknown[]) => unknown;
    fn.call(module.exports, module.exports, createRequire(filename), module, filename, dirname(filename));
  };
  extensions['.js'] = loadWithCache;

  const flush = () => {
    if (!pending.length) return;
    const batch = pending.splice(0);
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      if (!trustedDir(dir)) return;
      for (const { script, file, stamp } of batch) {
        const tmp = `${file}.${process.pid}.tmp`;
        try {
          writeFileSync(tmp, Buffer.concat([stamp, script.createCachedData()]), { mode: 0o600, flag: 'wx' });
          renameSync(tmp, file);
          stats.written++;
        } catch {
          try {
            unlinkSync(tmp);
          } catch {}
        }
      }
      if (!exists) pruneSiblings(root, leaf, nodePrefix);
      exists = true;
    } catch {
      // read-only or full: run without a cache
    }
  };
  process.once('exit', flush);
  return {
    stats,
    flush,
    uninstall() {
      if (extensions['.js'] === loadWithCache) extensions['.js'] = originalJs;
      process.removeListener('exit', flush);
    },
  };
}
