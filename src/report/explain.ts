/** Renders catalog entries for `xfed explain` (text and JSON). */
import type { CatalogEntry, FindingId } from '../judge/catalog/index.js';
import { catalog } from '../judge/catalog/index.js';
import { fillTemplate, toFinding } from '../judge/judge.js';
import type { Style } from './text.js';
import { renderFinding } from './text.js';

export function explainEntry(id: FindingId, st: Style): string {
  const e = catalog.get(id) as CatalogEntry;
  const f = toFinding({ id, evidence: e.exampleEvidence });
  return `${renderFinding(f, st)}\n${st.dim(`    example evidence: ${JSON.stringify(e.exampleEvidence)}`)}\n`;
}

export function explainAll(st: Style): string {
  const rows = [...catalog.entries()].map(
    ([id, e]) =>
      `${st[e.severity](e.severity.padEnd(8))} ${id.padEnd(40)} ${fillTemplate(e.title, e.exampleEvidence)}`,
  );
  return `${rows.join('\n')}\n`;
}

export function explainJson(ids: readonly FindingId[]): string {
  const entries = ids.map((id) => {
    const e = catalog.get(id) as CatalogEntry;
    return {
      id,
      severity: e.severity,
      title: e.title,
      symptom: e.symptom,
      cause: e.cause,
      fix: e.fix,
      refs: e.refs,
      exampleEvidence: e.exampleEvidence,
    };
  });
  return `${JSON.stringify({ schemaVersion: 1, catalog: entries })}\n`;
}

/** Closest known ids to an unknown one, for the usage message. */
export function suggest(id: string): string[] {
  const parts = id.split('.');
  return [...catalog.keys()]
    .filter((k) => k.startsWith(`${parts[0]}.`) && parts.slice(1).some((p) => k.includes(p)))
    .slice(0, 5);
}
