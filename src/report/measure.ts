/**
 * Measurements read from a report's facts, for the renderers that print numbers (nagios
 * perfdata, the Prometheus exporter): step timings, certificate expiry, SRV target count.
 * Reads facts only and says nothing about good or bad (the findings do that): one place
 * that knows where each command keeps its timings, so no renderer digs into facts itself.
 */
import type { AxlFacts } from '../facts/axl.js';
import type { CertCheckFacts } from '../facts/cert.js';
import type { DialbackFacts, DialbackVerifyFacts } from '../facts/dialback.js';
import type { SrvFacts } from '../facts/srv.js';
import type { AttemptFacts, TlsProbeFacts } from '../facts/tls.js';
import type { Report } from './model.js';

/** Step names, in the order they happen; each in seconds when measured. */
export const STEPS = ['dns', 'connect', 'stream', 'starttls', 'tls', 'dialback', 'ping', 'http'] as const;
export type Step = (typeof STEPS)[number];

export interface CertExpiry {
  /** Host the certificate was presented by (SRV target, host, or AXL host). */
  host: string;
  /** notAfter of the leaf certificate, as a Unix timestamp in seconds. */
  notAfter: number;
  /** Days from the check to notAfter (negative when expired). */
  days: number;
  /** The --warn-days the probe ran with. */
  warnDays: number;
}

export interface Measurements {
  /** Step durations in seconds (only the steps this command and run went through). */
  steps: Partial<Record<Step, number>>;
  /** Leaf certificates seen, one per host (first seen wins), the primary one first. */
  certs: CertExpiry[];
  /** SRV records (xmpp-server and xmpps-server, "." excluded) of the answering resolver; absent when not resolved via SRV. */
  srvTargets?: number;
}

const DAY_S = 86_400;

function seconds(ms: number | undefined): number | undefined {
  return ms === undefined ? undefined : ms / 1000;
}

function certExpiry(c: CertCheckFacts | undefined, host: string): CertExpiry | undefined {
  const leaf = c?.chain[0];
  if (!c || !leaf) return undefined;
  const notAfter = Date.parse(leaf.notAfter) / 1000;
  const at = Date.parse(c.checkedAt) / 1000;
  if (!Number.isFinite(notAfter) || !Number.isFinite(at)) return undefined;
  return { host, notAfter, days: (notAfter - at) / DAY_S, warnDays: c.warnDays };
}

export function srvTargetCount(srv: SrvFacts | undefined): number | undefined {
  if (!srv || srv.primary === null) return undefined;
  const view = srv.views[srv.primary];
  if (!view) return undefined;
  let n = 0;
  for (const s of ['xmpp-server', 'xmpps-server'] as const) {
    n += view.services[s].records.filter((r) => r.target !== '.').length;
  }
  return n;
}

/** The attempt whose timings represent the probe: the one that completed TLS, else the last. */
function mainAttempt(attempts: readonly AttemptFacts[]): AttemptFacts | undefined {
  return attempts.find((a) => a.tlsEstablished) ?? attempts[attempts.length - 1];
}

function set(m: Measurements, step: Step, ms: number | undefined): void {
  const s = seconds(ms);
  if (s !== undefined && Number.isFinite(s)) m.steps[step] = s;
}

function addCert(m: Measurements, e: CertExpiry | undefined): void {
  if (e && !m.certs.some((c) => c.host === e.host)) m.certs.push(e);
}

function fromTls(f: Partial<TlsProbeFacts>, m: Measurements): void {
  if (f.resolution && f.resolution.method !== 'literal') set(m, 'dns', f.resolution.durationMs);
  const srv = srvTargetCount(f.resolution?.srv);
  if (srv !== undefined) m.srvTargets = srv;
  const attempts = f.attempts ?? [];
  const a = mainAttempt(attempts);
  if (a) {
    set(m, 'connect', a.connect.durationMs);
    set(m, 'stream', a.stream?.durationMs);
    set(m, 'starttls', a.starttls?.durationMs);
    set(m, 'tls', a.tls?.durationMs);
    addCert(m, certExpiry(a.cert, a.host));
  }
  for (const other of attempts) addCert(m, certExpiry(other.cert, other.host));
}

function fromSteps(f: Partial<DialbackFacts | DialbackVerifyFacts>, m: Measurements): void {
  const map: Partial<Record<string, Step>> = {
    dns: 'dns',
    connect: 'connect',
    tls: 'tls',
    result: 'dialback',
    'verify-answered': 'dialback',
    ping: 'ping',
  };
  for (const s of f.steps ?? []) {
    const step = map[s.step];
    if (step && m.steps[step] === undefined) set(m, step, s.durationMs);
  }
}

function fromAxl(f: Partial<AxlFacts>, m: Measurements): void {
  if (f.tls && f.tls.status !== 'skipped') set(m, 'tls', f.tls.durationMs);
  const exchanges = f.exchanges ?? [];
  if (exchanges.length > 0)
    set(
      m,
      'http',
      exchanges.reduce((sum, x) => sum + (x.durationMs ?? 0), 0),
    );
  if (f.endpoint) addCert(m, certExpiry(f.cert, f.endpoint.host));
}

/**
 * Everything measurable in a report; commands without timings give empty measurements. Facts
 * are read defensively: a report built elsewhere (a test, an older version) may lack a part.
 */
export function measure(r: Report): Measurements {
  const m: Measurements = { steps: {}, certs: [] };
  const facts = r.facts as unknown;
  switch (r.command) {
    case 'check srv': {
      set(m, 'dns', r.durationMs);
      const n = srvTargetCount((facts as Partial<SrvFacts>).views ? (facts as SrvFacts) : undefined);
      if (n !== undefined) m.srvTargets = n;
      break;
    }
    case 'probe tls':
      fromTls(facts as Partial<TlsProbeFacts>, m);
      break;
    case 'dialback':
    case 'dialback verify':
      fromSteps(facts as Partial<DialbackFacts | DialbackVerifyFacts>, m);
      break;
    case 'axl-auth':
      fromAxl(facts as Partial<AxlFacts>, m);
      break;
    default:
      break;
  }
  return m;
}
