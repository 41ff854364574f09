/**
 * gather -> judge -> report for one target. Commands only describe a Pipeline; this file
 * owns timing, the transcript and the report envelope.
 */
import type { Rule } from '../judge/judge.js';
import { judge } from '../judge/judge.js';
import type { Finding, Report, Status } from '../report/model.js';
import { SCHEMA_VERSION, statusOf } from '../report/model.js';
import { Transcript } from '../transcript/recorder.js';
import { VERSION } from '../version.js';

/** What a probe gets: its deadline per network step, the transcript, and secrets to redact. */
export interface ProbeContext {
  timeoutMs: number;
  transcript: Transcript;
}

export interface Pipeline<F> {
  /** Command id as users type it, e.g. "check srv". */
  command: string;
  gather(target: string, ctx: ProbeContext): Promise<F>;
  rules: readonly Rule<F>[];
  /** Facts as they go into the JSON report (default: the facts object itself). */
  factsToJson?(facts: F): Record<string, unknown>;
  /**
   * Instead of judge(facts, rules): findings plus report fields of the command's own (doctor's
   * verdicts and checks), and the status when the command defines it more strictly.
   */
  conclude?(facts: F): { findings: Finding[]; extra: Pick<Report, 'verdicts' | 'checks'>; status?: Status };
}

export interface RunOptions {
  timeoutMs: number;
  transcript: boolean;
  /** Shown in the report's `options`; must not contain secrets. */
  options: Record<string, unknown>;
  /** Values that must never appear in the transcript. */
  secrets?: readonly (string | undefined)[];
}

export async function runTarget<F>(p: Pipeline<F>, target: string, opts: RunOptions): Promise<Report> {
  const started = Date.now();
  const transcript = new Transcript(started);
  for (const s of opts.secrets ?? []) transcript.addSecret(s);
  const facts = await p.gather(target, { timeoutMs: opts.timeoutMs, transcript });
  const concluded = p.conclude?.(facts);
  const findings = concluded ? concluded.findings : judge(facts, p.rules);
  const report: Report = {
    schemaVersion: SCHEMA_VERSION,
    tool: { name: 'xfed', version: VERSION },
    command: p.command,
    target,
    options: opts.options,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    status: concluded?.status ?? statusOf(findings),
    ...concluded?.extra,
    findings,
    facts: p.factsToJson ? p.factsToJson(facts) : (facts as Record<string, unknown>),
  };
  if (opts.transcript) report.transcript = transcript.snapshot();
  return report;
}
