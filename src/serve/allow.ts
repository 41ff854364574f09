/**
 * `--allow` patterns of the exporter: which targets it may probe. An exporter that probes any
 * target on request is a scanner for other people's networks, so nothing is allowed unless a
 * pattern says so.
 *   example.org      exactly that domain
 *   *.example.org    any name below example.org (not example.org itself)
 *   *                any domain (must be given on purpose)
 * Patterns are IDN-converted like targets, and compared case-insensitively as A-labels.
 */
import { UsageError } from '../cli/errors.js';
import { parseDomain } from '../cli/validate.js';

export interface AllowPattern {
  /** As given. */
  pattern: string;
  kind: 'exact' | 'below' | 'any';
  /** A-label of the domain part ('' for any). */
  domain: string;
}

export function parseAllowPattern(raw: string): AllowPattern {
  const p = raw.trim();
  if (p === '*') return { pattern: p, kind: 'any', domain: '' };
  if (p.startsWith('*.'))
    return { pattern: p, kind: 'below', domain: parseDomain(p.slice(2), '--allow').ascii };
  if (p.includes('*')) {
    throw new UsageError(
      `--allow "${raw}": a wildcard is only allowed as "*" or a leading "*." (e.g. *.example.org)`,
    );
  }
  return { pattern: p, kind: 'exact', domain: parseDomain(p, '--allow').ascii };
}

/** True when an A-label domain matches one of the patterns. */
export function isAllowed(domain: string, patterns: readonly AllowPattern[]): boolean {
  const d = domain.toLowerCase();
  return patterns.some((p) =>
    p.kind === 'any' ? true : p.kind === 'exact' ? d === p.domain : d.endsWith(`.${p.domain}`),
  );
}
