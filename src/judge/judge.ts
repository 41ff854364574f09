/**
 * Turns rule hits into findings: looks each id up in the catalog, fills {placeholders}
 * from the hit's evidence, and sorts by severity (errors first), keeping rule order within
 * a severity. Pure: no I/O.
 */
import type { Finding } from '../report/model.js';
import { severityRank } from '../report/model.js';
import { catalogEntry, type FindingId } from './catalog/index.js';

/** What a rule returns: a catalog id plus evidence about this target. */
export interface Hit {
  id: FindingId;
  evidence: Record<string, unknown>;
}

/** A pure rule: facts in, hits out. */
export type Rule<F> = (facts: F) => Hit[];

export function hit(id: FindingId, evidence: Record<string, unknown> = {}): Hit {
  return { id, evidence };
}

/** Longest list of names an evidence value carries; the rest is counted ("… N more"). */
export const MAX_LISTED = 10;

export function capList(items: readonly string[]): string[] {
  return items.length <= MAX_LISTED
    ? [...items]
    : [...items.slice(0, MAX_LISTED), `… ${items.length - MAX_LISTED} more`];
}

/** How many hits of one id stand before the rest are summed up (capRepeats). */
export const MAX_SAME = 3;

/**
 * One finding per target is right for a handful of targets; for dozens it buries the report.
 * The first MAX_SAME hits of each id stand, in order; for an id with more, `summary` gets every
 * hit of that id and sums up the ones beyond MAX_SAME in one hit (dns.finding.repeated,
 * xmpp.target.repeated), added after them.
 */
export function capRepeats(hits: readonly Hit[], summary: (id: FindingId, all: Hit[]) => Hit): Hit[] {
  const byId = new Map<FindingId, Hit[]>();
  const out: Hit[] = [];
  for (const h of hits) {
    const same = byId.get(h.id) ?? [];
    same.push(h);
    byId.set(h.id, same);
    if (same.length <= MAX_SAME) out.push(h);
  }
  for (const [id, same] of byId) if (same.length > MAX_SAME) out.push(summary(id, same));
  return out;
}

/** Formats one evidence value for prose: arrays are joined, objects shown as compact JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null || v === '') return '(none)';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.map(formatValue).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** Replaces {name} placeholders with evidence values; unknown names become "(unknown)". */
export function fillTemplate(text: string, evidence: Record<string, unknown>): string {
  return text.replace(/\{([a-zA-Z][a-zA-Z0-9_]*)\}/g, (_m, key: string) =>
    key in evidence ? formatValue(evidence[key]) : '(unknown)',
  );
}

export function toFinding(h: Hit): Finding {
  const e = catalogEntry(h.id);
  return {
    id: h.id,
    severity: e.severity,
    title: fillTemplate(e.title, h.evidence),
    symptom: fillTemplate(e.symptom, h.evidence),
    cause: fillTemplate(e.cause, h.evidence),
    fix: fillTemplate(e.fix, h.evidence),
    evidence: h.evidence,
    refs: [...e.refs],
  };
}

/** Runs every rule over the facts; a rule that throws is a bug in xfed and propagates. */
export function judge<F>(facts: F, rules: readonly Rule<F>[]): Finding[] {
  const hits = rules.flatMap((r) => r(facts));
  const findings = hits.map(toFinding);
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => severityRank(a.f.severity) - severityRank(b.f.severity) || a.i - b.i)
    .map(({ f }) => f);
}
