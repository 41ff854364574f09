/**
 * Probe for `xfed cisco services` (reference cisco-and-peers §1-2): on one node, the certificate
 * is judged first (no credentials), then soapGetServiceStatus is POSTed to Control Center
 * Services; a 404 there tries the legacy path once. A "Exceeded allowed rate" fault (or a 503)
 * is waited out once. Returns CiscoServicesFacts and the transcript; never judges. Each node of a
 * cluster is a separate run, because Control Center answers only for the node it runs on.
 */
import type { LookupFunction } from 'node:net';
import type { HttpExchange } from '../facts/axl.js';
import {
  type CiscoServicesFacts,
  type ControlCenterExchange,
  type ControlCenterPath,
  type FederationVia,
  isActivated,
  statusAnswered,
  uptimeText,
} from '../facts/cisco.js';
import type { ProbeContext, RunOptions } from '../pipeline/run.js';
import {
  CONTROL_CENTER_PATH,
  controlCenterHeaders,
  FEDERATION_SERVICES,
  getServiceStatusRequest,
  LEGACY_CONTROL_CENTER_PATH,
  RATE_LIMIT_FAULT,
  RATE_LIMIT_WAIT_MS,
} from '../protocol/axl/control-center.js';
import { MAX_BODY_BYTES } from '../protocol/axl/http.js';
import type { ParsedAnswer } from '../protocol/axl/response.js';
import type { Report } from '../report/model.js';
import { safeText } from '../report/untrusted.js';
import {
  axlSecrets,
  CiscoSession,
  ciscoHostPort,
  openCiscoHttps,
  type SessionResult,
} from './cisco-https.js';

export interface CiscoServicesOptions {
  /** One node (the command runs this once per --host). */
  host: string;
  port: number;
  user: string;
  /** Never logged, never in facts; registered as a transcript secret. */
  password: string;
  caPems: string[];
  caFiles: string[];
  insecure: boolean;
  /** --all: every service, not only the federation ones. */
  all: boolean;
  via?: FederationVia;
  /** --changed-at as epoch milliseconds. */
  changedAtMs?: number;
  warnDays?: number;
  lookup?: LookupFunction;
  maxBodyBytes?: number;
  /** Milliseconds to wait after a rate-limit fault (default RATE_LIMIT_WAIT_MS; capped by the timeout). */
  rateLimitWaitMs?: number;
}

/** RunOptions for runTarget: the report options (no secrets) and the secrets to redact. */
export function ciscoServicesRunOptions(
  o: CiscoServicesOptions,
  common: { timeoutMs: number; transcript: boolean },
): RunOptions {
  const options: Record<string, unknown> = {
    host: o.host,
    port: o.port,
    user: o.user,
    insecure: o.insecure,
    all: o.all,
    timeoutMs: common.timeoutMs,
  };
  if (o.via) options.via = o.via;
  if (o.changedAtMs !== undefined) options.changedAt = new Date(o.changedAtMs).toISOString();
  if (o.caFiles.length > 0) options.ca = o.caFiles;
  return { ...common, options, secrets: axlSecrets(o.user, o.password) };
}

export async function gatherCiscoServices(
  o: CiscoServicesOptions,
  ctx: ProbeContext,
): Promise<CiscoServicesFacts> {
  const t = ctx.transcript;
  const hostPort = ciscoHostPort(o);
  const facts: CiscoServicesFacts = {
    endpoint: { host: o.host, port: o.port, hostPort, url: `https://${hostPort}${CONTROL_CENTER_PATH}` },
    user: o.user,
    insecure: o.insecure,
    timeoutMs: ctx.timeoutMs,
    maxBodyBytes: o.maxBodyBytes ?? MAX_BODY_BYTES,
    requested: o.all ? [''] : [...FEDERATION_SERVICES],
    all: o.all,
    tls: { status: 'skipped', why: 'not started' },
    exchanges: [],
  };
  if (o.via) facts.via = o.via;
  if (o.changedAtMs !== undefined) facts.changedAt = new Date(o.changedAtMs).toISOString();

  const http = await openCiscoHttps(o, facts, ctx);
  if (!http) return facts;
  try {
    const session = new CiscoSession(http, o, hostPort, ctx);
    const body = getServiceStatusRequest(o.all ? [] : FEDERATION_SERVICES);
    let answer = await ask(session, facts, 'current', body, o);
    if (answer.ex.status === 404 && !answer.ex.error) {
      t.note(`HTTP 404 at ${CONTROL_CENTER_PATH}: trying the legacy ${LEGACY_CONTROL_CENTER_PATH}`);
      answer = await ask(session, facts, 'legacy', body, o);
    }
    if (statusAnswered(answer.ex)) {
      const p = answer.parsed;
      facts.services = p.services ?? [];
      if (p.servicesTruncated) facts.servicesTruncated = true;
      if (p.returnCode) facts.returnCode = p.returnCode;
      if (p.reasonString) facts.reasonString = p.reasonString;
    }
  } finally {
    await http.close();
  }
  return facts;
}

/** The throttle answers: the "Exceeded allowed rate" fault, or an HTTP 503. */
function isRateLimited(ex: HttpExchange): boolean {
  if (ex.status === 503) return true;
  return ex.body?.kind === 'soap-fault' && RATE_LIMIT_FAULT.test(ex.body.faultstring ?? '');
}

async function ask(
  session: CiscoSession,
  facts: CiscoServicesFacts,
  endpoint: ControlCenterPath,
  body: string,
  o: CiscoServicesOptions,
): Promise<{ ex: ControlCenterExchange; parsed: ParsedAnswer }> {
  const path = endpoint === 'current' ? CONTROL_CENTER_PATH : LEGACY_CONTROL_CENTER_PATH;
  let last: { ex: ControlCenterExchange; parsed: ParsedAnswer } | undefined;
  await session.request(
    { method: 'POST', path, headers: controlCenterHeaders(), body },
    {
      record: ({ ex, parsed }: SessionResult) => {
        const cc: ControlCenterExchange = { operation: 'soapGetServiceStatus', endpoint, ...ex };
        if (isRateLimited(ex)) cc.rateLimited = true;
        facts.exchanges.push(cc);
        last = { ex: cc, parsed };
        if (statusAnswered(cc)) facts.answeredAt = new Date().toISOString();
      },
      throttled: ({ ex }) => {
        if (!isRateLimited(ex)) return undefined;
        const fromHeader = ex.retryAfterS !== undefined ? ex.retryAfterS * 1000 : undefined;
        return {
          waitMs: fromHeader ?? o.rateLimitWaitMs ?? RATE_LIMIT_WAIT_MS,
          why: ex.status === 503 ? 'HTTP 503' : 'Control Center fault "Exceeded allowed rate"',
        };
      },
      waited: (ms) => {
        facts.rateLimitWaitMs = ms;
      },
    },
  );
  return last as { ex: ControlCenterExchange; parsed: ParsedAnswer };
}

/** Verdict-free summary lines of the gathered facts for the human report (server text escaped). */
export function describeCiscoServices(r: Report): string[] {
  const f = r.facts as unknown as CiscoServicesFacts;
  if (!f?.endpoint) return [];
  const lines = [`node       ${f.endpoint.hostPort} as ${safeText(f.user)}`];
  if (f.tls.status === 'ok')
    lines.push(`tls        ${f.tls.value.protocol ?? '?'} ${f.tls.value.cipher ?? ''}`.trimEnd());
  else if (f.tls.status === 'error')
    lines.push(`tls        no connection (${f.tls.reason}: ${safeText(f.tls.message, { max: 200 })})`);
  for (const ex of f.exchanges) {
    const answer =
      ex.status !== undefined
        ? `${ex.status} ${safeText(ex.contentType ?? '', { max: 80 })}`.trimEnd()
        : `no answer (${ex.error?.reason})`;
    lines.push(`request    POST ${ex.path} [${ex.auth}] -> ${answer}, ${ex.durationMs} ms`);
  }
  if (f.services) {
    const width = Math.min(48, Math.max(7, ...f.services.map((s) => s.name.length)));
    for (const s of f.services) {
      const state = isActivated(s)
        ? s.status
        : `${s.status}, not activated (ReasonCode ${s.reasonCode} "${s.reasonCodeString ?? ''}")`;
      const up = s.upTimeS !== undefined && s.upTimeS > 0 ? uptimeText(s.upTimeS) : undefined;
      lines.push(
        `service    ${safeText(s.name, { max: 48 }).padEnd(width)}  ${safeText(state, { max: 100 })}${up ? `  up ${up}` : ''}`,
      );
    }
  }
  return lines;
}
