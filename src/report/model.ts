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
  /** doctor: the direction the finding belongs to ("a.test → b.test"; "→ b.test" without --as). */
  direction?: string;
  /** doctor: the layer that found it. */
  layer?: Layer;
}

/** doctor: the layers of one direction, in the order they depend on each other. */
export type Layer = 'dns' | 'tcp' | 'stream' | 'tls' | 'certificate' | 'auth';

/** doctor: the answer for one direction (report contract, "doctor"). */
export interface Verdict {
  /** The sending domain; null when --as was not given. */
  from: string | null;
  to: string;
  status: 'works' | 'broken' | 'unknown';
  via: 'sasl-external' | 'dialback' | null;
  brokenLayer: Layer | null;
  /** The finding that decided a broken or unknown status. */
  findingId: string | null;
  /** On whose side the fix is (a domain), when broken. */
  fixOn: string | null;
  /** One line for the headline: why broken, or how authentication went. */
  reason: string | null;
}

/** doctor: one layer of one direction as checked (or why not). */
export interface LayerCheck {
  direction: string;
  layer: Layer;
  status: 'ok' | 'broken' | 'not-checked';
  /** broken: the finding; not-checked: the finding of the broken layer it depends on. */
  findingId: string | null;
  /** not-checked without a blocking finding: what was missing (e.g. --as, --cert/--key). */
  reason?: string;
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
  /** doctor only: one verdict per direction. */
  verdicts?: Verdict[];
  /** doctor only: every layer of every direction, checked or not. */
  checks?: LayerCheck[];
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
