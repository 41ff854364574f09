/**
 * GitHub Actions workflow commands: `::error title=…::…` per error finding, `::warning` per
 * warning, `::debug` for passed checks (shown only with step debug logging), and a Markdown
 * job summary (written to GITHUB_STEP_SUMMARY by the command). Untrusted text is escaped the
 * way the runner unescapes it: in the message `%`, CR and LF become %25, %0D, %0A; in
 * properties also `:` and `,` (%3A, %2C). So nothing the peer sends can end our command or
 * start another one on a new line. Only renders the report.
 */
import { mdText, renderMarkdown } from './markdown.js';
import type { Finding, Report } from './model.js';
import { safeText } from './untrusted.js';

export function escapeData(s: string): string {
  return s.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A');
}

export function escapeProperty(s: string): string {
  return escapeData(s).replaceAll(':', '%3A').replaceAll(',', '%2C');
}

const COMMAND = { error: 'error', warning: 'warning', info: 'debug' } as const;

function annotation(r: Report, f: Finding): string {
  const cmd = COMMAND[f.severity];
  const message = safeText(
    `${r.target}: ${f.symptom}\nCause: ${f.cause}\nFix: ${f.fix}\n[${f.id}] xfed explain ${f.id}`,
    { newlines: true },
  );
  if (cmd === 'debug') return `::debug::${escapeData(safeText(`${r.target}: ${f.title} [${f.id}]`))}`;
  const title = escapeProperty(safeText(`xfed ${r.command} ${r.target}: ${f.title}`, { max: 250 }));
  return `::${cmd} title=${title}::${escapeData(message)}`;
}

/** The workflow command lines for one report. */
export function renderGithub(r: Report): string {
  const lines = r.findings.map((f) => annotation(r, f));
  return `${lines.join('\n')}${lines.length > 0 ? '\n' : ''}`;
}

/** The job summary (Markdown) for the whole run. */
export function renderGithubSummary(reports: readonly Report[]): string {
  const head = `# xfed ${reports[0]?.command ?? ''}\n\n| target | status | errors | warnings |\n|---|---|---|---|\n`;
  const rows = reports
    .map((r) => {
      const n = (s: Finding['severity']) => r.findings.filter((f) => f.severity === s).length;
      return `| ${mdText(r.target, 255)} | ${r.status} | ${n('error')} | ${n('warning')} |`;
    })
    .join('\n');
  return `${head}${rows}\n\n${reports.map((r) => renderMarkdown(r)).join('\n')}`;
}
