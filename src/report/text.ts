/**
 * Human renderer: a header with the verdict, the gathered facts a command chose to show,
 * then findings grouped by severity as symptom -> cause -> fix. Formats only; every word of
 * a verdict comes from the catalog via the report. Every string that can carry bytes from the
 * network or the user (target, finding texts filled from evidence, fact lines, transcript) goes
 * through safeText here, in one place, before any styling is added.
 */
import type { Finding, Report, Severity } from './model.js';
import { safeText } from './untrusted.js';

export interface Style {
  error(s: string): string;
  warning(s: string): string;
  info(s: string): string;
  dim(s: string): string;
  bold(s: string): string;
  ok(s: string): string;
}

const MARK: Record<Severity, string> = { error: '✖', warning: '▲', info: '●' };
const LABEL: Record<Severity, string> = { error: 'ERROR', warning: 'WARNING', info: 'INFO' };
const STATUS_WORD = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;

function count(findings: readonly Finding[], s: Severity): number {
  return findings.filter((f) => f.severity === s).length;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function wrap(text: string, indent: string, width: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line.length > 0 && line.length + 1 + w.length > width) {
      lines.push(line);
      line = w;
    } else {
      line = line.length > 0 ? `${line} ${w}` : w;
    }
  }
  if (line) lines.push(line);
  return lines.join(`\n${indent}`);
}

export function renderFinding(f: Finding, st: Style, width = 100): string {
  const paint = st[f.severity];
  // Finding text is filled from evidence (peer answers, log lines): escaped like every untrusted string.
  const head = `${paint(`${MARK[f.severity]} ${LABEL[f.severity]}`)} ${st.bold(safeText(f.title))} ${st.dim(`[${f.id}]`)}`;
  const pad = '             ';
  const body = [
    `    symptom  ${wrap(safeText(f.symptom), pad, width - pad.length)}`,
    `    cause    ${wrap(safeText(f.cause), pad, width - pad.length)}`,
    `    fix      ${wrap(safeText(f.fix), pad, width - pad.length)}`,
  ];
  if (f.refs.length > 0) body.push(st.dim(`    see      ${safeText(f.refs.join(' '))}`));
  return [head, ...body].join('\n');
}

/** Renders one report. `factLines` are command-specific, verdict-free summaries of the facts. */
export function renderText(r: Report, st: Style, factLines: readonly string[] = []): string {
  const statusPaint = r.status === 'fail' ? st.error : r.status === 'warn' ? st.warning : st.ok;
  const counts = [
    plural(count(r.findings, 'error'), 'error'),
    plural(count(r.findings, 'warning'), 'warning'),
    `${count(r.findings, 'info')} info`,
  ].join(', ');
  const out: string[] = [];
  out.push(
    `${st.bold(`xfed ${r.command} ${safeText(r.target)}`)}  ${statusPaint(STATUS_WORD[r.status])}  ${st.dim(`(${counts}; ${r.durationMs} ms)`)}`,
  );
  if (factLines.length > 0) {
    out.push('');
    for (const l of factLines) out.push(`  ${safeText(l)}`);
  }
  for (const sev of ['error', 'warning', 'info'] as const) {
    const group = r.findings.filter((f) => f.severity === sev);
    if (group.length === 0) continue;
    out.push('');
    for (const f of group) out.push(renderFinding(f, st));
  }
  out.push(...transcriptLines(r, st));
  return `${out.join('\n')}\n`;
}

/** The transcript section of a text report (empty without --transcript). */
export function transcriptLines(r: Report, st: Style): string[] {
  if (!r.transcript) return [];
  const out = ['', st.bold('Transcript')];
  for (const t of r.transcript) {
    const arrow = t.dir === 'out' ? '>>' : t.dir === 'in' ? '<<' : '--';
    // Newlines kept (XML spans lines) but indented, so no received line starts at column 0.
    const data = safeText(t.data, { newlines: true }).replaceAll('\n', '\n            ');
    out.push(st.dim(`${String(t.t).padStart(6)} ms ${arrow} `) + data);
  }
  return out;
}
