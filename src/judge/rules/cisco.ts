/**
 * Rules for `xfed cisco services` (reference cisco-and-peers §1-2, TAC 213865 symptom 2): the
 * certificate and connection (shared with axl-auth), the answer of Control Center Services, the
 * state of each service, who does federation (--via) and whether the XCP Router restarted after
 * the federation change (--changed-at). Pure: facts in, hits out. Every hit names the node.
 * Server text goes into finding prose escaped (safeText) and into evidence verbatim.
 */
import type { CiscoServicesFacts, ControlCenterExchange, ServiceInfo } from '../../facts/cisco.js';
import {
  AXL_WEB_SERVICE as AXL_SERVICE,
  XCP_FEDERATION_CM as FEDERATION_CM,
  FEDERATION_SERVICES,
  isActivated,
  XCP_ROUTER as ROUTER,
  statusAnswered,
  uptimeText,
} from '../../facts/cisco.js';
import { safeText } from '../../report/untrusted.js';
import { SERVICE_IMPACT as IMPACT, CONTROL_CENTER_UI as UI } from '../catalog/cisco.js';
import { type Hit, hit, type Rule } from '../judge.js';
import { certificate, connection, insecure, quoteBody, transportFailure, where } from './axl.js';

type Evidence = Record<string, unknown>;

const q = (s: string | undefined, max = 300): string => (s === undefined ? '(none)' : safeText(s, { max }));

function label(ex: ControlCenterExchange): string {
  return `POST soapGetServiceStatus (${ex.path})`;
}

/** The answer that ended the request, when it was not a service list. */
export const answer: Rule<CiscoServicesFacts> = (f) => {
  const ex = f.exchanges.at(-1);
  if (!ex || statusAnswered(ex)) return [];
  const ev: Evidence = { ...where(f), url: f.endpoint.url, user: f.user, request: label(ex), path: ex.path };
  if (ex.status !== undefined) ev.status = ex.status;
  const t = transportFailure(f, ex, ev, { timeout: 'cisco.http.timeout', failed: 'cisco.http.failed' });
  if (t) return [t];
  const body = ex.body;
  const quoted = q(quoteBody(body));
  if (ex.status === 401) return [hit('cisco.auth.unauthorized', ev)];
  if (ex.status === 403) return [hit('cisco.auth.forbidden', ev)];
  if (ex.status === 404) {
    const paths = [...new Set(f.exchanges.filter((e) => e.status === 404).map((e) => e.path))];
    return [hit('cisco.control-center.not-found', { ...ev, paths, ui: UI })];
  }
  if (ex.rateLimited)
    return [
      hit('cisco.control-center.rate-limited', { ...ev, answer: quoted, waitedMs: f.rateLimitWaitMs ?? 0 }),
    ];
  if (body?.kind === 'soap-fault') {
    return [
      hit('cisco.control-center.fault', {
        ...ev,
        faultcode: q(body.faultcode, 120),
        faultstring: q(body.faultstring),
        ui: UI,
      }),
    ];
  }
  if (ex.status === 200) {
    return [
      hit('cisco.control-center.not-soap', {
        ...ev,
        contentType: q(ex.contentType ?? '(none)', 120),
        answer: quoted,
        ui: UI,
      }),
    ];
  }
  return [hit('cisco.control-center.unexpected-status', { ...ev, location: q(ex.location), answer: quoted })];
};

export const credentialsWithheld: Rule<CiscoServicesFacts> = (f) =>
  f.credentialsWithheld
    ? [hit('cisco.auth.not-attempted', { ...where(f), user: f.user, certError: f.credentialsWithheld.error })]
    : [];

function byName(f: CiscoServicesFacts, name: string): ServiceInfo | undefined {
  return f.services?.find((s) => s.name === name);
}

/** One info finding per listed service: status, start time, uptime. */
export const serviceStatus: Rule<CiscoServicesFacts> = (f) =>
  (f.services ?? []).map((s) =>
    hit('cisco.service.status', {
      ...where(f),
      service: q(s.name, 120),
      status: q(s.status || '(empty)', 60),
      startTime: q(s.startTime),
      upTime: uptimeText(s.upTimeS),
      upTimeS: s.upTimeS,
      activation: isActivated(s)
        ? `ReasonCode ${s.reasonCode ?? '(none)'}, the service is activated`
        : `ReasonCode ${s.reasonCode}, "${q(s.reasonCodeString)}"`,
      answeredAt: f.answeredAt,
      reported: s,
    }),
  );

/** Federation services asked for and absent from the answer. */
export const missing: Rule<CiscoServicesFacts> = (f) => {
  if (!f.services) return [];
  return FEDERATION_SERVICES.filter((name) => !byName(f, name)).map((service) =>
    hit('cisco.service.missing', { ...where(f), service }),
  );
};

/** The state of each service, by its role; the Federation Connection Manager is left to `federation`. */
export const serviceState: Rule<CiscoServicesFacts> = (f) =>
  (f.services ?? []).flatMap((s): Hit[] => {
    const ev: Evidence = {
      ...where(f),
      service: q(s.name, 120),
      status: q(s.status || '(empty)', 60),
      ui: UI,
    };
    const federation = s.name in IMPACT;
    if (!isActivated(s)) {
      const deactivated = {
        ...ev,
        reasonCode: s.reasonCode,
        reasonCodeString: q(s.reasonCodeString),
        reasonCodeStringVerbatim: s.reasonCodeString,
      };
      if (s.name === AXL_SERVICE) return [hit('cisco.axl-service.not-activated', deactivated)];
      if (federation) return [hit('cisco.service.not-activated', { ...deactivated, impact: IMPACT[s.name] })];
      return []; // --all: many services are deactivated on purpose; the info finding shows them.
    }
    if (s.status === 'Started') return [];
    if (s.status === 'Starting' || s.status === 'Stopping') return [hit('cisco.service.changing', ev)];
    if (s.status === 'Stopped') {
      if (federation) return [hit('cisco.service.stopped', { ...ev, impact: IMPACT[s.name] })];
      if (s.name === FEDERATION_CM) return []; // judged by `federation` with --via
      return [hit('cisco.service.other-stopped', ev)];
    }
    // Unknown, or a value outside the WSDL enum.
    return [hit('cisco.service.unknown', ev)];
  });

/** --via: the Federation Connection Manager must run only when IM and Presence federates itself. */
export const federation: Rule<CiscoServicesFacts> = (f) => {
  if (!f.via || !f.services) return [];
  const cm = byName(f, FEDERATION_CM);
  const running = cm?.status === 'Started';
  if (f.via === 'expressway' && cm && running)
    return [hit('cisco.federation.imp-also-federating', { ...where(f), status: q(cm.status, 60) })];
  if (f.via === 'imp' && !running) {
    const state = !cm
      ? 'not listed by Control Center Services'
      : !isActivated(cm)
        ? `not activated: ReasonCode ${cm.reasonCode}, "${q(cm.reasonCodeString)}"`
        : q(cm.status || '(empty)', 60);
    return [hit('cisco.federation.cm-not-running', { ...where(f), state, ui: UI })];
  }
  return [];
};

/**
 * When the XCP Router started: the answer time minus UpTime (this machine's clock, so the node's
 * clock does not matter), else StartTime if Date.parse reads it (its format is not documented).
 */
export function routerStart(f: CiscoServicesFacts, s: ServiceInfo): { ms: number; how: string } | undefined {
  const answeredMs = f.answeredAt ? Date.parse(f.answeredAt) : Number.NaN;
  if (s.upTimeS !== undefined && s.upTimeS > 0 && !Number.isNaN(answeredMs))
    return { ms: answeredMs - s.upTimeS * 1000, how: `answer time minus UpTime ${s.upTimeS} s` };
  const parsed = s.startTime ? Date.parse(s.startTime) : Number.NaN;
  if (!Number.isNaN(parsed)) return { ms: parsed, how: `StartTime "${q(s.startTime, 80)}"` };
  return undefined;
}

/** --changed-at: a Started XCP Router that has run since before the change needs a restart. */
export const routerRestart: Rule<CiscoServicesFacts> = (f) => {
  if (!f.changedAt) return [];
  const router = byName(f, ROUTER);
  if (router?.status !== 'Started' || !isActivated(router)) return [];
  const changedMs = Date.parse(f.changedAt);
  const start = routerStart(f, router);
  const ev = { ...where(f), changedAt: f.changedAt, ui: UI };
  if (!start) return [hit('cisco.xcp-router.start-unknown', { ...ev, startTime: q(router.startTime ?? '') })];
  const timed = { ...ev, startedAt: new Date(start.ms).toISOString(), how: start.how };
  return start.ms < changedMs
    ? [hit('cisco.xcp-router.restart-pending', timed)]
    : [hit('cisco.xcp-router.restarted-since-change', timed)];
};

export const ciscoServicesRules: readonly Rule<CiscoServicesFacts>[] = [
  connection,
  certificate,
  insecure,
  credentialsWithheld,
  answer,
  missing,
  serviceState,
  federation,
  routerRestart,
  serviceStatus,
];
