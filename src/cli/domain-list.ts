/**
 * Domain lists for batch commands: positional arguments plus an optional --file (one
 * domain a line, `#` comments, blank lines ignored). Everything is validated before any
 * traffic; a bad entry is a usage error naming its line.
 */
import { open, readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';
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

async function readListText(path: string, what: string): Promise<string> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile())
        throw new UsageError(
          `--file ${path} is not a regular file; expected a text file with one ${what} a line`,
        );
      if (st.size > MAX_FILE_BYTES)
        throw new UsageError(`--file ${path} is ${st.size} bytes; at most ${MAX_FILE_BYTES} are read`);
    } finally {
      await fh.close();
    }
    text = await readFile(path, 'utf8');
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(
      `--file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); expected a text file with one ${what} a line`,
    );
  }
  return text;
}

/** Arguments first, then the file's entries, in input order; each entry goes through `parse`. */
export async function collectEntries<T>(
  args: readonly string[],
  file: string | undefined,
  parse: (entry: string) => T,
  missing: string,
  what = 'target',
): Promise<T[]> {
  const fromArgs = args.map((a) => parse(a));
  const fromFile = file ? parseEntryList(await readListText(file, what), `--file ${file}`, parse) : [];
  const all = [...fromArgs, ...fromFile];
  if (all.length === 0) throw new UsageError(missing);
  return all;
}

/** Domains from the arguments, then from --file, in input order. */
export function collectDomains(args: readonly string[], file: string | undefined): Promise<DomainName[]> {
  return collectEntries(
    args,
    file,
    (entry) => parseDomain(entry),
    'missing domain; give one or more domains such as example.org, or --file <path>',
    'domain',
  );
}
