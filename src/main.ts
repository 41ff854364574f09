/**
 * Runs one xfed command through oclif (everything but `--version`, which bin/run.js answers
 * without loading any of this). It lives in the bundle (scripts/bundle.mjs) so that oclif's
 * runner and the command classes share one copy of @oclif/core in one chunk.
 *
 * Errors that escape a command (unknown command, broken install) are mapped to the report
 * contract's exit codes here: 2 for usage, 3 for anything else, on one line with control and
 * bidi characters escaped (what was typed may be echoed).
 */
import { fileURLToPath } from 'node:url';
import { flush } from '@oclif/core/flush';
import type { Logger } from '@oclif/core/interfaces';
import { run } from '@oclif/core/run';
import { safeText } from './report/untrusted.js';

/**
 * oclif's logger, when DEBUG is not set: it would print nothing then, but oclif's default one
 * sets up the `debug` package on every start (about 9 ms, docs/performance.md). With DEBUG set
 * (e.g. DEBUG=oclif*), oclif's own logger is used as before.
 */
function silentLogger(namespace = 'oclif'): Logger {
  const none = () => {};
  return {
    child: (ns: string, delimiter?: string) => silentLogger(`${namespace}${delimiter ?? ':'}${ns}`),
    debug: none,
    error: none,
    info: none,
    namespace,
    trace: none,
    warn: none,
  };
}

interface OclifError {
  name?: string;
  code?: string;
  detail?: unknown;
  message?: unknown;
  oclif?: { exit?: number };
}

/** `root` is the URL of a file inside the package (oclif finds package.json from it). */
export async function main(argv: string[], root: string): Promise<void> {
  try {
    await run(argv, process.env.DEBUG ? root : { root: fileURLToPath(root), logger: silentLogger() });
    await flush();
  } catch (err) {
    const e = (err ?? {}) as OclifError;
    if (e.oclif?.exit === 0) process.exit(0);
    const usage = e.name === 'UsageError';
    const raw = usage ? String(e.detail) : String(e.message ?? err).split('\n')[0];
    const msg = safeText(raw, { max: 400 });
    if (usage || e.oclif?.exit !== undefined || /not found|Unexpected|flag/i.test(raw)) {
      process.stderr.write(`xfed: ${msg} (see xfed --help)\n`);
      process.exitCode = 2;
    } else {
      process.stderr.write(`xfed: internal error: ${msg}. This is a bug in xfed; please report it.\n`);
      process.exitCode = 3;
    }
  }
}
