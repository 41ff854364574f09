/**
 * Verdict-free summary lines for `xfed logs` in the text report: what was read, what was
 * recognised, and with --timeline each s2s session's dialback steps in order (time, step,
 * file:line, the quoted line). Every log-derived string goes through safeText.
 */
import type { DialbackStep, LogFacts } from '../facts/logs.js';
import { safeText } from './untrusted.js';

const STEP_LABEL: Record<DialbackStep, string> = {
  'result-sent': '1 db:result sent (originating)',
  'timeout-scheduled': '1 dialback timeout scheduled',
  'result-received': '2 db:result received (receiving)',
  'callback-resolve': '3 receiving server resolves the originating domain',
  'verify-sent': '4 db:verify sent to the authoritative server',
  'verify-received': '5 db:verify received (authoritative)',
  'verify-answer': '6 db:verify answered',
  connected: '7 connection state change',
};

const QUOTE_WIDTH = 140;

function timeOf(iso: string | undefined): string {
  return iso ? `${iso.slice(0, 10)} ${iso.slice(11, 23)}Z` : '(no time)             ';
}

export function describeLogs(f: LogFacts, opts: { timeline?: boolean } = {}): string[] {
  const fam = (['expressway', 'xcp', 'prosody', 'ejabberd'] as const)
    .map((k) => {
      const n = f.sources.reduce((a, s) => a + (s.families[k] ?? 0), 0);
      return n ? `${k} ${n}` : '';
    })
    .filter(Boolean)
    .join(', ');
  const lines = [
    `read ${f.sources.length} source(s), ${f.totals.lines} line(s), ${(f.totals.bytes / 1024 / 1024).toFixed(1)} MiB: ${f.totals.recognised} recognised${fam ? ` (${fam})` : ''}, ${f.totals.unmatched} unmatched`,
    `${f.totals.events} event(s) in ${f.sessions.length} s2s session(s)${f.eventsDropped ? `; ${f.eventsDropped} more events not kept` : ''}`,
  ];
  const w = f.window;
  if (w.since || w.until || w.domain)
    lines.push(
      `window: ${w.since ?? 'start'} .. ${w.until ?? 'end'}${w.domain ? `, domain ${safeText(w.domain)}` : ''}; ${w.outside} event(s) outside${w.untimed ? `, ${w.untimed} without a time` : ''}`,
    );
  if (!opts.timeline) return lines;
  f.sessions.forEach((s, i) => {
    const steps = s.steps;
    if (steps.length === 0) return;
    lines.push('');
    lines.push(
      `session ${i + 1}: ${safeText(s.from ?? '?')} \u2192 ${safeText(s.to ?? '?')}  [${s.outcome}]  ${safeText(s.ids.join(', '), { max: 120 })}`,
    );
    for (const st of steps) {
      lines.push(
        `  ${timeOf(st.at.time)}  ${STEP_LABEL[st.step]}${st.detail ? ` (${safeText(st.detail, { max: 80 })})` : ''}`,
      );
      lines.push(
        `      ${safeText(`${st.at.file}:${st.at.line}`, { max: 120 })}  ${safeText(st.at.quote, { max: QUOTE_WIDTH })}`,
      );
    }
  });
  return lines;
}
