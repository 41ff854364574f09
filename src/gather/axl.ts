/**
 * AXL probe for `xfed axl-auth` (protocol notes §4): TLS first to read the certificate (no
 * credentials), then serially GET /axl/, getCCMVersion with version negotiation on 599, and
 * optionally executeSQLQuery on xmpps2snodes. Returns AxlFacts and writes the transcript;
 * never judges. The password and the session cookie are registered as transcript secrets.
 */
import type { LookupFunction } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TLSSocket } from 'node:tls';
import { failed, ok } from '../facts/attempt.js';
import type { AxlExchange, AxlFacts, AxlOperation, AxlStep } from '../facts/axl.js';
import { answered } from '../facts/axl.js';
import type { CertCheckFacts } from '../facts/cert.js';
import type { ProbeContext, RunOptions } from '../pipeline/run.js';
import type { AxlHttp, HttpAnswer } from '../protocol/axl/http.js';
import { hostForUrl, MAX_BODY_BYTES, openAxlHttp } from '../protocol/axl/http.js';
import { classifyBody, type ParsedAnswer } from '../protocol/axl/response.js';
import {
  AXL_PATH,
  executeSQLQueryRequest,
  getCCMVersionRequest,
  soapHeaders,
  XMPPS2SNODES_SQL,
} from '../protocol/axl/soap.js';
import { connectTls } from '../protocol/axl/tls-connect.js';
import { DEFAULT_AXL_VERSION, MAX_VERSION_ATTEMPTS, nextVersion } from '../protocol/axl/versions.js';
import { peerChain } from '../protocol/tls/certificate.js';
import { matchIdentity } from '../protocol/tls/identity.js';
import { trustAnchors, trustFromSocket } from '../protocol/tls/trust.js';
import type { Report } from '../report/model.js';
import { VERSION } from '../version.js';

export interface AxlOptions {
  host: string;
  port: number;
  user: string;
  /** Never logged, never in facts; registered as a transcript secret. */
  password: string;
  /** --axl-version; negotiate from DEFAULT_AXL_VERSION when absent. */
  requestedVersion?: string;
  /** PEM text of the --ca files (already read and checked). */
  caPems: string[];
  /** --ca paths, for the report options. */
  caFiles: string[];
  insecure: boolean;
  queryS2s: boolean;
  /** Certificate expiry warning window, days. */
  warnDays?: number;
  /** DNS lookup override (tests). */
  lookup?: LookupFunction;
  maxBodyBytes?: number;
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

/** RunOptions for runTarget: the report options (no secrets) and the secrets to redact. */
export function axlRunOptions(o: AxlOptions, common: { timeoutMs: number; transcript: boolean }): RunOptions {
  const options: Record<string, unknown> = {
    host: o.host,
    port: o.port,
    user: o.user,
    axlVersion: o.requestedVersion ?? 'negotiate',
    insecure: o.insecure,
    queryS2s: o.queryS2s,
    timeoutMs: common.timeoutMs,
  };
  if (o.caFiles.length > 0) options.ca = o.caFiles;
  return { ...common, options, secrets: axlSecrets(o.user, o.password) };
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

interface ExchangeSpec {
  step: AxlStep;
  method: 'GET' | 'POST';
  operation?: AxlOperation;
  axlVersion?: string;
  body?: string;
}

/** Cookie names whose values are kept for the session (Tomcat's SSO and session cookies). */
const SESSION_COOKIES = new Set(['JSESSIONIDSSO', 'JSESSIONID']);

/** One run's HTTP conversation: authentication, cookie reuse, 503 retries, transcript. */
class AxlSession {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly http: AxlHttp,
    private readonly o: AxlOptions,
    private readonly facts: AxlFacts,
    private readonly ctx: ProbeContext,
  ) {}

  /**
   * Sends one logical request. With a JSESSIONIDSSO cookie the request omits Authorization;
   * a 401/404 to a cookie request means the session expired, so it is repeated once with
   * Basic (notes §4.1). A 503 is retried once per request after Retry-After, bounded by the
   * timeout, so a final 503 always means "throttled again after waiting".
   */
  async request(spec: ExchangeSpec): Promise<{ ex: AxlExchange; parsed: ParsedAnswer }> {
    let useCookie = this.cookies.has('JSESSIONIDSSO');
    let throttleRetried = false;
    for (let attempt = 0; ; attempt++) {
      const result = await this.once(spec, useCookie);
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
      if (ex.status === 503 && !throttleRetried) {
        throttleRetried = true;
        const waitMs = Math.min((ex.retryAfterS ?? 1) * 1000, this.ctx.timeoutMs);
        this.facts.throttleWaitMs = waitMs;
        this.ctx.transcript.note(
          `HTTP 503: waiting ${waitMs} ms (Retry-After ${ex.retryAfterS ?? 'absent'}) before one retry`,
        );
        await sleep(waitMs);
        continue;
      }
      return result;
    }
  }

  private headers(spec: ExchangeSpec, useCookie: boolean): Record<string, string> {
    const h: Record<string, string> =
      spec.method === 'POST' && spec.operation && spec.axlVersion
        ? soapHeaders(spec.axlVersion, spec.operation)
        : { accept: 'text/html, text/xml' };
    h['user-agent'] = `xfed/${VERSION}`;
    if (useCookie) h.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    else h.authorization = basicCredential(this.o.user, this.o.password);
    return h;
  }

  private async once(
    spec: ExchangeSpec,
    useCookie: boolean,
  ): Promise<{ ex: AxlExchange; parsed: ParsedAnswer }> {
    const t = this.ctx.transcript;
    const headers = this.headers(spec, useCookie);
    const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
    t.out(
      [
        `${spec.method} ${AXL_PATH} HTTP/1.1`,
        `host: ${this.facts.endpoint.hostPort}`,
        ...head,
        '',
        spec.body ?? '',
      ].join('\n'),
    );
    const req =
      spec.body === undefined
        ? { method: spec.method, path: AXL_PATH, headers }
        : { method: spec.method, path: AXL_PATH, headers, body: spec.body };
    const answer = await this.http.send(req);
    const cookies = setCookiePairs(answer.headers['set-cookie']);
    this.rememberCookies(cookies);
    this.record(answer);
    const ex: AxlExchange = {
      step: spec.step,
      method: spec.method,
      path: AXL_PATH,
      auth: useCookie ? 'session-cookie' : 'basic',
      durationMs: answer.durationMs,
    };
    if (spec.operation) ex.operation = spec.operation;
    if (spec.axlVersion) ex.axlVersion = spec.axlVersion;
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
    this.facts.exchanges.push(ex);
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

/** name=value of each Set-Cookie header line (attributes dropped). */
function setCookiePairs(raw: string | string[] | undefined): [string, string][] {
  const lines = Array.isArray(raw) ? raw : raw ? [raw] : [];
  return lines.flatMap((l) => {
    const m = /^\s*([^=;\s]+)=([^;]*)/.exec(l);
    return m ? [[m[1] as string, (m[2] as string).trim()] as [string, string]] : [];
  });
}

/** GET /axl/, then getCCMVersion with negotiation, then (optionally) xmpps2snodes. Stops at the first failure. */
async function converse(s: AxlSession, o: AxlOptions, facts: AxlFacts): Promise<void> {
  const page = await s.request({ step: 'service-page', method: 'GET' });
  if (!answered(page.ex)) return;

  const tried: string[] = [];
  let version: string | undefined = o.requestedVersion ?? DEFAULT_AXL_VERSION;
  while (version && tried.length < MAX_VERSION_ATTEMPTS) {
    tried.push(version);
    const { ex, parsed } = await s.request({
      step: 'version',
      method: 'POST',
      operation: 'getCCMVersion',
      axlVersion: version,
      body: getCCMVersionRequest(version),
    });
    if (ex.body?.kind === 'version-rejected') {
      if (ex.body.supported.length > 0) facts.supportedVersions = ex.body.supported;
      version = nextVersion(tried, facts.supportedVersions ?? []);
      continue;
    }
    // A SOAP fault (500) also proves the credentials and this version were accepted.
    if (answered(ex) || (ex.status === 500 && ex.body?.kind === 'soap-fault')) {
      facts.negotiatedVersion = version;
      if (parsed.ccmVersion) facts.ccmVersion = parsed.ccmVersion;
    }
    break;
  }
  if (!facts.negotiatedVersion || !o.queryS2s) return;

  const v = facts.negotiatedVersion;
  const { ex, parsed } = await s.request({
    step: 'xmpps2snodes',
    method: 'POST',
    operation: 'executeSQLQuery',
    axlVersion: v,
    body: executeSQLQueryRequest(v, XMPPS2SNODES_SQL),
  });
  if (answered(ex)) facts.s2sNodes = { rows: parsed.rows ?? [], truncated: parsed.rowsTruncated ?? false };
}

async function certFacts(socket: TLSSocket, o: AxlOptions, hostPort: string): Promise<CertCheckFacts> {
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

export async function gatherAxl(o: AxlOptions, ctx: ProbeContext): Promise<AxlFacts> {
  const t = ctx.transcript;
  for (const secret of axlSecrets(o.user, o.password)) t.addSecret(secret);
  const hostPort = `${hostForUrl(o.host)}:${o.port}`;
  const facts: AxlFacts = {
    endpoint: { host: o.host, port: o.port, hostPort, url: `https://${hostPort}${AXL_PATH}` },
    user: o.user,
    insecure: o.insecure,
    queryS2s: o.queryS2s,
    timeoutMs: ctx.timeoutMs,
    maxBodyBytes: o.maxBodyBytes ?? MAX_BODY_BYTES,
    tls: { status: 'skipped', why: 'not started' },
    exchanges: [],
  };
  if (o.requestedVersion) facts.requestedVersion = o.requestedVersion;
  const ca = trustAnchors(o.caPems);

  t.note(`TLS connect to ${hostPort} to read the certificate (no credentials sent on this connection)`);
  const conn = await connectTls({
    host: o.host,
    port: o.port,
    ca,
    timeoutMs: ctx.timeoutMs,
    lookup: o.lookup,
  });
  if (!conn.ok) {
    facts.tls = failed(conn.reason, conn.message, conn.durationMs, { step: conn.step });
    t.note(`${conn.step} to ${hostPort} failed: ${conn.reason}: ${conn.message}`);
    return facts;
  }
  const socket = conn.socket;
  const protocol = socket.getProtocol();
  facts.tls = ok({ protocol, cipher: socket.getCipher()?.name ?? null }, conn.durationMs);
  let cert: CertCheckFacts;
  try {
    cert = await certFacts(socket, o, hostPort);
  } finally {
    socket.destroy();
  }
  facts.cert = cert;
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
    facts.credentialsWithheld = { because: 'certificate-not-verified', error };
    t.note('certificate not verified: credentials withheld (use --ca, or --insecure to test anyway)');
    return facts;
  }

  const http = await openAxlHttp({
    host: o.host,
    port: o.port,
    ca,
    insecure: o.insecure,
    timeoutMs: ctx.timeoutMs,
    maxBodyBytes: facts.maxBodyBytes,
    ...(leaf ? { pinnedFingerprint256: leaf.fingerprint256 } : {}),
    ...(o.lookup ? { lookup: o.lookup } : {}),
  });
  try {
    await converse(new AxlSession(http, o, facts, ctx), o, facts);
  } finally {
    await http.close();
  }
  return facts;
}

/** Verdict-free summary lines of the gathered facts for the human report. */
export function describeAxl(r: Report): string[] {
  const f = r.facts as unknown as AxlFacts;
  if (!f?.endpoint) return [];
  const lines = [`endpoint   ${f.endpoint.url} as ${f.user}`];
  if (f.tls.status === 'ok')
    lines.push(`tls        ${f.tls.value.protocol ?? '?'} ${f.tls.value.cipher ?? ''}`.trimEnd());
  else if (f.tls.status === 'error')
    lines.push(`tls        no connection (${f.tls.reason}: ${f.tls.message})`);
  for (const ex of f.exchanges) {
    const what = ex.method === 'GET' ? `GET  ${ex.path}` : `POST ${ex.operation} ver=${ex.axlVersion}`;
    const answer =
      ex.status !== undefined
        ? `${ex.status} ${ex.contentType ?? ''}`.trimEnd()
        : `no answer (${ex.error?.reason})`;
    lines.push(`request    ${what} [${ex.auth}] -> ${answer}, ${ex.durationMs} ms`);
  }
  if (f.negotiatedVersion)
    lines.push(`axl        schema ${f.negotiatedVersion}; Unified CM ${f.ccmVersion ?? '(unknown)'}`);
  if (f.s2sNodes) {
    const more = f.s2sNodes.truncated ? ' (more not read)' : '';
    lines.push(`s2s        ${f.s2sNodes.rows.length} row(s) in xmpps2snodes${more}`);
    for (const row of f.s2sNodes.rows) lines.push(`           ${row.pkid ?? '?'}  ${row.cp_id ?? '?'}`);
  }
  return lines;
}
