/** Shape of one catalog entry. Wording lives here, never in renderers. */
import type { Severity } from '../../report/model.js';

export interface CatalogEntry {
  severity: Severity;
  title: string;
  /** What the admin sees. May use {placeholders} filled from evidence. */
  symptom: string;
  /** Why it happens. May use {placeholders}. */
  cause: string;
  /** What to do. May use {placeholders}. */
  fix: string;
  refs: readonly string[];
  /** Evidence used by `xfed explain` and the catalog tests; must define every placeholder used. */
  exampleEvidence: Record<string, unknown>;
}

/** Helper that keeps literal keys (so FindingId stays a union type) while checking entry shape. */
export function defineCatalog<const T extends Record<string, CatalogEntry>>(entries: T): T {
  return entries;
}
