/**
 * The HTTPS conversation with a Cisco Tomcat SOAP service (AXL for `xfed axl-auth`, Control
 * Center Services for `xfed cisco services`), shared so both judge TLS the same way and handle
 * credentials the same way:
 * 1. a first TLS connection without credentials, only to read the certificate and judge it;
 * 2. the credentials are sent only when that certificate verifies (or with --insecure), over an
 *    HTTP client pinned to the very certificate judged;
 * 3. serial requests with Basic credentials, then the session cookie; a request whose cookie
 *    expired is repeated once with Basic; one bounded wait-and-retry when the caller says so.
 * The password, its Basic forms and session cookie values are transcript secrets.
 */
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { type Attempt, failed, ok } from '../facts/attempt.js';
import type { AxlTlsFacts, AxlWithheld, HttpExchange } from '../facts/axl.js';
import type { CertCheckFacts } from '../facts/cert.js';
import type { ProbeContext } from '../pipeline/run.js';
import type { AxlHttp, HttpAnswer } from '../protocol/axl/http.js';
import { hostForUrl, openAxlHttp } from '../protocol/axl/http.js';
import { classifyBody, type ParsedAnswer } from '../protocol/axl/response.js';
import { connectTls } from '../protocol/axl/tls-connect.js';
import { peerChain } from '../protocol/tls/certificate.js';
import { matchIdentity } from '../protocol/tls/identity.js';
import { trustAnchors, trustFromSocket } from '../protocol/tls/trust.js';
import type { Transcript } from '../transcript/recorder.js';
import { VERSION } from '../version.js';

/** The application user's credentials (the password never enters facts or output). */
export interface Credentials {
  user: string;
  password: string;
}

/** The Authorization header value for HTTP Basic (RFC 7617 §2: base64 of user ":" password, UTF-8). */
export function basicCredential(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}

/**
 * The values to redact: the password, the Authorization value and its bare base64 (a server that
 * reflects the request may echo either form).
 */
export function axlSecrets(user: string, password: string): string[] {
  const basic = basicCredential(user, password);
  return [password, basic, basic.slice('Basic '.length)];
}

/** Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 §10.2.3). */
export function parseRetryAfterS(value: string | undefined, nowMs = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  // Every HTTP-date form starts with a day name; Date.parse alone takes "-5" or "2026" as dates.
  if (!/^[a-z]{3,9},?\s/i.test(v)) return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function headerText(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v.join(', ') : v;
}

/** name=value of each Set-Cookie header line (attributes dropped). */
function setCookiePairs(raw: string | string[] | undefined): [string, string][] {
  const lines = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return lines.flatMap((l) => {
    const m = /^\s*([^=;\s]+)=([^;]*)/.exec(l);
    return m ? [[m[1] as string, (m[2] as string).trim()] as [string, string]] : [];
  });
}

/** Cookie names whose values are kept for the session (Tomcat's SSO and session cookies). */
const SESSION_COOKIES = new Set(['JSESSIONIDSSO', 'JSESSIONID']);

export interface SessionRequest {
  method: 'GET' | 'POST';
  path: string;
  /** Request headers without authentication, cookies or user-agent (the session adds those). */
  headers: Record<string, string>;
  body?: string;
}

export interface SessionResult {
  ex: HttpExchange;
  parsed: ParsedAnswer;
}

/** What the caller decides after each answer. */
export interface SessionHooks {
  /** Called for every attempt, retries included, in order (the caller keeps its exchanges). */
  record(r: SessionResult): void;
  /**
   * Whether this answer means "throttled, wait and retry once", and for how long (the session
   * caps the wait at the timeout). Called once per request at most; undefined means no retry.
   */
  throttled?(r: SessionResult): { waitMs: number; why: string } | undefined;
  /** Told how long the session actually waited before its one throttle retry. */
  waited?(ms: number): void;
}

/** One run's HTTP conversation with one Tomcat: authentication, cookie reuse, one throttle retry, transcript. */
export class CiscoSession {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly http: AxlHttp,
    private readonly credentials: Credentials,
    private readonly hostPort: string,
    private readonly ctx: ProbeContext,
  ) {}

  /**
   * Sends one logical request. With a JSESSIONIDSSO cookie the request omits Authorization;
   * a 401/404 to a cookie request means the session expired, so it is repeated once with
   * Basic (notes §4.1). A throttled answer (hooks.throttled) is retried once after the wait,
   * bounded by the timeout, so a final throttled answer means "throttled again after waiting".
   */
  async request(spec: SessionRequest, hooks: SessionHooks): Promise<SessionResult> {
    let useCookie = this.cookies.has('JSESSIONIDSSO');
    let throttleRetried = false;
    for (let attempt = 0; ; attempt++) {
      const result = await this.once(spec, useCookie);
      hooks.record(result);
      const { ex } = result;
      if (attempt >= 2) return result;
      if (useCookie && (ex.status === 401 || ex.status === 404)) {
        this.ctx.transcript.note(
          `HTTP ${ex.status} to a session-cookie request: repeating it once with Basic credentials`,
        );
        this.cookies.clear();
        useCookie = false;
        continue;
      }
      const wait = throttleRetried ? undefined : hooks.throttled?.(result);
      if (wait) {
        throttleRetried = true;
        // A cookie the throttled answer set is already a session: the retry uses it.
        useCookie = this.cookies.has('JSESSIONIDSSO');
        const waitMs = Math.min(wait.waitMs, this.ctx.timeoutMs);
        hooks.waited?.(waitMs);
        this.ctx.transcript.note(`${wait.why}: waiting ${waitMs} ms before one retry`);
        await sleep(waitMs);
        continue;
      }
      return result;
    }
  }

  private headers(spec: SessionRequest, useCookie: boolean): Record<string, string> {
    const h: Record<string, string> = { ...spec.headers };
    h['user-agent'] = `xfed/${VERSION}`;
    if (useCookie) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    else h.authorization = basicCredential(this.credentials.user, this.credentials.password);
    return h;
  }

  private async once(spec: SessionRequest, useCookie: boolean): Promise<SessionResult> {
    const t = this.ctx.transcript;
    const headers = this.headers(spec, useCookie);
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    t.out(
      [`${spec.method} ${spec.path} HTTP/1.1`, `host: ${this.hostPort}`, ...head, '', spec.body ?? ''].join(
        '\n',
      ),
    );
    const req =
      spec.body === undefined
        ? { method: spec.method, path: spec.path, headers }
        : { method: spec.method, path: spec.path, headers, body: spec.body };
    const answer = await this.http.send(req);
    const cookies = setCookiePairs(answer.headers['set-cookie']);
    this.rememberCookies(cookies);
    this.record(answer);
    const ex: HttpExchange = {
      method: spec.method,
      path: spec.path,
      auth: useCookie ? 'session-cookie' : 'basic',
      durationMs: answer.durationMs,
    };
    if (headers.soapaction) ex.soapAction = headers.soapaction;
    let parsed: ParsedAnswer = { body: { kind: 'empty' } };
    // Everything the server controls that goes into facts and findings is redacted, like the
    // transcript: a hostile or broken server could echo the credentials anywhere in its answer.
    if (answer.error) ex.error = { ...answer.error, message: t.redact(answer.error.message) };
    if (answer.status !== undefined) {
      ex.status = answer.status;
      const rawType = headerText(answer.headers['content-type']);
      const contentType = rawType === undefined ? undefined : t.redact(rawType);
      if (contentType) ex.contentType = contentType;
      const retryAfterS = parseRetryAfterS(headerText(answer.headers['retry-after']));
      if (retryAfterS !== undefined) ex.retryAfterS = retryAfterS;
      const location = headerText(answer.headers.location);
      if (location) ex.location = t.redact(location);
      if (cookies.length > 0) ex.cookiesSet = cookies.map(([name]) => t.redact(name));
      ex.bodyBytes = answer.bytes;
      if (answer.truncated) ex.truncated = true;
      parsed = classifyBody(t.redact(answer.body), contentType);
      ex.body = parsed.body;
    }
    return { ex, parsed };
  }

  /**
   * Keeps the session cookies for reuse. Their values are credentials, so they are registered
   * as transcript secrets before the answer is recorded; other cookies are not, since redacting
   * short values such as "en" would garble the whole transcript.
   */
  private rememberCookies(pairs: readonly [string, string][]): void {
    for (const [name, value] of pairs) {
      if (!SESSION_COOKIES.has(name.toUpperCase()) || value.length === 0 || value.length > 4096) continue;
      this.ctx.transcript.addSecret(value);
      this.cookies.set(name, value);
    }
  }

  private record(answer: HttpAnswer): void {
    const t = this.ctx.transcript;
    if (answer.status === undefined) {
      t.note(
        `no answer: ${answer.error?.reason ?? 'error'} during ${answer.error?.phase ?? 'request'}: ${answer.error?.message ?? ''}`,
      );
      return;
    }
    const head = Object.entries(answer.headers).map(([k, v]) => `${k}: ${headerText(v)}`);
    const tail = answer.truncated ? `\n[cut at ${answer.bytes} bytes]` : '';
    t.in([`HTTP/1.1 ${answer.status}`, ...head, '', answer.body].join('\n') + tail);
    if (answer.error)
      t.note(
        `answer incomplete: ${answer.error.reason} during ${answer.error.phase}: ${answer.error.message}`,
      );
  }
}

export interface JudgedHttpsOptions {
  host: string;
  port: number;
  /** PEM text of the --ca files (already read and checked). */
  caPems: string[];
  insecure: boolean;
  /** Certificate expiry warning window, days. */
  warnDays?: number;
  /** DNS lookup override (tests). */
  lookup?: LookupFunction;
  maxBodyBytes: number;
}

/** The outcome of step 1 and 2: the TLS facts, the judged certificate, and the HTTP client if credentials may go. */
export interface JudgedHttps {
  tls: Attempt<AxlTlsFacts>;
  cert?: CertCheckFacts;
  credentialsWithheld?: AxlWithheld;
  /** Present only when the credentials may be sent; the caller closes it. */
  http?: AxlHttp;
}

async function certFacts(
  socket: TLSSocket,
  o: JudgedHttpsOptions,
  hostPort: string,
): Promise<CertCheckFacts> {
  const cert: CertCheckFacts = {
    referenceName: o.host,
    service: 'https',
    endpoint: hostPort,
    chain: await peerChain(socket),
    trust: await trustFromSocket(socket),
    checkedAt: new Date().toISOString(),
    warnDays: o.warnDays ?? 30,
  };
  if (o.insecure) cert.insecure = true;
  return cert;
}

/**
 * Opens a TLS connection without credentials to read and judge the certificate, then, only if it
 * verifies (or --insecure), an HTTP client pinned to that certificate.
 */
export async function openJudgedHttps(
  o: JudgedHttpsOptions,
  hostPort: string,
  t: Transcript,
  timeoutMs: number,
): Promise<JudgedHttps> {
  const ca = trustAnchors(o.caPems);
  t.note(`TLS connect to ${hostPort} to read the certificate (no credentials sent on this connection)`);
  const conn = await connectTls({ host: o.host, port: o.port, ca, timeoutMs, lookup: o.lookup });
  if (!conn.ok) {
    t.note(`${conn.step} to ${hostPort} failed: ${conn.reason}: ${conn.message}`);
    return { tls: failed(conn.reason, conn.message, conn.durationMs, { step: conn.step }) };
  }
  const socket = conn.socket;
  const protocol = socket.getProtocol();
  const tls = ok({ protocol, cipher: socket.getCipher()?.name ?? null }, conn.durationMs);
  let cert: CertCheckFacts;
  try {
    cert = await certFacts(socket, o, hostPort);
  } finally {
    socket.destroy();
  }
  // The name is checked once, with the identity code the certificate rules use (RFC 6125 via
  // protocol/tls/identity.ts), so the decision to send the password never disagrees with the
  // cert.name.* findings; Node's own checkServerIdentity differs (partial wildcards, CN next to
  // URI SANs, U-labels). The HTTP connection is then pinned to this very leaf (below).
  const leaf = cert.chain[0];
  const named = leaf !== undefined && matchIdentity(o.host, leaf, 'https').matched;
  const trust = cert.trust.authorized
    ? 'chains to a trusted CA'
    : `is not trusted (${cert.trust.errorCode ?? 'unknown'})`;
  t.note(
    `TLS ${protocol ?? '?'}; the certificate ${trust}; it ${named ? 'names' : 'does not name'} ${o.host}`,
  );

  if (!o.insecure && (!cert.trust.authorized || !named)) {
    const error = !cert.trust.authorized
      ? (cert.trust.errorCode ?? 'untrusted')
      : `the certificate does not name ${o.host}`;
    t.note('certificate not verified: credentials withheld (use --ca, or --insecure to test anyway)');
    return { tls, cert, credentialsWithheld: { because: 'certificate-not-verified', error } };
  }

  const http = await openAxlHttp({
    host: o.host,
    port: o.port,
    ca,
    insecure: o.insecure,
    timeoutMs,
    maxBodyBytes: o.maxBodyBytes,
    ...(leaf ? { pinnedFingerprint256: leaf.fingerprint256 } : {}),
    ...(o.lookup ? { lookup: o.lookup } : {}),
  });
  return { tls, cert, http };
}

/** What both Cisco gatherers record of the judged connection (AxlFacts, CiscoServicesFacts). */
export interface JudgedConnectionFacts {
  tls: Attempt<AxlTlsFacts>;
  cert?: CertCheckFacts;
  credentialsWithheld?: AxlWithheld;
  maxBodyBytes: number;
}

/** host:port as it goes into the URL (IPv6 in brackets). */
export function ciscoHostPort(o: { host: string; port: number }): string {
  return `${hostForUrl(o.host)}:${o.port}`;
}

/**
 * The opening both Cisco gatherers share: the credentials become transcript secrets, the
 * certificate is judged on a connection that carries none, and what was learnt is copied into
 * `facts`. Returns the HTTP client only when the credentials may be sent (the caller closes it).
 */
export async function openCiscoHttps(
  o: Omit<JudgedHttpsOptions, 'maxBodyBytes'> & { user: string; password: string },
  facts: JudgedConnectionFacts,
  ctx: ProbeContext,
): Promise<AxlHttp | undefined> {
  for (const secret of axlSecrets(o.user, o.password)) ctx.transcript.addSecret(secret);
  const judged = await openJudgedHttps(
    { ...o, maxBodyBytes: facts.maxBodyBytes },
    ciscoHostPort(o),
    ctx.transcript,
    ctx.timeoutMs,
  );
  facts.tls = judged.tls;
  if (judged.cert) facts.cert = judged.cert;
  if (judged.credentialsWithheld) facts.credentialsWithheld = judged.credentialsWithheld;
  return judged.http;
}
