/**
 * Markdown report to hand to the other side's admin: what was observed, the evidence, and
 * the fix (what *they* change) before the background. Nothing local goes in: no options
 * (they hold our file names), no transcript, no local paths in evidence, no colour.
 * Secrets never reach a report (they are redacted at gathering). Only renders the report.
 */
import type { Finding, Report, Severity } from './model.js';
import { safeText } from './untrusted.js';

/**
 * Markdown-inert text: control and bidi characters made visible (safeText), newlines
 * collapsed, and every character that can start inline markup, HTML or a table cell
 * boundary backslash-escaped (CommonMark allows a backslash before any ASCII punctuation).
 */
export function mdText(s: string, max = 2000): string {
  return safeText(s.replace(/\s*\n\s*/g, ' '), { max }).replace(/[\\`*_[\]<>|~&#!()]/g, (c) => `\\${c}`);
}

/** A value as inline code: the fence is one backtick longer than any run inside. */
function mdCode(s: string): string {
  const text = safeText(s.replace(/\s*\n\s*/g, ' '), { max: 500 });
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((r) => r.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') || text === '' ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Absolute local paths (ours, not the peer's business) are left out of the evidence. */
function isLocalPath(v: string): boolean {
  return /^(\/|~\/|[A-Za-z]:\\|\.{1,2}\/)/.test(v) && !/^\/\//.test(v);
}

function evidenceValue(v: unknown): string {
  if (typeof v === 'string') return isLocalPath(v) ? '(local path left out)' : mdCode(v);
  if (typeof v === 'number' || typeof v === 'boolean') return mdCode(String(v));
  if (v === null || v === undefined) return mdCode(String(v));
  const json = JSON.stringify(v);
  return mdCode(json.length > 400 ? `${json.slice(0, 399)}…` : json);
}

const HEADING: Record<Severity, string> = { error: 'Problem', warning: 'Warning', info: 'Verified' };

function renderFinding(f: Finding): string[] {
  const out = [`### ${HEADING[f.severity]}: ${mdText(f.title, 300)}`, ''];
  out.push(`- **What we observed:** ${mdText(f.symptom)}`);
  out.push(`- **What to change on your side:** ${mdText(f.fix)}`);
  out.push(`- **Why:** ${mdText(f.cause)}`);
  out.push(`- **Finding:** ${mdCode(f.id)} (${f.severity})`);
  const ev = Object.entries(f.evidence);
  if (ev.length > 0) {
    out.push('- **Evidence:**');
    for (const [k, v] of ev) out.push(`  - ${mdText(k, 100)}: ${evidenceValue(v)}`);
  }
  if (f.refs.length > 0) out.push(`- **References:** ${f.refs.map((r) => `<${mdRef(r)}>`).join(' ')}`);
  out.push('');
  return out;
}

/** A reference URL as an autolink; anything not a plain http(s) URL is shown as code. */
function mdRef(r: string): string {
  return /^https?:\/\/[^\s<>]+$/.test(r) ? r : mdCode(r);
}

const STATUS_LINE = {
  pass: 'Everything we checked works.',
  warn: 'Federation works, but we found things worth fixing.',
  fail: 'Federation with this domain is broken: see the problems below.',
} as const;

/** One report as a Markdown section (several reports are concatenated). */
export function renderMarkdown(r: Report): string {
  const out: string[] = [];
  out.push(`## XMPP federation check of ${mdText(r.target, 255)}`, '');
  out.push(
    `Checked with xfed ${mdText(r.tool.version, 40)} (\`${r.command}\`) at ${mdText(r.startedAt, 40)}. ${STATUS_LINE[r.status]}`,
    '',
  );
  const problems = r.findings.filter((f) => f.severity !== 'info');
  const verified = r.findings.filter((f) => f.severity === 'info');
  for (const f of problems) out.push(...renderFinding(f));
  if (verified.length > 0) {
    out.push('### What works', '');
    for (const f of verified) out.push(`- ${mdText(f.title, 300)} (${mdCode(f.id)})`);
    out.push('');
  }
  return `${out.join('\n')}\n`;
}
