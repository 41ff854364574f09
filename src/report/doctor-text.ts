/**
 * Human renderer of a doctor report: one headline per direction first (WORKS via …, BROKEN at
 * <layer>: … (fix on <domain>), UNKNOWN), then each direction's findings by severity with the
 * side the fix is on, and the layers that were not checked and why. Formats the report only.
 */
import type { Finding, LayerCheck, Report, Verdict } from './model.js';
import { severityRank } from './model.js';
import { renderFinding, type Style, transcriptLines } from './text.js';
import { safeText } from './untrusted.js';

const WORD = { works: 'WORKS', broken: 'BROKEN', unknown: 'UNKNOWN' } as const;

function directionOf(v: Verdict): string {
  return v.from ? `${v.from} → ${v.to}` : `→ ${v.to}`;
}

export function headline(v: Verdict, st: Style): string {
  const paint = v.status === 'works' ? st.ok : v.status === 'broken' ? st.error : st.warning;
  let text = paint(WORD[v.status]);
  if (v.status === 'works') {
    text += ` via ${v.via === 'sasl-external' ? 'SASL EXTERNAL' : 'dialback'}`;
    if (v.reason) text += ` (${safeText(v.reason)})`;
  } else if (v.status === 'broken') {
    text += ` at ${v.brokenLayer ?? '?'}: ${safeText(v.reason ?? '')}${v.fixOn ? ` (fix on ${v.fixOn})` : ''}`;
  } else if (v.reason) {
    text += `: ${safeText(v.reason)}`;
  }
  return `${st.bold(directionOf(v))}  ${text}`;
}

/** Which side a finding's fix is on: the receiving domain, or ours for our own certificate. */
function sideOf(f: Finding, v: Verdict | undefined): string | null {
  if (!v) return null;
  const ours =
    f.id.startsWith('sasl.') ||
    f.id === 'xmpp.auth.certificate-rejected' ||
    f.id.startsWith('dialback.our-cert') ||
    f.id.startsWith('doctor.');
  return ours ? v.from : v.to;
}

function notChecked(c: LayerCheck): string {
  return `${c.layer}: not checked${c.findingId ? ` (blocked by ${c.findingId})` : ''}${c.reason ? ` — ${safeText(c.reason)}` : ''}`;
}

export function renderDoctorText(r: Report, st: Style): string {
  const verdicts = r.verdicts ?? [];
  const out: string[] = [st.bold(`xfed doctor ${r.target}`) + st.dim(`  (${r.durationMs} ms)`), ''];
  for (const v of verdicts) out.push(`  ${headline(v, st)}`);
  for (const v of verdicts) {
    const dir = directionOf(v);
    const findings = r.findings
      .filter((f) => f.direction === dir)
      .sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
    out.push('', st.bold(`${dir}`) + st.dim(` — ${findings.length} finding(s)`));
    const skipped = (r.checks ?? []).filter((c) => c.direction === dir && c.status === 'not-checked');
    for (const c of skipped) out.push(st.dim(`  ${notChecked(c)}`));
    for (const f of findings) {
      const side = sideOf(f, v);
      const sev =
        f.severity !== 'info' && side ? st.dim(`    fix on   ${side} (${f.layer ?? '?'} layer)`) : '';
      const safe: Finding = {
        ...f,
        title: safeText(f.title),
        symptom: safeText(f.symptom),
        cause: safeText(f.cause),
        fix: safeText(f.fix),
      };
      // Info findings are what was verified: one line each; problems get symptom, cause and fix.
      if (f.severity === 'info') out.push(`${st.info('●')} ${safe.title} ${st.dim(`[${f.id}]`)}`);
      else out.push(renderFinding(safe, st));
      if (sev) out.push(sev);
    }
  }
  out.push(...transcriptLines(r, st));
  return `${out.join('\n')}\n`;
}
