/**
 * The one way a command reads a file named on its command line (`--ca`, `--cert`, `--key`,
 * `--file`, and any later file argument): the type is checked before opening (a FIFO that is
 * never written, /dev/zero, a directory or a socket is refused, never opened), the size is
 * capped (the error names the limit), and the whole read runs under the command's deadline.
 * `-` means stdin only where a flag documents it (`--file -`). Every failure is a UsageError:
 * exit 2, one line, the path shortened and escaped.
 */

import type { Stats } from 'node:fs';
import { constants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { safeText } from '../report/untrusted.js';
import { UsageError } from './errors.js';

export interface BoundedReadOptions {
  /** The flag as the user typed it, e.g. `--ca`. */
  flag: string;
  /** What the file should hold, for the error text ("a PEM or DER CA certificate"). */
  what: string;
  /** Largest file accepted, in bytes. */
  maxBytes: number;
  /** The command's deadline for the whole read (default 10 s). */
  timeoutMs?: number;
  /** `-` reads stdin (documented for this flag); each chunk must arrive within the deadline. */
  allowStdin?: boolean;
  /** Stdin to read for `-` (tests pass their own). */
  stdin?: NodeJS.ReadableStream & { isTTY?: boolean };
}

export const DEFAULT_FILE_DEADLINE_MS = 10_000;

/** A path or other echoed user input, shortened and escaped for a one-line error. */
export function shown(value: string, max = 80): string {
  return safeText(value, { max });
}

/** Sizes as people read them: "16 MiB", "512 KiB", "100 bytes". */
export function sizeText(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'an unknown type';
}

function deadline<T>(work: Promise<T>, ms: number, onTimeout: () => UsageError, cleanup?: () => void) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cleanup?.();
      reject(onTimeout());
    }, ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

async function readRegular(path: string, o: BoundedReadOptions): Promise<Buffer> {
  const name = `${o.flag} ${shown(path)}`;
  let st: Stats;
  try {
    st = await stat(path);
  } catch (e) {
    throw new UsageError(
      `${name}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}); expected ${o.what}`,
    );
  }
  if (!st.isFile()) throw new UsageError(`${name} is not a regular file (${kindOf(st)}); expected ${o.what}`);
  if (st.size > o.maxBytes) {
    throw new UsageError(
      `${name} is ${st.size} bytes, over the ${sizeText(o.maxBytes)} limit for ${o.flag}; expected ${o.what}`,
    );
  }
  // O_NONBLOCK: if the path was swapped for a FIFO since stat, opening it still cannot block.
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (e) {
    throw new UsageError(
      `${name}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? 'error'}); expected ${o.what}`,
    );
  }
  try {
    const again = await fh.stat();
    if (!again.isFile())
      throw new UsageError(`${name} is not a regular file (${kindOf(again)}); expected ${o.what}`);
    // Read at most one byte past the cap: a file that grows (or a /proc file whose size says 0)
    // still cannot exceed it.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const want = Math.min(256 * 1024, o.maxBytes + 1 - total);
      const { bytesRead, buffer } = await fh.read(Buffer.alloc(want), 0, want, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      total += bytesRead;
      if (total > o.maxBytes) {
        throw new UsageError(
          `${name} is larger than the ${sizeText(o.maxBytes)} limit for ${o.flag}; expected ${o.what}`,
        );
      }
    }
    return Buffer.concat(chunks, total);
  } finally {
    await fh.close().catch(() => {});
  }
}

async function readStdin(o: BoundedReadOptions, timeoutMs: number): Promise<Buffer> {
  const input = o.stdin ?? process.stdin;
  const chunks: Buffer[] = [];
  let total = 0;
  return new Promise<Buffer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const done = (err?: Error) => {
      clearTimeout(timer);
      input.removeListener('data', onData);
      input.removeListener('end', onEnd);
      input.removeListener('error', onError);
      input.pause();
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, total));
    };
    // A terminal is typed at: no idle deadline there (Ctrl-D ends the list).
    const arm = () => {
      if (input.isTTY) return;
      clearTimeout(timer);
      timer = setTimeout(
        () =>
          done(
            new UsageError(
              `${o.flag} -: stdin sent nothing for ${timeoutMs} ms (the --timeout deadline); pipe the list in or give a file`,
            ),
          ),
        timeoutMs,
      );
    };
    const onData = (c: Buffer | string) => {
      const b = typeof c === 'string' ? Buffer.from(c) : c;
      total += b.length;
      if (total > o.maxBytes) {
        done(
          new UsageError(`${o.flag} -: stdin is larger than the ${sizeText(o.maxBytes)} limit for ${o.flag}`),
        );
        return;
      }
      chunks.push(b);
      arm();
    };
    const onEnd = () => done();
    const onError = (e: Error) => done(new UsageError(`${o.flag} -: cannot read stdin (${e.message})`));
    input.on('data', onData);
    input.once('end', onEnd);
    input.once('error', onError);
    arm();
    input.resume();
  });
}

/**
 * Reads a file argument completely, bounded in type, size and time. Throws UsageError for
 * anything but a readable regular file within `maxBytes` (or stdin for `-` where allowed).
 */
export async function readBoundedFile(path: string, o: BoundedReadOptions): Promise<Buffer> {
  const ms = o.timeoutMs ?? DEFAULT_FILE_DEADLINE_MS;
  if (path === '-' && o.allowStdin) return readStdin(o, ms);
  if (path === '') throw new UsageError(`${o.flag} is empty; expected a path to a file with ${o.what}`);
  return deadline(
    readRegular(path, o),
    ms,
    () => new UsageError(`${o.flag} ${shown(path)}: not read within ${ms} ms (the --timeout deadline)`),
  );
}

/** CA files for a command and where they came from (for error texts). */
export interface CaSource {
  paths: string[];
  /** `--ca`, or `XFED_CA` when the list came from the environment. */
  flag: string;
}

/**
 * CA files for a command: the `--ca` flags when given, else XFED_CA, a `:`-separated list of
 * files (so a shell profile can name a private root once for every command).
 */
export function caSource(flagValues: readonly string[] | undefined, env = process.env): CaSource {
  if (flagValues && flagValues.length > 0) return { paths: [...flagValues], flag: '--ca' };
  const paths = (env.XFED_CA ?? '').split(':').filter((p) => p.trim() !== '');
  return { paths, flag: 'XFED_CA' };
}

/** Appended to every --ca flag's help. */
export const XFED_CA_HELP = 'without --ca, the files in XFED_CA (":"-separated) are used';
