/**
 * Rules for `xfed axl-auth`: the certificate (shared cert rules), the connection, the answer
 * that ended each AXL step (HTTP status map, protocol notes §4.3), version negotiation and the
 * IM and Presence xmpps2snodes table (TAC 213865). Pure: facts in, hits out.
 */
import type { Attempt } from '../../facts/attempt.js';
import type {
  AxlBody,
  AxlEndpoint,
  AxlExchange,
  AxlFacts,
  AxlStep,
  AxlTlsFacts,
  HttpExchange,
} from '../../facts/axl.js';
import { answered } from '../../facts/axl.js';
import type { CertCheckFacts } from '../../facts/cert.js';
import type { FindingId } from '../catalog/index.js';
import { type Hit, hit, type Rule } from '../judge.js';
import { judgeCert } from './cert.js';

type Evidence = Record<string, unknown>;

/** What every Cisco Tomcat probe (AXL, Control Center Services) gathers before its first request. */
export interface TomcatFacts {
  endpoint: AxlEndpoint;
  insecure: boolean;
  timeoutMs: number;
  maxBodyBytes: number;
  tls: Attempt<AxlTlsFacts>;
  cert?: CertCheckFacts;
}

export function where(f: TomcatFacts): Evidence {
  return { host: f.endpoint.host, port: f.endpoint.port, hostPort: f.endpoint.hostPort };
}

/** How an exchange is named in finding text: "GET /axl/", "POST getCCMVersion (AXL 14.0)". */
export function requestLabel(ex: AxlExchange): string {
  return ex.method === 'GET'
    ? `GET ${ex.path}`
    : `POST ${ex.operation ?? ex.path} (AXL ${ex.axlVersion ?? '?'})`;
}

/** A short quote of what the server sent, for finding text. */
export function quoteBody(body: AxlBody | undefined): string {
  switch (body?.kind) {
    case undefined:
    case 'empty':
      return '(empty)';
    case 'html':
      return body.title ? `HTML page "${body.title}": ${body.snippet}` : `HTML page: ${body.snippet}`;
    case 'not-soap':
      return `${body.detail}: ${body.snippet}`;
    case 'other':
      return body.snippet;
    case 'service-page':
      return 'the AXL service page (a GET answer) instead of a SOAP answer';
    case 'version-rejected':
      return body.text;
    case 'soap-response':
      return `a SOAP ${body.element}`;
    case 'soap-fault':
      return `a SOAP fault: ${body.faultstring ?? body.axlmessage ?? '(no text)'}`;
  }
}

/** The shared certificate rules, on the certificate gathered before any credential was sent. */
export const certificate: Rule<TomcatFacts> = (f) => (f.cert ? judgeCert(f.cert) : []);

/** A failed first connection: refused, silent, not TLS, or not reachable at all. */
export const connection: Rule<TomcatFacts> = (f) => {
  if (f.tls.status !== 'error') return [];
  const ev = {
    ...where(f),
    step: f.tls.detail?.step ?? 'connection',
    message: f.tls.message,
    reason: f.tls.reason,
  };
  switch (f.tls.reason) {
    case 'refused':
      return [hit('axl.connect.refused', ev)];
    case 'timeout':
      return [hit('axl.connect.timeout', { ...ev, timeoutMs: f.timeoutMs })];
    case 'tls-error':
    case 'tls-alert':
      return [hit('axl.tls.handshake-failed', ev)];
    default:
      return [hit('axl.connect.failed', ev)];
  }
};

export const insecure: Rule<TomcatFacts> = (f) =>
  f.insecure && f.tls.status === 'ok' ? [hit('axl.tls.insecure', where(f))] : [];

export const credentialsWithheld: Rule<AxlFacts> = (f) =>
  f.credentialsWithheld
    ? [hit('axl.auth.not-attempted', { ...where(f), user: f.user, certError: f.credentialsWithheld.error })]
    : [];

function isMissingS2sTable(body: Extract<AxlBody, { kind: 'soap-fault' }>): boolean {
  // Informix -206: "The specified table (xmpps2snodes) is not in the database." (a Unified CM node).
  return (
    body.axlcode === '-206' ||
    /xmpps2snodes\)?\s+is not in the database/i.test(body.axlmessage ?? body.faultstring ?? '')
  );
}

/**
 * The hit for an exchange that got no complete answer (connection, TLS, deadline, hang-up, read
 * limit), or undefined when it did. Connection and TLS failures keep the axl.connect.* and
 * axl.tls.* ids whichever Tomcat service was asked; `http` names the ids for a silent or broken
 * answer of that service.
 */
export function transportFailure(
  f: TomcatFacts,
  ex: HttpExchange,
  ev: Evidence,
  http: { timeout: FindingId; failed: FindingId },
): Hit | undefined {
  if (ex.error) {
    const e = { ...ev, reason: ex.error.reason, message: ex.error.message, timeoutMs: f.timeoutMs };
    if (ex.error.reason === 'timeout') {
      if (ex.error.phase === 'connect')
        return hit('axl.connect.timeout', { ...e, step: `connection for ${ev.request}` });
      return hit(http.timeout, {
        ...e,
        phase: ex.error.phase === 'body' ? 'response body' : 'response headers',
      });
    }
    if (ex.error.certificateChanged) {
      const { presented, expected } = ex.error.certificateChanged;
      return hit('axl.tls.certificate-changed', { ...e, presented, expected });
    }
    if (ex.error.reason === 'refused') return hit('axl.connect.refused', e);
    if (ex.error.reason === 'tls-error') return hit('axl.tls.handshake-failed', e);
    return hit(http.failed, { ...e, limitBytes: f.maxBodyBytes });
  }
  // Only a success's body is needed whole; a 401/403/500 … too long to read keeps its status.
  if (ex.truncated && (ex.status === undefined || (ex.status >= 200 && ex.status < 300))) {
    const message = `the answer is longer than ${f.maxBodyBytes} bytes`;
    return hit(http.failed, { ...ev, reason: 'limit', message, limitBytes: f.maxBodyBytes });
  }
  return undefined;
}

/** Maps the answer that ended a step (notes §4.3 status map) to one hit. */
function stepFailure(f: AxlFacts, ex: AxlExchange, step: AxlStep): Hit {
  const ev: Evidence = {
    ...where(f),
    url: f.endpoint.url,
    user: f.user,
    request: requestLabel(ex),
    status: ex.status,
  };
  const transport = transportFailure(f, ex, ev, { timeout: 'axl.http.timeout', failed: 'axl.http.failed' });
  if (transport) return transport;
  const body = ex.body;
  const answer = quoteBody(body);
  if (ex.status === 401) return hit('axl.auth.unauthorized', ev);
  if (ex.status === 403) return hit('axl.auth.forbidden', ev);
  if (ex.status === 404) return hit('axl.service.not-found', ev);
  if (ex.status === 503) {
    return hit('axl.service.throttled', {
      ...ev,
      waitedMs: f.throttleWaitMs ?? 0,
      retryAfterS: ex.retryAfterS,
    });
  }
  if (ex.status === 599 || body?.kind === 'version-rejected') {
    // Each version once, although a 503 or an expired session may have repeated a request.
    const tried = [
      ...new Set(f.exchanges.filter((e) => e.step === step && e.axlVersion).map((e) => e.axlVersion)),
    ];
    return hit('axl.version.unsupported', { ...ev, tried, supported: f.supportedVersions ?? [], answer });
  }
  if (body?.kind === 'soap-fault') {
    const fault = {
      ...ev,
      operation: ex.operation,
      faultcode: body.faultcode,
      faultstring: body.faultstring,
      axlcode: body.axlcode,
      axlmessage: body.axlmessage ?? body.faultstring,
    };
    if (step === 'xmpps2snodes' && isMissingS2sTable(body)) return hit('axl.s2s.table-missing', fault);
    return hit('axl.soap.fault', fault);
  }
  if (ex.status === 200)
    return hit('axl.endpoint.not-axl', { ...ev, contentType: ex.contentType ?? '(none)', answer });
  return hit('axl.http.unexpected-status', { ...ev, location: ex.location, answer });
}

const STEPS: readonly AxlStep[] = ['service-page', 'version', 'xmpps2snodes'];

/** For each step, the last exchange decides: an answer, or the failure that ended it. */
export const stepOutcomes: Rule<AxlFacts> = (f) =>
  STEPS.flatMap((step) => {
    const last = f.exchanges.filter((e) => e.step === step).at(-1);
    return last && !answered(last) ? [stepFailure(f, last, step)] : [];
  });

export const versionNegotiation: Rule<AxlFacts> = (f) =>
  f.requestedVersion && f.negotiatedVersion && f.negotiatedVersion !== f.requestedVersion
    ? [
        hit('axl.version.mismatch', {
          ...where(f),
          requested: f.requestedVersion,
          used: f.negotiatedVersion,
          supported: f.supportedVersions ?? [],
        }),
      ]
    : [];

/** Credentials accepted: getCCMVersion got past authentication in a version the server takes. */
export const credentialsAccepted: Rule<AxlFacts> = (f) =>
  f.negotiatedVersion
    ? [
        hit('axl.auth.ok', {
          ...where(f),
          url: f.endpoint.url,
          user: f.user,
          axlVersion: f.negotiatedVersion,
          ccmVersion: f.ccmVersion,
          certificate: f.insecure ? 'not checked, --insecure' : 'verified',
        }),
      ]
    : [];

export const s2sNodes: Rule<AxlFacts> = (f) => {
  if (!f.s2sNodes) return [];
  const { rows } = f.s2sNodes;
  if (rows.length === 0) return [hit('axl.s2s.empty', where(f))];
  const listed = rows.map((r) => `${r.pkid ?? '?'} ${r.cp_id ?? '?'}`);
  return [
    hit('axl.s2s.present', {
      ...where(f),
      count: rows.length,
      rows: listed,
      truncated: f.s2sNodes.truncated,
    }),
  ];
};

export const axlRules: readonly Rule<AxlFacts>[] = [
  connection,
  certificate,
  insecure,
  credentialsWithheld,
  stepOutcomes,
  versionNegotiation,
  credentialsAccepted,
  s2sNodes,
];
