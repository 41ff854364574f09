/**
 * Nagios / Icinga plugin output (Monitoring Plugins development guidelines): a first line
 * `XFED <COMMAND> <STATE> - <target>: <first finding title>`, further lines for the other
 * findings and targets, performance data after `|` as `label=value[UOM];warn;crit;min;max`,
 * and exit codes 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. Several targets: the worst state
 * wins and comes first, one line per target. Only renders the report.
 */
import { measure } from './measure.js';
import type { FailOn, Report, Status } from './model.js';
import { safeText } from './untrusted.js';

export type NagiosState = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

const CODE: Record<NagiosState, 0 | 1 | 2 | 3> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/**
 * Report status to plugin state. A warning is WARNING; with --fail-on warning a warning is
 * already a failure for the user, so it is CRITICAL.
 */
export function nagiosState(status: Status, failOn: FailOn = 'error'): NagiosState {
  if (status === 'fail') return 'CRITICAL';
  if (status === 'warn') return failOn === 'warning' ? 'CRITICAL' : 'WARNING';
  return 'OK';
}

export function nagiosExitCode(state: NagiosState): 0 | 1 | 2 | 3 {
  return CODE[state];
}

/** Aggregation order: CRITICAL > UNKNOWN (could not tell) > WARNING > OK. */
const RANK: Record<NagiosState, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

export function worstState(states: readonly NagiosState[]): NagiosState {
  return states.reduce<NagiosState>((w, s) => (RANK[s] > RANK[w] ? s : w), 'OK');
}

/**
 * Plugin text from untrusted input: no control or bidi characters (safeText), and no `|`,
 * which would start the performance data.
 */
function pluginText(s: string, max = 200): string {
  return safeText(s, { max }).replaceAll('|', '/');
}

/** A perfdata label: no `=`, `'` or `|` (the guidelines forbid them), quoted when it holds a space. */
function label(s: string): string {
  const clean = safeText(s).replace(/['=|]/g, '_');
  return /\s/.test(clean) ? `'${clean}'` : clean;
}

function num(n: number, digits: number): string {
  return String(Number(n.toFixed(digits)));
}

/** Perfdata of one report: step timings in seconds (min 0), cert_days with its warn;crit thresholds. */
export function perfdata(r: Report, prefix = ''): string[] {
  const m = measure(r);
  const out: string[] = [];
  for (const [step, s] of Object.entries(m.steps)) out.push(`${label(`${prefix}${step}`)}=${num(s, 6)}s;;;0`);
  const cert = m.certs[0];
  if (cert) out.push(`${label(`${prefix}cert_days`)}=${num(cert.days, 1)};${cert.warnDays};0`);
  if (m.srvTargets !== undefined) out.push(`${label(`${prefix}srv_targets`)}=${m.srvTargets};;;0`);
  return out;
}

function commandWord(command: string): string {
  return `XFED ${command.toUpperCase()}`;
}

function targetLine(r: Report, state: NagiosState): string {
  const first = r.findings[0];
  const what = first ? pluginText(first.title) : 'no findings';
  return `${commandWord(r.command)} ${state} - ${pluginText(r.target, 255)}: ${what}`;
}

export interface NagiosOutput {
  text: string;
  exitCode: 0 | 1 | 2 | 3;
}

/** Renders the plugin output for every report of the run (worst target first). */
export function renderNagios(reports: readonly Report[], failOn: FailOn): NagiosOutput {
  if (reports.length === 0) return { text: 'XFED UNKNOWN - no target was checked\n', exitCode: 3 };
  const rows = reports.map((r, i) => ({ r, i, state: nagiosState(r.status, failOn) }));
  const sorted = [...rows].sort((a, b) => RANK[b.state] - RANK[a.state] || a.i - b.i);
  const worst = worstState(rows.map((x) => x.state));
  const several = reports.length > 1;
  const perf = rows.flatMap(({ r }) => perfdata(r, several ? `${r.target}_` : ''));
  const lines: string[] = [];
  const head = sorted[0]!;
  lines.push(`${targetLine(head.r, head.state)}${perf.length > 0 ? ` | ${perf.join(' ')}` : ''}`);
  for (const row of sorted) {
    if (row !== head) lines.push(targetLine(row.r, row.state));
    for (const f of row.r.findings.slice(1)) {
      if (f.severity === 'info' && row.r.status !== 'pass') continue;
      lines.push(`  ${f.severity.toUpperCase()}: ${pluginText(f.title)} [${f.id}]`);
    }
  }
  return { text: `${lines.join('\n')}\n`, exitCode: nagiosExitCode(worst) };
}

/** The one line printed for a usage error or an xfed failure: UNKNOWN, exit 3. */
export function renderNagiosUnknown(command: string | undefined, message: string): string {
  const cmd = command ? commandWord(command) : 'XFED';
  return `${cmd} UNKNOWN - ${pluginText(message, 500)}\n`;
}
