/**
 * Facts of `xfed cisco services`: what one IM and Presence (or Unified CM) node's Control Center
 * Services answered to soapGetServiceStatus (reference cisco-and-peers §1). The contract between
 * gather/cisco-services.ts and judge/rules/cisco.ts; verdict-free, never holds the password or a
 * session cookie value.
 */
import type { Attempt } from './attempt.js';
import type { AxlEndpoint, AxlTlsFacts, AxlWithheld, HttpExchange } from './axl.js';
import type { CertCheckFacts } from './cert.js';

/** The services `xfed cisco services` asks for and judges, exact ServiceName values (reference §1.6, [V:doc]). */
export const XCP_ROUTER = 'Cisco XCP Router';
export const XCP_FEDERATION_CM = 'Cisco XCP XMPP Federation Connection Manager';
export const XCP_CONFIG_MANAGER = 'Cisco XCP Config Manager';
export const AXL_WEB_SERVICE = 'Cisco AXL Web Service';
export const FEDERATION_SERVICES = [
  XCP_ROUTER,
  XCP_FEDERATION_CM,
  XCP_CONFIG_MANAGER,
  AXL_WEB_SERVICE,
] as const;

/** One ServiceInfoList item, as the node sent it (strings verbatim, untrusted). */
export interface ServiceInfo {
  /** ServiceName. */
  name: string;
  /** ServiceStatus: the WSDL enum is Started, Stopped, Starting, Stopping, Unknown; kept verbatim. */
  status: string;
  /** ReasonCode; -1 is the code of an activated service (reference §1.4, [V:3p]). */
  reasonCode?: number;
  /** ReasonCodeString, verbatim. */
  reasonCodeString?: string;
  /** StartTime, verbatim (its format is not documented). */
  startTime?: string;
  /** UpTime, seconds (WSDL integer); non-running services report a non-positive value. */
  upTimeS?: number;
}

/** Who does XMPP federation for the deployment (--via). */
export type FederationVia = 'expressway' | 'imp';

/** Which Control Center path a request went to: the current one, or the legacy one after a 404. */
export type ControlCenterPath = 'current' | 'legacy';

export interface ControlCenterExchange extends HttpExchange {
  operation: 'soapGetServiceStatus';
  endpoint: ControlCenterPath;
  /** The answer was the "Exceeded allowed rate" fault or a 503. */
  rateLimited?: boolean;
}

export interface CiscoServicesFacts {
  /** The node; url is the current Control Center Services URL. */
  endpoint: AxlEndpoint;
  /** Application user name (not secret). */
  user: string;
  insecure: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  /** Service names asked for; with --all, the empty name that means "every service". */
  requested: string[];
  all: boolean;
  via?: FederationVia;
  /** --changed-at, ISO 8601. */
  changedAt?: string;
  tls: Attempt<AxlTlsFacts>;
  cert?: CertCheckFacts;
  credentialsWithheld?: AxlWithheld;
  /** Every HTTP exchange, in order (requests are serial). */
  exchanges: ControlCenterExchange[];
  /** Milliseconds waited after a rate-limit answer before the one retry. */
  rateLimitWaitMs?: number;
  /** When the status answer arrived (this machine's clock), ISO 8601: UpTime counts back from it. */
  answeredAt?: string;
  /** The services listed in the answer, when it was a soapGetServiceStatusResponse. */
  services?: ServiceInfo[];
  /** More items than xfed keeps were listed. */
  servicesTruncated?: boolean;
  /** ReturnCode and ReasonString of the whole answer, verbatim, when present. */
  returnCode?: string;
  reasonString?: string;
}

/** True when an exchange got a soapGetServiceStatus answer in full. */
export function statusAnswered(ex: ControlCenterExchange): boolean {
  return (
    ex.status === 200 &&
    !ex.truncated &&
    ex.body?.kind === 'soap-response' &&
    ex.body.element === 'soapGetServiceStatusResponse'
  );
}

/** Seconds as "2 d 03:04:05"; "(not running)" for a missing or non-positive UpTime. */
export function uptimeText(s: number | undefined): string {
  if (s === undefined || s <= 0) return '(not running)';
  const d = Math.floor(s / 86400);
  const hms = [Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60), s % 60]
    .map((n) => String(n).padStart(2, '0'))
    .join(':');
  return d > 0 ? `${d} d ${hms}` : hms;
}

/** Activated: ReasonCode -1 (reference §1.4, [V:3p]); an absent ReasonCode is taken as activated. */
export function isActivated(s: ServiceInfo): boolean {
  return s.reasonCode === undefined || s.reasonCode === -1;
}
