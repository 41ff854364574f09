/**
 * Initiating-side steps of an s2s stream (RFC 6120 §4.2-§4.3, §5.4): open a stream and read
 * the peer's header and features; negotiate STARTTLS. Each step returns what happened as
 * data; nothing throws for a peer's behaviour.
 */
import type tls from 'node:tls';
import {
  headerInfo,
  type StreamEvent,
  type StreamHeader,
  streamHeader,
  type TlsResult,
  type XmppConnection,
} from './connection.js';
import { isFeatures, NS_TLS, parseFeatures, type StreamFeatures } from './features.js';
import { serialize } from './xml.js';

export type OpenResult =
  | {
      ok: true;
      header: StreamHeader;
      features: StreamFeatures | null;
      featuresXml?: string;
      durationMs: number;
    }
  | {
      ok: false;
      stage: 'header' | 'features';
      header?: StreamHeader;
      event: StreamEvent;
      durationMs: number;
    };

/**
 * Sends our stream header and reads the peer's header and (for version 1.0 peers) its
 * features. A peer without version='1.0' sends no features (pre-RFC 3920 behaviour), so
 * `features` is null then.
 */
export async function openStream(
  conn: XmppConnection,
  attrs: { to?: string; from?: string },
  timeoutMs: number,
  o: { nudgeAfterMs?: number } = {},
): Promise<OpenResult> {
  const started = Date.now();
  conn.send(streamHeader(attrs));
  const nudge = o.nudgeAfterMs;
  if (nudge === undefined || nudge >= timeoutMs) return readStreamOpen(conn, timeoutMs, started);
  // A request-driven service (an HTTP server) reads our header as the start of a request line
  // and waits for its end, silently, for the whole deadline. Blank lines end any HTTP request
  // head, and after our start tag they are only whitespace to an XMPP server (RFC 6120 §4.6.1).
  const first = await conn.read(nudge, 'stream header');
  if (first.kind !== 'timeout') return readStreamOpen(conn, timeoutMs, started, first);
  conn.send(NUDGE);
  const r = await readStreamOpen(conn, timeoutMs - nudge, started);
  // Still silent: the deadline that passed is the whole one.
  if (!r.ok && r.stage === 'header' && r.event.kind === 'timeout') r.event = { ...r.event, timeoutMs };
  return r;
}

/** Whitespace that ends an HTTP request head ("\r\n\r\n") and is harmless on an XMPP stream. */
const NUDGE = '\r\n\r\n';

/**
 * The reading half of openStream, for callers that send the header themselves (e.g. in parts):
 * the peer's header and, for version 1.0 peers, its features. `started` is when the header
 * went out, for durationMs.
 */
export async function readStreamOpen(
  conn: XmppConnection,
  timeoutMs: number,
  started: number,
  already?: StreamEvent,
): Promise<OpenResult> {
  const first = already ?? (await conn.read(timeoutMs, 'stream header'));
  if (first.kind !== 'header')
    return { ok: false, stage: 'header', event: first, durationMs: Date.now() - started };
  const header = headerInfo(first.el);
  if (!header.version?.startsWith('1.')) {
    return { ok: true, header, features: null, durationMs: Date.now() - started };
  }
  const next = await conn.read(timeoutMs, 'stream features');
  if (next.kind === 'element' && isFeatures(next.el)) {
    return {
      ok: true,
      header,
      features: parseFeatures(next.el),
      featuresXml: serialize(next.el),
      durationMs: Date.now() - started,
    };
  }
  return { ok: false, stage: 'features', header, event: next, durationMs: Date.now() - started };
}

export type StartTlsResult =
  | { ok: true; tls: Extract<TlsResult, { ok: true }>; durationMs: number }
  | { ok: false; stage: 'starttls'; answer: 'failure' | 'other'; event: StreamEvent; durationMs: number }
  | { ok: false; stage: 'handshake'; tls: Extract<TlsResult, { ok: false }>; durationMs: number };

/** Sends <starttls/>, expects <proceed/>, then runs the TLS handshake on the same socket. */
export async function startTls(
  conn: XmppConnection,
  tlsOpts: tls.ConnectionOptions,
  timeoutMs: number,
): Promise<StartTlsResult> {
  const started = Date.now();
  conn.send(`<starttls xmlns='${NS_TLS}'/>`);
  const ev = await conn.read(timeoutMs, 'starttls answer');
  if (ev.kind !== 'element' || ev.el.ns !== NS_TLS || ev.el.local !== 'proceed') {
    const answer =
      ev.kind === 'element' && ev.el.ns === NS_TLS && ev.el.local === 'failure' ? 'failure' : 'other';
    return { ok: false, stage: 'starttls', answer, event: ev, durationMs: Date.now() - started };
  }
  const t = await conn.upgradeClient(tlsOpts, timeoutMs);
  if (!t.ok) return { ok: false, stage: 'handshake', tls: t, durationMs: Date.now() - started };
  return { ok: true, tls: t, durationMs: Date.now() - started };
}
