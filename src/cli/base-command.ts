/**
 * XfedCommand: owns the common flags, stdout discipline, the error -> exit-code mapping
 * (2 usage, 3 internal) and report output. Replaces three oclif defaults that break the
 * report contract: parse errors and this.error() exit codes, JSON errors on stdout, and
 * pretty-printed JSON (which breaks JSON Lines).
 */
import { appendFile } from 'node:fs/promises';
import { Command } from '@oclif/core/command';
import * as Flags from '@oclif/core/flags';
import { runInOrder } from '../pipeline/batch.js';
import { type Pipeline, type RunOptions, runTarget } from '../pipeline/run.js';
import { FORMATS, loadRenderer, type OutputFormat } from '../report/format.js';
import type { FailOn, Report } from '../report/model.js';
import { exitCodeFor } from '../report/model.js';
import type { Style } from '../report/text.js';
import { safeText } from '../report/untrusted.js';
import type { EntryList } from './domain-list.js';
import { UsageError } from './errors.js';
import { durationFlag } from './flags.js';
import { hideTypedValues } from './secret.js';
import { startSpinner, styleFor } from './tty.js';

export interface CommonFlags {
  json: boolean;
  format?: OutputFormat | undefined;
  timeout: number | undefined;
  'fail-on': FailOn;
  transcript: boolean;
}

export interface ReportJob<T> {
  /** An array, or a --file list parsed as the batch reaches each entry. */
  targets: EntryList<T>;
  concurrency: number;
  flags: CommonFlags;
  label(t: T): string;
  run(t: T): Promise<Report>;
  /** Verdict-free lines summarising the facts for the human report. */
  describe?(r: Report): string[];
  /** A command's own text renderer of the whole report (doctor); default renderText. */
  render?(r: Report, style: Style): string;
}

export abstract class XfedCommand extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description: 'Print the report as JSON on stdout (one document per target, JSON Lines for several).',
      helpGroup: 'GLOBAL',
    }),
    format: Flags.option({
      options: FORMATS,
      description:
        "Output format: text (default), json (same as --json), nagios (plugin output and exit codes 0-3), junit (XML), github (workflow commands and job summary), markdown (a report for the peer's admin).",
      helpGroup: 'GLOBAL',
    })(),
    timeout: durationFlag({
      description: 'Deadline for each network step, in milliseconds (or with an s suffix).',
      helpGroup: 'GLOBAL',
    }),
    'fail-on': Flags.option({
      options: ['error', 'warning'] as const,
      default: 'error' as const,
      description: 'Lowest finding severity that makes the exit code 1.',
      helpGroup: 'GLOBAL',
    })(),
    transcript: Flags.boolean({
      description: 'Include what was sent and received (secrets redacted).',
      helpGroup: 'GLOBAL',
    }),
  };

  /** The single-target case: one pipeline run on one target, rendered and mapped to the exit code. */
  protected emitReport<F>(
    flags: CommonFlags,
    target: string,
    pipeline: Pipeline<F>,
    runOpts: RunOptions,
    describe?: (r: Report) => string[],
  ): Promise<void> {
    return this.emitReports({
      targets: [target],
      concurrency: 1,
      flags,
      label: (t) => t,
      run: (t) => runTarget(pipeline, t, runOpts),
      ...(describe ? { describe } : {}),
    });
  }

  /** Writes reports in input order, sets the exit code from their status and --fail-on. */
  protected async emitReports<T>(job: ReportJob<T>): Promise<void> {
    const format = outputFormat(job.flags);
    const text = format === 'text';
    // Only the chosen renderer (and colours only for text on a terminal) is loaded.
    const style = text ? await styleFor(process.stdout) : undefined;
    const render = await loadRenderer(format, style);
    const spinner = await startSpinner(
      `checking ${job.targets.length === 1 ? safeText(job.label(job.targets.at(0) as T), { max: 80 }) : `${job.targets.length} targets`}`,
      !text,
    );
    // Only the exit code outlives a written report (memory flat in the batch size), except
    // for formats that render the whole batch at the end (nagios, junit, github summary).
    let exitCode: 0 | 1 = 0;
    const kept: Report[] = [];
    const keepAll = WHOLE_BATCH_FORMATS.has(format);
    try {
      await runInOrder(
        job.targets,
        job.concurrency,
        (t) => job.run(t),
        (r, i) => {
          if (exitCodeFor([r], job.flags['fail-on']) === 1) exitCode = 1;
          if (keepAll) kept.push(r);
          if (text) spinner.stop();
          const out =
            text && job.render && style
              ? `${i === 0 ? '' : '\n'}${job.render(r, style)}`
              : render.each(r, i, text ? (job.describe?.(r) ?? []) : []);
          if (out) process.stdout.write(out);
        },
      );
      const end = render.end(kept, job.flags['fail-on']);
      if (end?.text) process.stdout.write(end.text);
      if (end?.summary && process.env.GITHUB_STEP_SUMMARY) {
        await appendFile(process.env.GITHUB_STEP_SUMMARY, end.summary);
      }
      process.exitCode = end?.exitCode ?? exitCode;
    } finally {
      spinner.stop();
    }
  }

  /**
   * Set by commands that read a secret: where the secret belongs. Then a parse error never
   * echoes what was typed (`--secret=hunter2`, a stray argument), only this hint.
   */
  static secretHint: string | undefined;

  override async catch(
    error: Error & { oclif?: { exit?: number }; detail?: string; code?: string },
  ): Promise<void> {
    const hint = (this.constructor as typeof XfedCommand).secretHint;
    const err: typeof error = hint ? hideTypedValues(error, hint) : error;
    if (err.oclif?.exit === 0 || err.code === 'EEXIT') throw err;
    const cmd = this.id ? `xfed ${this.id.replaceAll(':', ' ')}` : 'xfed';
    // Under --format nagios every failure of xfed itself is UNKNOWN (exit 3), with the
    // plugin's one status line on stdout, as the Monitoring Plugins guidelines ask.
    const nagios = wantsNagios(this.argv);
    const command = this.id?.replaceAll(':', ' ');
    if (err instanceof UsageError || isParseError(err)) {
      const msg = err instanceof UsageError ? err.detail : oneLine(err.message);
      const shownMsg = safeText(msg, { max: MAX_ERROR_CHARS });
      process.stderr.write(`${cmd}: ${shownMsg} (see ${cmd} --help)\n`);
      if (nagios) process.stdout.write(await nagiosUnknown(command, `usage error: ${shownMsg}`));
      process.exitCode = nagios ? 3 : 2;
      return;
    }
    process.stderr.write(
      `${cmd}: internal error: ${safeText(oneLine(err.message), { max: MAX_ERROR_CHARS })}. This is a bug in xfed; please report it with the command you ran.\n`,
    );
    if (nagios) process.stdout.write(await nagiosUnknown(command, `internal error: ${oneLine(err.message)}`));
    if (process.env.XFED_DEBUG) process.stderr.write(`${err.stack ?? ''}\n`);
    process.exitCode = 3;
  }
}

/** The format the user asked for: --json is the alias of --format json. */
export function outputFormat(flags: Pick<CommonFlags, 'json' | 'format'>): OutputFormat {
  if (flags.json && flags.format !== undefined && flags.format !== 'json') {
    throw new UsageError(`--json and --format ${flags.format} ask for two formats; give one`);
  }
  return flags.json ? 'json' : (flags.format ?? 'text');
}

async function nagiosUnknown(command: string | undefined, message: string): Promise<string> {
  const { renderNagiosUnknown } = await import('../report/nagios.js');
  return renderNagiosUnknown(command, message);
}

/** --format nagios on the raw command line (read before or without a successful parse). */
function wantsNagios(argv: readonly string[]): boolean {
  const i = argv.lastIndexOf('--format');
  if (i >= 0 && argv[i + 1] === 'nagios') return true;
  return argv.some((a) => a === '--format=nagios');
}

/**
 * An error line is escaped (no control or bidi character from user or network input reaches
 * stderr raw) and shortened, so a pasted binary cannot flood the terminal.
 */
const MAX_ERROR_CHARS = 400;

/** Formats whose renderEnd needs every report of the batch. */
const WHOLE_BATCH_FORMATS: ReadonlySet<OutputFormat> = new Set(['nagios', 'junit', 'github']);

function isParseError(err: Error): boolean {
  const name = err.constructor?.name ?? '';
  return (
    /Args|Flag|ParseError|Arguments/.test(name) ||
    /^(Parsing --|Unexpected argument|Missing \d+ required arg|Nonexistent flag|Expected --|Flag --|Unexpected flag|The following error occurred)/m.test(
      err.message,
    )
  );
}

/** Collapses oclif's multi-line parse messages to one line. */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with --help$/.test(l));
  const m = /^Parsing (--[\w-]+)$/.exec(lines[0] ?? '');
  if (m && lines[1]) return `${m[1]}: ${lines[1]}`;
  // oclif lists several problems under "The following error(s) occurred:"; name flags as typed.
  return lines
    .filter((l) => !/^The following errors? occurred:?$/.test(l))
    .map((l) => l.replace(/^The following errors? occurred:\s*/, ''))
    .map((l) => l.replace(/^Missing required flag (\w[\w-]*)$/, 'missing required flag --$1'))
    .join('; ');
}
