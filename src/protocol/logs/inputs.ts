/**
 * Reads log inputs as lines, streamed: files, directories (walked, sorted, symlinks not
 * followed), `-` (stdin), and diagnostic bundles recognised by their first bytes, not their
 * names: gzip (node:zlib), tar (tar-stream) and zip (yauzl), nested up to MAX_DEPTH. Nothing is
 * extracted to disk. Every limit is a constant here: line length, total bytes, archive members,
 * nesting; crossing one, or meeting binary, truncated or unreadable input, is reported to the
 * sink as a problem, never thrown, so the caller can turn it into a finding.
 */
import { createReadStream } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { cjsExports } from '../cjs.js';

/** Longest line kept (bytes); the rest of a longer line is dropped and the line marked truncated. */
export const MAX_LINE_BYTES = 64 * 1024;
/** Total bytes of text read over all inputs (after decompression) before reading stops. */
export const MAX_TOTAL_BYTES = 16 * 1024 ** 3;
/** Archive members read over all archives. */
export const MAX_MEMBERS = 100_000;
/** Archives inside archives (a .gz inside a .tar inside a .tgz is depth 2). */
export const MAX_DEPTH = 4;
/** A zip that is not a file on disk (stdin, inside a tar) is read into memory up to this size. */
export const MAX_ZIP_BUFFER = 64 * 1024 * 1024;
/** Bytes looked at to tell binary from text (a NUL byte there means binary). */
const SNIFF_BYTES = 4096;
const READ_CHUNK = 1024 * 1024;

export type InputProblemKind =
  | 'binary'
  | 'truncated-archive'
  | 'unreadable'
  | 'not-a-file'
  | 'long-line'
  | 'limit'
  | 'zip-not-seekable';

export interface InputProblem {
  kind: InputProblemKind;
  source: string;
  message: string;
  /** For long-line: the line number. */
  line?: number;
}

export interface SourceStats {
  name: string;
  bytes: number;
  lines: number;
  /** Some bytes were not valid UTF-8 (shown as U+FFFD). */
  invalidUtf8: boolean;
  longLines: number;
}

export interface LineSink {
  /** A new text source begins; lines follow until `endSource`. */
  beginSource(name: string): void;
  line(text: string, lineNo: number): void;
  endSource(stats: SourceStats): void;
  problem(p: InputProblem): void;
}

interface Budget {
  bytes: number;
  members: number;
  stopped: boolean;
}

type Chunks = AsyncIterable<Buffer>;

/** Reads the given paths (and `-` for stdin) in order. */
export async function readInputs(
  paths: readonly string[],
  sink: LineSink,
  stdin: NodeJS.ReadableStream = process.stdin,
): Promise<void> {
  const budget: Budget = { bytes: 0, members: 0, stopped: false };
  for (const p of paths) {
    if (budget.stopped) break;
    if (p === '-') await readStream('(stdin)', stdin as unknown as Chunks, sink, budget, 0);
    else await readPath(p, sink, budget);
  }
}

async function readPath(path: string, sink: LineSink, budget: Budget): Promise<void> {
  let st: Awaited<ReturnType<typeof lstat>>;
  try {
    st = await lstat(path);
  } catch (e) {
    sink.problem({ kind: 'unreadable', source: path, message: errorText(e) });
    return;
  }
  if (st.isDirectory()) {
    let names: string[];
    try {
      const dir = await opendir(path);
      names = [];
      for await (const d of dir) names.push(d.name);
    } catch (e) {
      sink.problem({ kind: 'unreadable', source: path, message: errorText(e) });
      return;
    }
    names.sort();
    for (const n of names) {
      if (budget.stopped) return;
      const child = join(path, n);
      const cst = await lstat(child).catch(() => undefined);
      // Inside a directory only regular files and directories are read: no symlinks (loops), FIFOs or devices.
      if (cst && (cst.isDirectory() || cst.isFile())) await readPath(child, sink, budget);
    }
    return;
  }
  if (!st.isFile()) {
    sink.problem({
      kind: 'not-a-file',
      source: path,
      message:
        'not a regular file or directory (a FIFO, socket or device could block forever); pipe it to `-` instead',
    });
    return;
  }
  const head = await sniffFile(path);
  if (head && isZip(head)) {
    await readZipFile(path, sink, budget, 0);
    return;
  }
  const stream = createReadStream(path, { highWaterMark: READ_CHUNK });
  await readStream(path, stream as unknown as Chunks, sink, budget, 0);
}

async function sniffFile(path: string): Promise<Buffer | undefined> {
  const { open } = await import('node:fs/promises');
  try {
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(8);
      const { bytesRead } = await fh.read(buf, 0, 8, 0);
      return buf.subarray(0, bytesRead);
    } finally {
      await fh.close();
    }
  } catch {
    return undefined;
  }
}

const isGzip = (b: Buffer) => b.length >= 2 && b[0] === 0x1f && b[1] === 0x8b;
const isZip = (b: Buffer) => b.length >= 4 && b.readUInt32LE(0) === 0x04034b50;
const isTar = (b: Buffer) => b.length >= 262 && b.toString('latin1', 257, 262) === 'ustar';

/** Reads the first `want` bytes (or all, if shorter) and returns them with an iterator of the whole. */
async function peek(chunks: Chunks, want: number): Promise<{ head: Buffer; all: Chunks }> {
  const it = chunks[Symbol.asyncIterator]();
  const got: Buffer[] = [];
  let size = 0;
  let done = false;
  while (size < want) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const b = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as string);
    got.push(b);
    size += b.length;
  }
  const head = Buffer.concat(got);
  async function* all(): AsyncGenerator<Buffer> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value as string);
    }
  }
  return { head, all: all() };
}

/** A stream of bytes of unknown kind: archive, compressed, or text. */
async function readStream(name: string, chunks: Chunks, sink: LineSink, budget: Budget, depth: number) {
  let head: Buffer;
  let all: Chunks;
  try {
    ({ head, all } = await peek(chunks, 512));
  } catch (e) {
    sink.problem({ kind: 'unreadable', source: name, message: errorText(e) });
    return;
  }
  const nested = isGzip(head) || isTar(head) || isZip(head);
  if (nested && depth >= MAX_DEPTH) {
    sink.problem({
      kind: 'limit',
      source: name,
      message: `archive nested deeper than ${MAX_DEPTH} levels: not read`,
    });
    return;
  }
  if (isGzip(head)) {
    const gunzip = createGunzip();
    const src = Readable.from(all);
    src.on('error', (e) => gunzip.destroy(e));
    src.pipe(gunzip);
    await readStream(name, gunzip as unknown as Chunks, sink, budget, depth + 1);
    return;
  }
  if (isTar(head)) {
    await readTar(name, all, sink, budget, depth + 1);
    return;
  }
  if (isZip(head)) {
    await readZipBuffer(name, all, sink, budget, depth + 1);
    return;
  }
  await readText(name, all, sink, budget);
}

async function readTar(name: string, chunks: Chunks, sink: LineSink, budget: Budget, depth: number) {
  const tar = cjsExports(await import('tar-stream'));
  const extract = tar.extract();
  const src = Readable.from(chunks);
  src.on('error', (e) => extract.destroy(e));
  src.pipe(extract);
  try {
    for await (const entry of extract) {
      if (budget.stopped) {
        entry.resume();
        extract.destroy();
        break;
      }
      const type = entry.header.type ?? 'file';
      if (type !== 'file' && type !== 'contiguous-file') {
        entry.resume();
        continue;
      }
      if (++budget.members > MAX_MEMBERS) {
        stop(budget, sink, name, `more than ${MAX_MEMBERS} archive members`);
        entry.resume();
        continue;
      }
      await readStream(`${name}:${entry.header.name}`, entry as unknown as Chunks, sink, budget, depth);
    }
  } catch (e) {
    sink.problem({ kind: 'truncated-archive', source: name, message: archiveError(e) });
  }
}

async function readZipFile(path: string, sink: LineSink, budget: Budget, depth: number) {
  const yauzl = cjsExports(await import('yauzl'));
  let zip: import('yauzl').ZipFile;
  try {
    zip = await new Promise((resolve, reject) =>
      yauzl.open(path, { lazyEntries: true, autoClose: true }, (err, z) => (err ? reject(err) : resolve(z))),
    );
  } catch (e) {
    sink.problem({ kind: 'truncated-archive', source: path, message: archiveError(e) });
    return;
  }
  await readZipEntries(path, zip, sink, budget, depth + 1);
}

async function readZipBuffer(name: string, chunks: Chunks, sink: LineSink, budget: Budget, depth: number) {
  const parts: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of chunks) {
      size += c.length;
      if (size > MAX_ZIP_BUFFER) {
        sink.problem({
          kind: 'zip-not-seekable',
          source: name,
          message: `a zip archive larger than ${MAX_ZIP_BUFFER / 1024 / 1024} MiB read from stdin or from inside another archive is not read; pass it as a file`,
        });
        return;
      }
      parts.push(c);
    }
  } catch (e) {
    sink.problem({ kind: 'truncated-archive', source: name, message: archiveError(e) });
    return;
  }
  const yauzl = cjsExports(await import('yauzl'));
  let zip: import('yauzl').ZipFile;
  try {
    zip = await new Promise((resolve, reject) =>
      yauzl.fromBuffer(Buffer.concat(parts), { lazyEntries: true }, (err, z) =>
        err ? reject(err) : resolve(z),
      ),
    );
  } catch (e) {
    sink.problem({ kind: 'truncated-archive', source: name, message: archiveError(e) });
    return;
  }
  await readZipEntries(name, zip, sink, budget, depth);
}

async function readZipEntries(
  name: string,
  zip: import('yauzl').ZipFile,
  sink: LineSink,
  budget: Budget,
  depth: number,
): Promise<void> {
  try {
    for (;;) {
      if (budget.stopped) break;
      const entry = await new Promise<import('yauzl').Entry | undefined>((resolve, reject) => {
        const onEntry = (e: import('yauzl').Entry) => {
          cleanup();
          resolve(e);
        };
        const onEnd = () => {
          cleanup();
          resolve(undefined);
        };
        const onError = (e: Error) => {
          cleanup();
          reject(e);
        };
        const cleanup = () => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          zip.off('error', onError);
        };
        zip.on('entry', onEntry);
        zip.on('end', onEnd);
        zip.on('error', onError);
        zip.readEntry();
      });
      if (!entry) break;
      if (entry.fileName.endsWith('/')) continue;
      if (++budget.members > MAX_MEMBERS) {
        stop(budget, sink, name, `more than ${MAX_MEMBERS} archive members`);
        break;
      }
      const stream = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, s) => (err ? reject(err) : resolve(s))),
      );
      await readStream(`${name}:${entry.fileName}`, stream as unknown as Chunks, sink, budget, depth);
    }
  } catch (e) {
    sink.problem({ kind: 'truncated-archive', source: name, message: archiveError(e) });
  } finally {
    zip.close();
  }
}

function stop(budget: Budget, sink: LineSink, source: string, why: string): void {
  if (budget.stopped) return;
  budget.stopped = true;
  sink.problem({ kind: 'limit', source, message: `${why}: reading stopped here` });
}

/** Splits text into lines at LF (CRLF tolerated), decoding UTF-8 with U+FFFD for invalid bytes. */
async function readText(name: string, chunks: Chunks, sink: LineSink, budget: Budget): Promise<void> {
  const stats: SourceStats = { name, bytes: 0, lines: 0, invalidUtf8: false, longLines: 0 };
  let sniffed = 0;
  let begun = false;
  let carry: Buffer[] = [];
  let carryLen = 0;
  let dropping = false; // inside an over-long line: bytes are dropped until the next LF
  const emit = (text: string) => {
    stats.lines++;
    const t = text.charCodeAt(text.length - 1) === 13 ? text.slice(0, -1) : text;
    sink.line(t, stats.lines);
  };
  const flushCarry = (tail?: Buffer) => {
    const parts = tail ? [...carry, tail] : carry;
    const buf = parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts);
    carry = [];
    carryLen = 0;
    return buf;
  };
  const longLine = () => {
    stats.longLines++;
    if (stats.longLines === 1)
      sink.problem({
        kind: 'long-line',
        source: name,
        line: stats.lines + 1,
        message: `line ${stats.lines + 1} is longer than ${MAX_LINE_BYTES} bytes; only its first ${MAX_LINE_BYTES} bytes were read`,
      });
  };
  try {
    for await (const chunk of chunks) {
      if (budget.stopped) break;
      if (sniffed < SNIFF_BYTES) {
        const look = chunk.subarray(0, SNIFF_BYTES - sniffed);
        sniffed += look.length;
        if (look.includes(0)) {
          if (begun) sink.endSource(stats);
          sink.problem({
            kind: 'binary',
            source: name,
            message: 'binary data (a NUL byte in the first 4 KiB): not read as a log',
          });
          return;
        }
      }
      if (!begun) {
        sink.beginSource(name);
        begun = true;
      }
      stats.bytes += chunk.length;
      budget.bytes += chunk.length;
      if (budget.bytes > MAX_TOTAL_BYTES) {
        stop(budget, sink, name, `more than ${MAX_TOTAL_BYTES / 1024 ** 3} GiB of text`);
        break;
      }
      let start = 0;
      const firstNl = chunk.indexOf(10);
      if (firstNl < 0) {
        // No line end in this chunk: it all belongs to the current line.
        if (!dropping) {
          const room = MAX_LINE_BYTES - carryLen;
          if (chunk.length > room) {
            if (room > 0) carry.push(chunk.subarray(0, room));
            carryLen = MAX_LINE_BYTES;
            dropping = true;
            longLine();
          } else {
            carry.push(chunk);
            carryLen += chunk.length;
          }
        }
        continue;
      }
      // Finish the line carried over from earlier chunks.
      if (carryLen > 0 || dropping) {
        let head = chunk.subarray(0, firstNl);
        if (!dropping && carryLen + head.length > MAX_LINE_BYTES) {
          head = head.subarray(0, MAX_LINE_BYTES - carryLen);
          longLine();
        }
        const line = dropping ? flushCarry() : flushCarry(head);
        emit(decode(line, stats));
        dropping = false;
        start = firstNl + 1;
      }
      // Whole lines of this chunk: one decode up to the last LF (LF never occurs inside a UTF-8 sequence).
      const lastNl = chunk.lastIndexOf(10);
      if (lastNl >= start) {
        const text = decode(chunk.subarray(start, lastNl), stats);
        let from = 0;
        for (;;) {
          const nl = text.indexOf('\n', from);
          const line = nl < 0 ? text.slice(from) : text.slice(from, nl);
          if (Buffer.byteLength(line) > MAX_LINE_BYTES) {
            longLine();
            emit(line.slice(0, MAX_LINE_BYTES));
          } else emit(line);
          if (nl < 0) break;
          from = nl + 1;
        }
        start = lastNl + 1;
      }
      const rest = chunk.subarray(start);
      if (rest.length > MAX_LINE_BYTES) {
        carry = [rest.subarray(0, MAX_LINE_BYTES)];
        carryLen = MAX_LINE_BYTES;
        dropping = true;
        longLine();
      } else if (rest.length > 0) {
        carry = [Buffer.from(rest)];
        carryLen = rest.length;
      }
    }
    if (carryLen > 0) emit(decode(flushCarry(), stats));
  } catch (e) {
    if (carryLen > 0) emit(decode(flushCarry(), stats));
    sink.problem({ kind: 'truncated-archive', source: name, message: archiveError(e) });
  }
  if (!begun) sink.beginSource(name);
  sink.endSource(stats);
}

function decode(b: Buffer, stats: SourceStats): string {
  const s = b.toString('utf8');
  if (!stats.invalidUtf8 && s.includes('\ufffd') && !b.includes(Buffer.from('\ufffd')))
    stats.invalidUtf8 = true;
  return s;
}

function errorText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ENOENT') return 'no such file or directory';
  if (err?.code === 'EACCES') return 'permission denied';
  return err?.message ?? String(e);
}

function archiveError(e: unknown): string {
  const m = errorText(e);
  if (/unexpected end of file|Unexpected end of data|end of central directory|premature close/i.test(m))
    return `archive ends early (truncated or still being written): ${m}`;
  return m;
}
