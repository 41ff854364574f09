/**
 * AXL probe for `xfed axl-auth` (protocol notes §4): TLS first to read the certificate (no
 * credentials), then serially GET /axl/, getCCMVersion with version negotiation on 599, and
 * optionally executeSQLQuery on xmpps2snodes. Returns AxlFacts and writes the transcript;
 * never judges. The password and the session cookie are registered as transcript secrets.
 */
import type { LookupFunction } from 'node:net';
import type { AxlExchange, AxlFacts, AxlOperation, AxlStep } from '../facts/axl.js';
import { answered } from '../facts/axl.js';
import type { ProbeContext, RunOptions } from '../pipeline/run.js';
import { MAX_BODY_BYTES } from '../protocol/axl/http.js';
import type { ParsedAnswer } from '../protocol/axl/response.js';
import {
  AXL_PATH,
  executeSQLQueryRequest,
  getCCMVersionRequest,
  soapHeaders,
  XMPPS2SNODES_SQL,
} from '../protocol/axl/soap.js';
import { DEFAULT_AXL_VERSION, MAX_VERSION_ATTEMPTS, nextVersion } from '../protocol/axl/versions.js';
import type { Report } from '../report/model.js';
import { axlSecrets, CiscoSession, ciscoHostPort, openCiscoHttps } from './cisco-https.js';

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

interface ExchangeSpec {
  step: AxlStep;
  method: 'GET' | 'POST';
  operation?: AxlOperation;
  axlVersion?: string;
  body?: string;
}

/** AXL requests over the shared session: AXL headers, and the 503 wait-and-retry (notes §4.3). */
class AxlSession {
  constructor(
    private readonly session: CiscoSession,
    private readonly facts: AxlFacts,
  ) {}

  request(spec: ExchangeSpec): Promise<{ ex: AxlExchange; parsed: ParsedAnswer }> {
    const headers =
      spec.method === 'POST' && spec.operation && spec.axlVersion
        ? soapHeaders(spec.axlVersion, spec.operation)
        : { accept: 'text/html, text/xml' };
    let last: { ex: AxlExchange; parsed: ParsedAnswer } | undefined;
    const req = { method: spec.method, path: AXL_PATH, headers };
    return this.session
      .request(spec.body === undefined ? req : { ...req, body: spec.body }, {
        record: ({ ex, parsed }) => {
          const axl: AxlExchange = { step: spec.step, ...ex };
          if (spec.operation) axl.operation = spec.operation;
          if (spec.axlVersion) axl.axlVersion = spec.axlVersion;
          this.facts.exchanges.push(axl);
          last = { ex: axl, parsed };
        },
        throttled: ({ ex }) =>
          ex.status === 503
            ? {
                waitMs: (ex.retryAfterS ?? 1) * 1000,
                why: `HTTP 503 (Retry-After ${ex.retryAfterS ?? 'absent'})`,
              }
            : undefined,
        waited: (ms) => {
          this.facts.throttleWaitMs = ms;
        },
      })
      .then(() => last as { ex: AxlExchange; parsed: ParsedAnswer });
  }
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

export async function gatherAxl(o: AxlOptions, ctx: ProbeContext): Promise<AxlFacts> {
  const hostPort = ciscoHostPort(o);
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
  const http = await openCiscoHttps(o, facts, ctx);
  if (!http) return facts;
  try {
    const session = new CiscoSession(http, o, hostPort, ctx);
    await converse(new AxlSession(session, facts), o, facts);
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
