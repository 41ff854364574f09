/** Option parsing for `xfed cisco services` (usage errors, exit 2, before any traffic). */
import { safeText } from '../report/untrusted.js';
import { UsageError } from './errors.js';

const usage = (m: string): never => {
  throw new UsageError(m);
};

/** How far in the future --changed-at may be (clock skew) before it is a mistake. */
const FUTURE_SLACK_MS = 5 * 60_000;
/**
 * --changed-at: an ISO 8601 date and time (a time without a zone is local time, as Date.parse
 * takes it), or a date alone (midnight UTC). Other forms are refused rather than guessed.
 */
export function parseChangedAt(raw: string, nowMs = Date.now()): number {
  const s = raw.trim();
  const shown = safeText(raw, { max: 80 });
  const iso = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/i;
  const ms = iso.test(s) ? Date.parse(s.replace(' ', 'T')) : Number.NaN;
  if (Number.isNaN(ms))
    return usage(
      `--changed-at "${shown}" is not a time; use ISO 8601 such as 2026-11-30T14:05:00Z or 2026-11-30 15:05+01:00`,
    );
  if (ms > nowMs + FUTURE_SLACK_MS) return usage(`--changed-at "${shown}" is in the future`);
  return ms;
}
