/**
 * Reads a secret (AXL password, dialback secret) without it ever touching argv: from a
 * `--…-stdin` flag, an environment variable, or a no-echo prompt on a terminal, in that order
 * (`--…-stdin` with a terminal on stdin prompts too, so the secret is never echoed).
 * Anything else is a usage error that names the env var and flag to use (exit 2, no traffic).
 */
import { UsageError } from './errors.js';

export interface SecretSpec {
  /** Environment variable to read, e.g. XFED_AXL_PASSWORD. An empty value counts as unset. */
  envVar: string;
  /** The flag that means "read it from stdin", e.g. --password-stdin (named in messages). */
  stdinFlag: string;
  /** Whether that flag was given. */
  fromStdin?: boolean;
  /** Prompt shown on stderr, e.g. "AXL password for admin@cucm.example.com". */
  promptLabel: string;
  /** What the secret is called in messages (default "password"). */
  what?: string;
}

/** The streams and environment readSecret uses; injectable for tests. */
export interface SecretIo {
  env: NodeJS.ProcessEnv;
  stdin: NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  stderr: NodeJS.WritableStream;
}

/** Longest secret accepted from stdin or the prompt; anything longer is a mistake (a file piped in). */
export const MAX_SECRET_CHARS = 4096;

function defaultIo(): SecretIo {
  return { env: process.env, stdin: process.stdin, stderr: process.stderr };
}

export async function readSecret(spec: SecretSpec, io: SecretIo = defaultIo()): Promise<string> {
  const what = spec.what ?? 'password';
  const terminal = io.stdin.isTTY === true && typeof io.stdin.setRawMode === 'function';
  // --…-stdin on a terminal would echo the secret as it is typed: prompt without echo instead.
  if (spec.fromStdin) return terminal ? prompt(spec, what, io) : fromStdin(spec, what, io);
  const env = io.env[spec.envVar];
  if (env !== undefined && env !== '') return env;
  if (terminal) return prompt(spec, what, io);
  throw new UsageError(
    `no ${what}: set ${spec.envVar}, or pipe it in with ${spec.stdinFlag} (stdin is not a terminal, so xfed cannot prompt)`,
  );
}

/**
 * oclif's "Unexpected argument: X" and "Nonexistent flag: --x=Y" messages echo what was typed,
 * so a secret typed on the command line by mistake (`--password-stdin hunter2`, `--passwd=…`)
 * would land on stderr and in CI logs. For commands that read a secret, those two parse errors
 * become usage errors that show no values; `hint` says where the secret belongs. Other errors
 * pass through unchanged.
 */
export function hideTypedValues(err: Error, hint: string): Error {
  const kind = err.constructor?.name;
  if (kind === 'UnexpectedArgsError') {
    return new UsageError(`unexpected argument (not shown, in case it is a secret); ${hint}`);
  }
  const flags = (err as { flags?: unknown }).flags;
  if (kind === 'NonExistentFlagsError' && Array.isArray(flags)) {
    // Keep the flag name, never what follows it: --name=value, or -xvalue for a short flag.
    const names = flags.map((f) =>
      String(f).startsWith('--') ? String(f).replace(/=[\s\S]*$/, '=…') : `${String(f).slice(0, 2)}…`,
    );
    return new UsageError(`nonexistent flag ${names.join(', ')}; ${hint}`);
  }
  return err;
}

/** Reads all of stdin (bounded) and drops the trailing line break, like `docker login --password-stdin`. */
async function fromStdin(spec: SecretSpec, what: string, io: SecretIo): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) {
    text += typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('utf8');
    if (text.length > MAX_SECRET_CHARS + 2) {
      throw new UsageError(
        `${spec.stdinFlag}: stdin holds more than ${MAX_SECRET_CHARS} characters; expected only the ${what}`,
      );
    }
  }
  const secret = text.replace(/(\r?\n)+$/, '');
  if (secret.length === 0) throw new UsageError(`${spec.stdinFlag}: stdin was empty; expected the ${what}`);
  if (/[\r\n]/.test(secret))
    throw new UsageError(`${spec.stdinFlag}: stdin holds several lines; expected only the ${what}`);
  return secret;
}

/** A no-echo prompt on stderr: raw mode, nothing echoed, Backspace edits, Ctrl-C / Ctrl-D cancel. */
function prompt(spec: SecretSpec, what: string, io: SecretIo): Promise<string> {
  const { stdin, stderr } = io;
  return new Promise((resolve, reject) => {
    let secret = '';
    const finish = (err?: Error) => {
      stdin.removeListener('data', onData);
      stdin.removeListener('end', onEnd);
      stdin.setRawMode?.(false);
      stdin.pause();
      stderr.write('\n');
      if (err) reject(err);
      else resolve(secret);
    };
    const onData = (chunk: Buffer | string) => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') {
          return finish(secret.length > 0 ? undefined : new UsageError(`no ${what} entered`));
        }
        if (ch === '\u0003' || ch === '\u0004') return finish(new UsageError(`${what} prompt cancelled`));
        if (ch === '\u007f' || ch === '\b') secret = Array.from(secret).slice(0, -1).join('');
        else if (ch >= ' ' && secret.length < MAX_SECRET_CHARS) secret += ch;
      }
    };
    // The terminal went away before Enter: nothing more will come, so do not wait forever.
    const onEnd = () => finish(new UsageError(`no ${what} entered (stdin closed)`));
    stderr.write(`${spec.promptLabel}: `);
    stdin.setRawMode?.(true);
    stdin.on('data', onData);
    stdin.once('end', onEnd);
    stdin.resume();
  });
}
