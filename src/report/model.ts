/**
 * Report v1: the single source of the JSON contract (see docs/report-contract.md and
 * schemas/report.v1.json). Renderers read only this shape.
 */

export const SCHEMA_VERSION = 1 as const;

export type Severity = 'error' | 'warning' | 'info';
export type Status = 'pass' | 'warn' | 'fail';

/** One finding: a catalog entry with its text filled in from target-specific evidence. */
export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  symptom: string;
  cause: string;
  fix: string;
  evidence: Record<string, unknown>;
  refs: string[];
}

/** One transcript line. `t` is milliseconds since the run started. */
export interface TranscriptEntry {
  t: number;
  dir: 'out' | 'in' | 'note';
  data: string;
}

export interface Report {
  schemaVersion: typeof SCHEMA_VERSION;
  tool: { name: 'xfed'; version: string };
  command: string;
  target: string;
  options: Record<string, unknown>;
  /** ISO 8601 UTC. */
  startedAt: string;
  durationMs: number;
  status: Status;
  findings: Finding[];
  facts: Record<string, unknown>;
  transcript?: TranscriptEntry[];
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function severityRank(s: Severity): number {
  return RANK[s];
}

/** The worst severity present decides the status. */
export function statusOf(findings: readonly Pick<Finding, 'severity'>[]): Status {
  if (findings.some((f) => f.severity === 'error')) return 'fail';
  if (findings.some((f) => f.severity === 'warning')) return 'warn';
  return 'pass';
}

export type FailOn = 'error' | 'warning';

/** Exit code for a finished report: 1 when the report fails the --fail-on threshold, else 0. */
export function exitCodeFor(reports: readonly Report[], failOn: FailOn): 0 | 1 {
  for (const r of reports) {
    if (r.status === 'fail') return 1;
    if (failOn === 'warning' && r.status === 'warn') return 1;
  }
  return 0;
}
