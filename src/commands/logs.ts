/** xfed logs: reads Expressway/VCS, IM and Presence (XCP), Prosody and ejabberd logs and says what went wrong. */
import { existsSync } from 'node:fs';
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import { XfedCommand } from '../cli/base-command.js';
import { UsageError } from '../cli/errors.js';
import { domainFlag } from '../cli/flags.js';
import type { LogFacts } from '../facts/logs.js';
import type { Pipeline } from '../pipeline/run.js';

const usage = (m: string): never => {
  throw new UsageError(m);
};

/** An absolute time (ISO 8601, a date, or `YYYY-MM-DD HH:MM[:SS]`) or an age such as 2h, 30m, 7d. */
export function parseWhen(flag: string, input: string, now = Date.now()): Date {
  const rel = /^(\d+(?:\.\d+)?)\s*(s|m|h|d|w)$/i.exec(input.trim());
  if (rel) {
    const unit = { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7, w: 6.048e8 }[
      (rel[2] as string).toLowerCase()
    ] as number;
    return new Date(now - Number(rel[1]) * unit);
  }
  const s = input.trim().replace(/^(\d{4}-\d\d-\d\d) (\d)/, '$1T$2');
  const d = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)?)?$/.test(s)
    ? new Date(s)
    : new Date(Number.NaN);
  if (Number.isNaN(d.getTime()))
    usage(
      `--${flag} "${input}" is not a time; use ISO 8601 (2024-05-02T10:00:00Z, 2024-05-02) or an age (30m, 2h, 7d)`,
    );
  return d;
}

export default class Logs extends XfedCommand {
  static override summary =
    'Read Expressway, IM and Presence (XCP), Prosody and ejabberd logs and say what broke federation.';
  static override description =
    'Paths may be files, directories (walked), .tar.gz/.tgz/.zip diagnostic bundles (read as streams, nothing extracted) or - for stdin. Lines are recognised by content, not by file name.';
  static override examples = [
    '<%= config.bin %> logs diagnostic_log_expe_2024-05-02.tar.gz',
    '<%= config.bin %> logs /var/log/prosody/ --domain example.com --timeline',
    'journalctl -u ejabberd | <%= config.bin %> logs - --since 2h --json',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({
      description: 'log file, directory, .tar.gz/.tgz/.zip bundle, or - for stdin (several allowed)',
    }),
  };
  static override flags = {
    since: Flags.string({ description: 'only lines at or after this time (ISO 8601, or an age such as 2h)' }),
    until: Flags.string({
      description: 'only lines at or before this time (ISO 8601, or an age such as 30m)',
    }),
    domain: domainFlag({ description: 'only s2s sessions involving this domain' }),
    timeline: Flags.boolean({ description: 'print each s2s session\u2019s reconstructed dialback steps' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Logs);
    const paths =
      (argv as string[]).length > 0
        ? (argv as string[])
        : usage('give at least one log file, directory, bundle, or - for stdin');
    if (paths.filter((p) => p === '-').length > 1) usage('- (stdin) can be given only once');
    if (paths.includes('-') && process.stdin.isTTY)
      usage('- reads the log from stdin, but nothing is piped in');
    for (const p of paths) if (p !== '-' && !existsSync(p)) usage(`${p}: no such file or directory`);
    const since = flags.since ? parseWhen('since', flags.since) : undefined;
    const until = flags.until ? parseWhen('until', flags.until) : undefined;
    if (since && until && since > until) usage('--since is later than --until');
    // Lazy: the log readers (zlib, tar-stream, yauzl) load only when this command runs.
    const [{ gatherLogs }, { logsRules }, { describeLogs }] = await Promise.all([
      import('../gather/logs.js'),
      import('../judge/rules/logs.js'),
      import('../report/logs-text.js'),
    ]);
    const secrets = [process.env.XFED_AXL_PASSWORD, process.env.XFED_DIALBACK_SECRET];
    const pipeline: Pipeline<LogFacts> = {
      command: 'logs',
      gather: () =>
        gatherLogs({
          paths,
          ...(since ? { since } : {}),
          ...(until ? { until } : {}),
          ...(flags.domain ? { domain: flags.domain.ascii } : {}),
          secrets,
        }),
      rules: logsRules,
      factsToJson: (f) => f as unknown as Record<string, unknown>,
    };
    const options = {
      paths,
      ...(flags.since ? { since: since?.toISOString() } : {}),
      ...(flags.until ? { until: until?.toISOString() } : {}),
      ...(flags.domain ? { domain: flags.domain.ascii } : {}),
      timeline: flags.timeline,
    };
    await this.emitReport(
      flags,
      paths.join(' '),
      pipeline,
      { timeoutMs: flags.timeout ?? 0, transcript: flags.transcript, options, secrets },
      (r) => describeLogs(r.facts as unknown as LogFacts, { timeline: flags.timeline }),
    );
  }
}
