/**
 * Domain lists for batch commands: positional arguments plus an optional --file (one
 * domain a line, `#` comments, blank lines ignored). Everything is validated before any
 * traffic; a bad entry is a usage error naming its line. `--file -` reads stdin; the file is
 * read through the bounded reader (type, size and deadline checked).
 */
import { UsageError } from './errors.js';
import { readBoundedFile, shown } from './file-input.js';
import { type DomainName, parseDomain } from './validate.js';

/** Upper bound on a --file, so a wrong path (a disk image, /dev/zero) cannot exhaust memory. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** A list read by index: arrays are one; a --file list is another, parsed on demand. */
export interface EntryList<T> {
  readonly length: number;
  at(index: number): T | undefined;
}

/**
 * The entries of a list file (one a line, `#` comments): every line is validated once up
 * front (so a bad line is a usage error before any traffic), then only the text and the
 * offsets of the entries are kept and each entry is parsed again when the batch reaches it.
 * A 100,000-line file thus costs its text plus 8 bytes a line, not 100,000 parsed objects
 * held until the end of the run (bench/batch-memory.bench.mjs).
 */
class FileEntries<T> implements EntryList<T> {
  private readonly starts: Uint32Array;
  private readonly ends: Uint32Array;
  readonly length: number;

  constructor(
    private readonly head: readonly T[],
    private readonly text: string,
    source: string,
    private readonly parse: (entry: string) => T,
  ) {
    const starts: number[] = [];
    const ends: number[] = [];
    let lineNo = 0;
    let pos = 0;
    while (pos <= text.length) {
      let nl = text.indexOf('\n', pos);
      if (nl < 0) nl = text.length;
      lineNo++;
      const raw = text.slice(pos, nl);
      const hash = raw.indexOf('#');
      const entry = (hash >= 0 ? raw.slice(0, hash) : raw).trim();
      if (entry !== '') {
        try {
          parse(entry);
        } catch (e) {
          if (e instanceof UsageError) throw new UsageError(`${source} line ${lineNo}: ${e.detail}`);
          throw e;
        }
        const lead = raw.length - raw.trimStart().length;
        starts.push(pos + lead);
        ends.push(pos + lead + entry.length);
      }
      pos = nl + 1;
    }
    this.starts = Uint32Array.from(starts);
    this.ends = Uint32Array.from(ends);
    this.length = head.length + this.starts.length;
  }

  at(index: number): T | undefined {
    if (index < 0 || index >= this.length) return undefined;
    if (index < this.head.length) return this.head[index];
    const i = index - this.head.length;
    return this.parse(this.text.slice(this.starts[i], this.ends[i]));
  }
}

async function readListText(path: string, what: string, timeoutMs: number | undefined): Promise<string> {
  const data = await readBoundedFile(path, {
    flag: '--file',
    what: `one ${what} a line`,
    maxBytes: MAX_FILE_BYTES,
    allowStdin: true,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  // A binary (`--file /bin/ls`) is refused whole instead of echoing its first "line".
  if (data.includes(0)) {
    throw new UsageError(
      `--file ${shown(path)} is not a text file (it contains NUL bytes); expected one ${what} a line`,
    );
  }
  return data.toString('utf8');
}

/** Arguments first, then the file's entries, in input order; each entry goes through `parse`. */
export async function collectEntries<T>(
  args: readonly string[],
  file: string | undefined,
  parse: (entry: string) => T,
  missing: string,
  what = 'target',
  timeoutMs?: number,
): Promise<EntryList<T>> {
  const fromArgs = args.map((a) => parse(a));
  const all: EntryList<T> = file
    ? new FileEntries(fromArgs, await readListText(file, what, timeoutMs), `--file ${shown(file)}`, parse)
    : fromArgs;
  if (all.length === 0) throw new UsageError(`${missing}${stdinHint()}`);
  return all;
}

/** Piped stdin is never taken as targets by itself; say how to use it. */
function stdinHint(): string {
  return process.stdin.isTTY ? '' : ' (stdin is not read for targets; use --file - to read them from it)';
}

/** Domains from the arguments, then from --file, in input order. */
export function collectDomains(
  args: readonly string[],
  file: string | undefined,
  timeoutMs?: number,
): Promise<EntryList<DomainName>> {
  return collectEntries(
    args,
    file,
    (entry) => parseDomain(entry),
    'missing domain; give one or more domains such as example.org, or --file <path>',
    'domain',
    timeoutMs,
  );
}
