/**
 * HTTPS transport for AXL (protocol notes §4.1): one undici Client per run, HTTP/1.1
 * keep-alive, requests strictly serial, every request under one deadline (connect, headers and
 * body together) and every body read up to a byte limit. undici is imported lazily, here only.
 */
import type { LookupFunction } from 'node:net';
import { reasonFromErrno } from '../../facts/attempt.js';
import type { AxlRequestError } from '../../facts/axl.js';
import { cjsExports } from '../cjs.js';

/** AXL answers to xfed's queries are a few KiB; anything past this is cut (never buffered). */
export const MAX_BODY_BYTES = 1024 * 1024;

export interface AxlHttpOptions {
  host: string;
  port: number;
  /** Trust anchors (PEM); the system store when absent. */
  ca?: string[];
  /** Skip certificate verification (--insecure). */
  insecure: boolean;
  /**
   * SHA-256 fingerprint (as node:crypto prints it) of the leaf certificate the certificate rules
   * already judged on the first connection. When set, it replaces Node's host-name check: the
   * name verdict is the one those rules gave (RFC 6125, protocol/tls/identity.ts), not a second
   * one from tls.checkServerIdentity, and a server that presents another certificate is refused.
   */
  pinnedFingerprint256?: string;
  timeoutMs: number;
  maxBodyBytes?: number;
  /** DNS lookup override (tests). */
  lookup?: LookupFunction;
}

export interface HttpRequest {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpAnswer {
  status?: number;
  /** Header names in lower case. */
  headers: Record<string, string | string[]>;
  body: string;
  bytes: number;
  truncated: boolean;
  durationMs: number;
  error?: AxlRequestError;
}

export interface AxlHttp {
  send(req: HttpRequest): Promise<HttpAnswer>;
  close(): Promise<void>;
}

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EADDRNOTAVAIL',
]);

function isTlsCode(code: string): boolean {
  return /^(ERR_SSL_|ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|HOSTNAME_MISMATCH)/.test(code);
}

/** Error code of the pinned-certificate check (pinnedFingerprint256). */
const CERT_CHANGED = 'ERR_TLS_CERT_CHANGED';

/** Maps an undici/socket error to a closed failure reason and the phase it happened in. */
export function describeHttpError(err: unknown, gotHeaders: boolean, deadlineHit: boolean): AxlRequestError {
  type Err = { code?: string; message?: string; presented?: string; expected?: string };
  const e = err as Err & { cause?: Err };
  const code = e.cause?.code ?? e.code ?? '';
  const message = String(e.cause?.message ?? e.message ?? err);
  const phase: 'connect' | 'headers' | 'body' = gotHeaders
    ? 'body'
    : CONNECT_CODES.has(code) || isTlsCode(code)
      ? 'connect'
      : 'headers';
  if (deadlineHit || /^UND_ERR_(HEADERS|BODY|CONNECT)_TIMEOUT$/.test(code)) {
    return {
      reason: 'timeout',
      message: deadlineHit ? 'no complete answer before the deadline' : message,
      phase,
    };
  }
  if (code === CERT_CHANGED) {
    const c = e.cause?.code === CERT_CHANGED ? e.cause : e;
    const certificateChanged = { presented: c.presented ?? '(none)', expected: c.expected ?? '' };
    return { reason: 'tls-error', message, phase: 'connect', certificateChanged };
  }
  if (code === 'UND_ERR_SOCKET') return { reason: 'closed', message, phase };
  if (isTlsCode(code)) return { reason: 'tls-error', message, phase };
  return { reason: reasonFromErrno(code), message, phase };
}

/** A host as it appears in a URL authority: IPv6 literals in brackets (RFC 3986 §3.2.2). */
export function hostForUrl(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function openAxlHttp(o: AxlHttpOptions): Promise<AxlHttp> {
  const { Client } = cjsExports(await import('undici'));
  const limit = o.maxBodyBytes ?? MAX_BODY_BYTES;
  const connect: Record<string, unknown> = { rejectUnauthorized: !o.insecure, timeout: o.timeoutMs };
  if (o.ca) connect.ca = o.ca;
  if (o.lookup) connect.lookup = o.lookup;
  const pin = o.pinnedFingerprint256;
  if (pin && !o.insecure) {
    // Node calls this only once OpenSSL has validated the chain, so trust is still checked.
    connect.checkServerIdentity = (_host: string, cert: { fingerprint256?: string }) => {
      if (cert.fingerprint256 === pin) return undefined;
      const presented = cert.fingerprint256 ?? '(none)';
      return Object.assign(
        new Error(
          `the server presented a different certificate (SHA-256 ${presented}) from the one checked first`,
        ),
        { code: CERT_CHANGED, presented, expected: pin },
      );
    };
  }
  const client = new Client(`https://${hostForUrl(o.host)}:${o.port}`, {
    connect,
    headersTimeout: o.timeoutMs,
    bodyTimeout: o.timeoutMs,
    pipelining: 1,
  });

  async function send(req: HttpRequest): Promise<HttpAnswer> {
    const started = Date.now();
    const ac = new AbortController();
    let deadlineHit = false;
    const timer = setTimeout(() => {
      deadlineHit = true;
      ac.abort();
    }, o.timeoutMs);
    let gotHeaders = false;
    const answer: HttpAnswer = { headers: {}, body: '', bytes: 0, truncated: false, durationMs: 0 };
    try {
      const res = await client.request({
        method: req.method,
        path: req.path,
        headers: req.headers,
        body: req.body ?? null,
        signal: ac.signal,
      });
      gotHeaders = true;
      answer.status = res.statusCode;
      for (const [k, v] of Object.entries(res.headers))
        if (v !== undefined) answer.headers[k.toLowerCase()] = v;
      const chunks: Buffer[] = [];
      for await (const chunk of res.body) {
        const buf = chunk as Buffer;
        const room = limit - answer.bytes;
        if (buf.length > room) {
          chunks.push(buf.subarray(0, room));
          answer.bytes = limit;
          answer.truncated = true;
          res.body.destroy();
          break;
        }
        chunks.push(buf);
        answer.bytes += buf.length;
      }
      answer.body = Buffer.concat(chunks).toString('utf8');
    } catch (err) {
      answer.error = describeHttpError(err, gotHeaders, deadlineHit);
    } finally {
      clearTimeout(timer);
      answer.durationMs = Date.now() - started;
    }
    return answer;
  }

  return {
    send,
    async close() {
      // destroy, not close: a silent server must not keep the run waiting.
      await client.destroy().catch(() => undefined);
    },
  };
}
