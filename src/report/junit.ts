/**
 * JUnit XML for CI: one <testsuite> per target, one <testcase> per check (each finding is the
 * outcome of one check), <failure> for errors (and for warnings with --fail-on warning), other
 * findings pass with their text in <system-out>. Valid against the JUnit schema Jenkins uses
 * (test/fixtures/junit/junit-10.xsd). Only renders the report.
 *
 * XML escaping is written here rather than taken from a library: it is five entities plus
 * dropping what XML 1.0 cannot carry at all, and safeText already makes control characters
 * visible (XML 1.0 forbids most of them even as character references).
 */
import type { FailOn, Finding, Report } from './model.js';
import { safeText } from './untrusted.js';

/** Text safe in XML 1.0 content and in double-quoted attributes. */
export function xmlText(s: string, opts: { newlines?: boolean } = {}): string {
  return safeText(s, opts)
    .replace(
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g,
      '\ufffd',
    )
    .replace(/[&<>"']/g, (c) =>
      c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
    );
}

function failing(f: Finding, failOn: FailOn): boolean {
  return f.severity === 'error' || (failOn === 'warning' && f.severity === 'warning');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

function findingText(f: Finding): string {
  return [
    `${f.severity.toUpperCase()} ${f.title} [${f.id}]`,
    `symptom: ${f.symptom}`,
    `cause: ${f.cause}`,
    `fix: ${f.fix}`,
    ...(f.refs.length > 0 ? [`see: ${f.refs.join(' ')}`] : []),
  ].join('\n');
}

function testcase(r: Report, f: Finding, failOn: FailOn): string {
  const classname = `xfed.${r.command.replaceAll(' ', '.')}.${r.target}`;
  const open = `    <testcase name="${xmlText(`${f.id}: ${f.title}`)}" classname="${xmlText(classname)}" time="0">`;
  const body = xmlText(findingText(f), { newlines: true });
  if (failing(f, failOn)) {
    return `${open}\n      <failure type="${xmlText(f.id)}" message="${xmlText(f.title)}">${body}</failure>\n    </testcase>`;
  }
  return `${open}\n      <system-out>${body}</system-out>\n    </testcase>`;
}

function suite(r: Report, failOn: FailOn): string {
  const cases = r.findings.map((f) => testcase(r, f, failOn));
  const failures = r.findings.filter((f) => failing(f, failOn)).length;
  let tests = r.findings.length;
  if (tests === 0) {
    // A run with no finding at all still ran its checks: one passing case says so.
    tests = 1;
    cases.push(
      `    <testcase name="${xmlText(r.command)}" classname="xfed" time="${seconds(r.durationMs)}"/>`,
    );
  }
  const attrs = [
    `name="${xmlText(`xfed ${r.command} ${r.target}`)}"`,
    `tests="${tests}"`,
    `failures="${failures}"`,
    'errors="0"',
    'skipped="0"',
    `time="${seconds(r.durationMs)}"`,
    `timestamp="${xmlText(r.startedAt)}"`,
  ];
  return `  <testsuite ${attrs.join(' ')}>\n${cases.join('\n')}\n  </testsuite>`;
}

/** One document for the whole run. */
export function renderJunit(reports: readonly Report[], failOn: FailOn): string {
  const command = reports[0]?.command ?? '';
  const tests = reports.reduce((n, r) => n + Math.max(1, r.findings.length), 0);
  const failures = reports.reduce((n, r) => n + r.findings.filter((f) => failing(f, failOn)).length, 0);
  const time = reports.reduce((n, r) => n + r.durationMs, 0);
  const head = `<testsuites name="${xmlText(`xfed ${command}`)}" tests="${tests}" failures="${failures}" errors="0" time="${seconds(time)}">`;
  return `<?xml version="1.0" encoding="UTF-8"?>\n${head}\n${reports.map((r) => suite(r, failOn)).join('\n')}\n</testsuites>\n`;
}
