/**
 * Prometheus text exposition of one probe's report (the `xfed serve` /probe answer), in the
 * style of blackbox_exporter: success, duration, step durations, certificate expiry, SRV
 * target count, and one `xfed_finding` series per non-info finding. Label values are escaped
 * by prom-client (the exposition format's `\\`, `"` and newline rules); control and bidi
 * characters are made visible with safeText first. Only renders the report.
 */
import { Gauge, Registry } from 'prom-client';
import { measure } from './measure.js';
import type { Report } from './model.js';
import { safeText } from './untrusted.js';

/** What the exporter knows about a probe besides its report. */
export interface ProbeOutcome {
  module: string;
  target: string;
  /** The report, absent when the probe did not finish within its deadline. */
  report?: Report;
  /** Wall time of the probe as the exporter saw it (queueing excluded). */
  durationSeconds: number;
  /** The probe hit the per-probe deadline. */
  timedOut: boolean;
}

/** Label values from the network or the request: visible escapes, bounded length. */
function lv(s: string): string {
  return safeText(s, { max: 256 });
}

function gauge(reg: Registry, name: string, help: string, labelNames: string[] = []): Gauge<string> {
  return new Gauge({ name, help, labelNames, registers: [reg] });
}

export async function renderProbeMetrics(o: ProbeOutcome): Promise<{ contentType: string; body: string }> {
  const reg = new Registry();
  const r = o.report;
  gauge(reg, 'xfed_probe_success', 'Whether the probe found no error (1) or not (0).').set(
    r && r.status !== 'fail' ? 1 : 0,
  );
  gauge(reg, 'xfed_probe_duration_seconds', 'How long the probe took, in seconds.').set(o.durationSeconds);
  gauge(reg, 'xfed_probe_timeout', 'Whether the probe was cut off by its deadline (1) or not (0).').set(
    o.timedOut ? 1 : 0,
  );
  if (r) {
    const status = gauge(reg, 'xfed_probe_status', 'The report status: 1 for the status reached.', [
      'status',
    ]);
    for (const s of ['pass', 'warn', 'fail'] as const) status.set({ status: s }, r.status === s ? 1 : 0);
    const m = measure(r);
    const steps = gauge(
      reg,
      'xfed_probe_step_duration_seconds',
      'Duration of each probe step (dns, connect, stream, starttls, tls, ...), in seconds.',
      ['step'],
    );
    for (const [step, s] of Object.entries(m.steps)) steps.set({ step }, s);
    if (m.certs.length > 0) {
      const cert = gauge(
        reg,
        'xfed_cert_not_after_timestamp_seconds',
        'notAfter of the leaf certificate a host presented, as a Unix timestamp.',
        ['target', 'host'],
      );
      for (const c of m.certs) cert.set({ target: lv(o.target), host: lv(c.host) }, c.notAfter);
    }
    if (m.srvTargets !== undefined) {
      gauge(reg, 'xfed_srv_targets', 'SRV records (xmpp-server and xmpps-server, "." excluded) found.').set(
        m.srvTargets,
      );
    }
    const counts = gauge(reg, 'xfed_probe_findings', 'Findings of the report by severity.', ['severity']);
    for (const s of ['error', 'warning', 'info'] as const) {
      counts.set({ severity: s }, r.findings.filter((f) => f.severity === s).length);
    }
    const problems = r.findings.filter((f) => f.severity !== 'info');
    if (problems.length > 0) {
      const finding = gauge(
        reg,
        'xfed_finding',
        'A warning or error finding of the probe (see xfed explain <id>).',
        ['id', 'severity', 'target'],
      );
      for (const f of problems) finding.set({ id: lv(f.id), severity: f.severity, target: lv(o.target) }, 1);
    }
  }
  return { contentType: reg.contentType, body: await reg.metrics() };
}
