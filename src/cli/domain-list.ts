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

/** Entries of a list file, one a line, each through `parse` (domains, or probe tls targets: host:port, IPs). */
function parseEntryList<T>(text: string, source: string, parse: (entry: string) => T): T[] {
  const out: T[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/#.*$/, '').trim();
    if (line === '') continue;
    try {
      out.push(parse(line));
    } catch (e) {
      if (e instanceof UsageError) throw new UsageError(`${source} line ${i + 1}: ${e.detail}`);
      throw e;
    }
  }
  return out;
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
): Promise<T[]> {
  const fromArgs = args.map((a) => parse(a));
  const fromFile = file
    ? parseEntryList(await readListText(file, what, timeoutMs), `--file ${shown(file)}`, parse)
    : [];
  const all = [...fromArgs, ...fromFile];
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
): Promise<DomainName[]> {
  return collectEntries(
    args,
    file,
    (entry) => parseDomain(entry),
    'missing domain; give one or more domains such as example.org, or --file <path>',
    'domain',
    timeoutMs,
  );
}
