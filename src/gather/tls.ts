/**
 * Gathers TlsProbeFacts: reaches an XMPP domain the way a sending server does (RFC 6120
 * §3.2 resolution, §4 stream open, §5 STARTTLS, §4.4 close; XEP-0368 direct TLS with ALPN
 * xmpp-server), every address of every target in parallel (or, with --first, in order until
 * one is usable). Records facts and transcript lines only; never verdicts.
 */
import { isIP, type Socket } from 'node:net';
import type tls from 'node:tls';
import type { CertCheckFacts } from '../facts/cert.js';
import type {
  AttemptFacts,
  CloseFacts,
  HandshakeFacts,
  ResolutionFacts,
  SaslFacts,
  StepFailure,
  StreamFacts,
  TlsProbeFacts,
} from '../facts/tls.js';
import type { ProbeContext } from '../pipeline/run.js';
import { lookup as dnsLookup } from '../protocol/dns/client.js';
import { peerChain, sentChain } from '../protocol/tls/certificate.js';
import {
  type TicketWatch,
  ticketsWorthWaitingFor,
  watchSessionTickets,
} from '../protocol/tls/session-tickets.js';
import { secureContextWithAnchors, skipServerIdentity, trustFromSocket } from '../protocol/tls/trust.js';
import {
  connectTcp,
  type StreamEvent,
  streamHeader,
  type TlsResult,
  XmppConnection,
} from '../protocol/xmpp/connection.js';
import { isStreamError, parseStreamError } from '../protocol/xmpp/features.js';
import { saslExternal } from '../protocol/xmpp/sasl.js';
import { type OpenResult, openStream, readStreamOpen, startTls } from '../protocol/xmpp/session.js';
import { endpointOf } from '../report/endpoint.js';
import type { Transcript } from '../transcript/recorder.js';
import { DnsView, gatherSrv, type SrvFacts, type SrvOptions } from './srv.js';
import type { TlsProbeOptions, TlsTarget } from './tls-target.js';

export { DIRECT_TLS_DEFAULT_PORT, endpointOf, type TlsProbeOptions, type TlsTarget } from './tls-target.js';

/** ALPN protocol id for server-to-server XMPP over direct TLS (XEP-0368 §3). */
const ALPN_S2S = 'xmpp-server';

/**
 * Silence after our first stream header for this long makes us send blank lines, so that an
 * HTTP server on the port answers (and is named) within a couple of seconds instead of the
 * whole deadline. XMPP servers answer a header within milliseconds.
 */
export const NUDGE_AFTER_MS = 1500;

/** Longest wait for the peer's </stream:stream> after ours (RFC 6120 §4.4). */
const CLOSE_WAIT_MS = 1000;

const TLS_POLICY = {
  // Accept whatever the peer offers so the handshake completes and the facts (protocol
  // version, key size, signature hash) can be judged, rather than stopping at OpenSSL's
  // local policy. RFC 7590 / RFC 8996 limits are applied by the rules instead.
  minVersion: 'TLSv1',
  ciphers: 'DEFAULT:@SECLEVEL=0',
} as const;

/** One secure context per --ca list (and client certificate), shared by every connection of the run. */
const contexts = new WeakMap<object, tls.SecureContext>();

function secureContextFor(caPems: string[], client?: { cert: string; key: string }): tls.SecureContext {
  const key = client ?? caPems;
  let ctx = contexts.get(key);
  if (!ctx) {
    const policy = client ? { ...TLS_POLICY, cert: client.cert, key: client.key } : TLS_POLICY;
    ctx = secureContextWithAnchors(caPems, policy);
    contexts.set(key, ctx);
  }
  return ctx;
}

/** What went wrong in a stream step, from the event that arrived instead of the expected one. */
export function stepFailure(ev: StreamEvent, step: string): StepFailure {
  switch (ev.kind) {
    case 'timeout':
      return { failure: 'timeout', step, timeoutMs: ev.timeoutMs };
    case 'eof':
      return { failure: 'closed', step, closedBy: 'eof' };
    case 'close':
      return { failure: 'closed', step, closedBy: '</stream:stream>' };
    case 'socket-error':
      return { failure: 'closed', step, closedBy: ev.code ?? ev.reason };
    case 'error':
      return { failure: 'parse-error', step, parseError: { code: ev.code, message: ev.message } };
    case 'header':
      return { failure: 'unexpected', step, element: `{${ev.el.ns}}${ev.el.local}` };
    case 'element':
      if (isStreamError(ev.el))
        return { failure: 'stream-error', step, streamError: parseStreamError(ev.el) };
      return { failure: 'unexpected', step, element: `{${ev.el.ns}}${ev.el.local}` };
  }
}

export function streamFacts(open: OpenResult, sent: StreamFacts['sent'], step: string): StreamFacts {
  const s: StreamFacts = { sent, durationMs: open.durationMs };
  if (open.ok) {
    s.header = open.header;
    s.features = open.features;
    return s;
  }
  if (open.header) s.header = open.header;
  s.failed = stepFailure(open.event, open.stage === 'header' ? `${step} header` : `${step} features`);
  return s;
}

/**
 * OpenSSL error strings carry an address, library, function, source file and line
 * ("80CC…:error:0A000410:SSL routines:ssl3_read_bytes:sslv3 alert handshake failure:…/rec_layer_s3.c:1601:SSL alert number 40");
 * keep the reason and the trailing detail.
 */
export function tidyOpenSslMessage(message: string): string {
  const m = /error:[0-9A-Fa-f]+:[^:]*:[^:]*:([^:]+):[^:]*\.c:\d+:(.*)$/s.exec(message.trim());
  if (!m) return message.trim();
  const extra = (m[2] ?? '').trim();
  return extra ? `${(m[1] as string).trim()} (${extra})` : (m[1] as string).trim();
}

export function handshakeFacts(t: TlsResult, sni: string, alpnOffered?: string[]): HandshakeFacts {
  const h: HandshakeFacts = { ok: t.ok, sni, durationMs: t.durationMs };
  if (alpnOffered) h.alpnOffered = alpnOffered;
  if (t.ok) {
    if (t.protocol) h.protocol = t.protocol;
    if (t.cipher) h.cipher = t.cipher;
    if (typeof t.alpn === 'string') h.alpn = t.alpn;
  } else {
    h.reason = t.reason;
    if (t.alert) h.alert = t.alert;
    if (t.code) h.code = t.code;
    h.message = tidyOpenSslMessage(t.message);
  }
  return h;
}

async function certFacts(
  socket: tls.TLSSocket,
  domain: string,
  a: AttemptFacts,
  warnDays: number,
): Promise<CertCheckFacts> {
  const f: CertCheckFacts = {
    referenceName: domain,
    service: 'xmpp-server',
    endpoint: a.endpoint,
    chain: await peerChain(socket),
    sent: sentChain(socket),
    trust: trustFromSocket(socket),
    checkedAt: new Date().toISOString(),
    warnDays,
  };
  // The SRV target (or host) is only there for the "matches the SRV target only" check.
  if (!isIP(a.host)) f.connectHost = a.host;
  return f;
}

/**
 * A stream that went silent, was closed, or sent bytes we refused is not closed politely: the
 * connection is dropped at once (waiting would only let a flooding peer keep sending).
 */
function broken(a: AttemptFacts): boolean {
  const failures = [a.stream?.failed, a.starttls?.failed, a.secureStream?.failed, a.sasl?.failed];
  return failures.some((f) => f !== undefined && f.failure !== 'stream-error' && f.failure !== 'unexpected');
}

/** Sends </stream:stream> and waits briefly for the peer's (RFC 6120 §4.4). */
async function closeStream(conn: XmppConnection, waitMs: number): Promise<CloseFacts> {
  if (conn.socket.destroyed || !conn.socket.writable) return { sent: false, peerClosed: true };
  conn.send('</stream:stream>');
  const deadline = Date.now() + waitMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return { sent: true, peerClosed: false };
    const ev = await conn.read(left, 'stream close');
    if (ev.kind === 'close' || ev.kind === 'eof' || ev.kind === 'socket-error')
      return { sent: true, peerClosed: true };
    if (ev.kind === 'timeout' || ev.kind === 'error') return { sent: true, peerClosed: false };
  }
}

/** The XML declaration our stream headers start with (RFC 6120 §11.5). */
const XML_DECL = "<?xml version='1.0'?>";

/**
 * The TLS part shared by STARTTLS and direct TLS: certificate facts, then the stream over TLS
 * (RFC 6120 §5.4.3.3: a fresh stream over the encrypted channel; new id and features).
 *
 * On a short path to a TLS 1.3 server the restarted header goes out in parts: the XML
 * declaration at once, one space after each session ticket the server sends (whitespace is
 * allowed between the declaration and the root element, XML 1.0 §2.8), and the
 * <stream:stream> start tag once the tickets have settled. The spaces acknowledge the tickets,
 * which a server with Nagle's algorithm on (Prosody) otherwise holds its answer behind for our
 * ~40 ms delayed ACK (see protocol/tls/session-tickets.ts). Nothing is written after the start
 * tag before the peer answers: a server that sends a stream error and closes (Prosody with
 * s2s_secure_auth) must not receive unread bytes, which would make its kernel reset the
 * connection and discard the error.
 */
async function afterHandshake(
  conn: XmppConnection,
  socket: tls.TLSSocket,
  a: AttemptFacts,
  o: OutboundStream,
): Promise<void> {
  a.tlsEstablished = true;
  o.transcript.note(
    `${a.endpoint}: TLS established (${a.tls?.protocol ?? '?'}, ${a.tls?.cipher ?? '?'}${a.tls?.alpn ? `, ALPN ${a.tls.alpn}` : ''})`,
  );
  const header = streamHeader(o.sent);
  // Every exchange so far took at least one round trip; the shortest is the best estimate.
  const rttMs = Math.min(a.connect.durationMs, a.stream?.durationMs ?? Number.POSITIVE_INFINITY);
  let tickets: TicketWatch | undefined;
  if (header.startsWith(XML_DECL) && ticketsWorthWaitingFor(socket, rttMs, o.ticketWaitMaxRttMs)) {
    conn.send(XML_DECL);
    tickets = watchSessionTickets(socket, {
      rttMs,
      onTicket: () => conn.send(' '),
      ...(o.ticketWaitMs !== undefined ? { waitMs: o.ticketWaitMs } : {}),
    });
  }
  a.cert = await certFacts(socket, o.domain, a, o.warnDays);
  let open: OpenResult;
  if (tickets) {
    const waitStarted = Date.now();
    await tickets.settled;
    o.transcript.note(
      `${a.endpoint}: ${tickets.count} TLS session ticket(s) acknowledged before the stream header (waited ${Date.now() - waitStarted} ms)`,
    );
    const started = Date.now();
    conn.send(header.slice(XML_DECL.length));
    open = await readStreamOpen(conn, o.timeoutMs, started);
  } else {
    open = await openStream(conn, o.sent, o.timeoutMs);
  }
  a.secureStream = streamFacts(open, o.sent, 'TLS stream');
}

/**
 * A port that closes right after our plain-text stream header may expect TLS first (a
 * direct-TLS or HTTPS port listed as a STARTTLS target): a TLS server that gets XML instead
 * of a ClientHello usually just closes, without an alert that would say so. One more
 * connection with a ClientHello tells.
 */
async function tlsFirstCheck(
  t: ResolutionFacts['targets'][number],
  endpoint: string,
  domain: string,
  tlsOpts: tls.ConnectionOptions,
  o: OutboundStream,
): Promise<HandshakeFacts | undefined> {
  o.transcript.note(
    `${endpoint}: closed before any stream header; checking whether the port expects TLS first`,
  );
  const tcp = await connectTcp(t.ip, t.port, o.timeoutMs);
  if (!tcp.ok) return undefined;
  const conn = new XmppConnection(tcp.socket, { transcript: o.transcript, label: endpoint });
  o.onConnection?.(conn);
  const alpn = [ALPN_S2S];
  const res = await conn.upgradeClient({ ...tlsOpts, ALPNProtocols: alpn }, o.timeoutMs);
  conn.destroy();
  return handshakeFacts(res, domain, alpn);
}

/**
 * Starts one connection attempt: its facts, a transcript note and the TCP connect (refused,
 * timeout, unreachable kept apart). On success the socket has TCP_NODELAY: small writes back to
 * back (the TLS Finished, then our stream header) must not wait for the peer's delayed ACK
 * (Nagle), which alone cost 40 ms per probe against Prosody.
 */
export async function connectAttempt(
  t: ResolutionFacts['targets'][number],
  timeoutMs: number,
  transcript: { note(text: string): void },
): Promise<{ attempt: AttemptFacts; socket?: Socket }> {
  const endpoint = endpointOf(t.host, t.port);
  const attempt: AttemptFacts = {
    host: t.host,
    ip: t.ip,
    port: t.port,
    endpoint,
    directTls: t.directTls,
    source: t.source,
    ...(t.priority !== undefined ? { priority: t.priority } : {}),
    connect: { ok: false, durationMs: 0 },
    tlsEstablished: false,
  };
  transcript.note(
    `connecting to ${endpoint}${t.ip !== t.host ? ` (${t.ip})` : ''}${t.directTls ? ' with direct TLS' : ''}`,
  );
  const tcp = await connectTcp(t.ip, t.port, timeoutMs);
  if (!tcp.ok) {
    attempt.connect = { ok: false, reason: tcp.reason, message: tcp.message, durationMs: tcp.durationMs };
    if (tcp.code) attempt.connect.code = tcp.code;
    transcript.note(`${endpoint}: TCP connect failed (${tcp.code ?? tcp.reason})`);
    return { attempt };
  }
  attempt.connect = { ok: true, durationMs: tcp.durationMs };
  tcp.socket.setNoDelay(true);
  return { attempt, socket: tcp.socket };
}

/**
 * What the outgoing connection sequence needs: who we are talking to, the TLS context (trust
 * anchors, and a client certificate when one is presented), deadlines and where to record.
 */
export interface OutboundStream {
  /** The XMPP domain: stream `to`, SNI and the certificate's reference identifier. */
  domain: string;
  /** The attributes our stream headers announce. */
  sent: StreamFacts['sent'];
  /** Trust anchors, TLS policy and any client certificate, shared by the run's connections. */
  secureContext: tls.SecureContext;
  /** Certificate expiry warning threshold in days, recorded in the certificate facts. */
  warnDays: number;
  /** The deadline of each network step. */
  timeoutMs: number;
  /** Where the connection's bytes and notes go. */
  transcript: Transcript;
  /** See TlsProbeOptions.ticketWaitMaxRttMs. */
  ticketWaitMaxRttMs?: number;
  /** See TlsProbeOptions.ticketWaitMs. */
  ticketWaitMs?: number;
  /** Called with every connection opened, e.g. to close it when the run ends early. */
  onConnection?(conn: XmppConnection): void;
  /** Stop after the first features, without STARTTLS (the plaintext-dialback check). */
  skipStartTls?: boolean;
}

/** How the outgoing sequence ended on one address. */
export interface OutboundResult {
  attempt: AttemptFacts;
  /** The connection when TCP connected; the caller closes or destroys it. */
  conn?: XmppConnection;
  /** The peer spoke XMPP on the connection still open (a polite close is worth sending). */
  talked: boolean;
  /** The last stream (over TLS when STARTTLS was offered or for direct TLS) is open, with its features. */
  ready: boolean;
}

/**
 * THE outgoing XMPP server connection sequence, used by probe tls and dialback (and every
 * command that composes them): TCP, stream header and features, STARTTLS when offered (or
 * direct TLS for _xmpps-server targets, XEP-0368, with ALPN xmpp-server), the certificate facts,
 * and the restarted stream over TLS with the TLS 1.3 ticket acknowledgement (afterHandshake).
 * Records each step in the attempt facts; never throws for the peer's behaviour. A port that
 * closes on our plain header is checked for TLS first (tlsFirstCheck).
 */
export async function connectXmpp(
  t: ResolutionFacts['targets'][number],
  o: OutboundStream,
): Promise<OutboundResult> {
  const { attempt: a, socket } = await connectAttempt(t, o.timeoutMs, o.transcript);
  if (!socket) return { attempt: a, talked: false, ready: false };
  const endpoint = a.endpoint;
  const conn = new XmppConnection(socket, { transcript: o.transcript, label: endpoint });
  o.onConnection?.(conn);
  const tlsOpts: tls.ConnectionOptions = {
    secureContext: o.secureContext,
    servername: o.domain,
    rejectUnauthorized: false,
    // Identity is judged against the XMPP domain by the cert rules (DNS-ID, SRV-ID, XmppAddr);
    // Node's own HTTPS-style check would only be thrown away (see trustFromSocket).
    checkServerIdentity: skipServerIdentity,
  };
  const end = (talked: boolean): OutboundResult => {
    const final = a.secureStream ?? a.stream;
    const ready = final !== undefined && !final.failed && final.header !== undefined;
    return { attempt: a, conn, talked, ready };
  };
  if (t.directTls) {
    const alpn = [ALPN_S2S];
    const res = await conn.upgradeClient({ ...tlsOpts, ALPNProtocols: alpn }, o.timeoutMs);
    a.tls = handshakeFacts(res, o.domain, alpn);
    if (!res.ok) return end(false);
    await afterHandshake(conn, res.socket, a, o);
    return end(true);
  }
  const open = await openStream(conn, o.sent, o.timeoutMs, { nudgeAfterMs: NUDGE_AFTER_MS });
  a.stream = streamFacts(open, o.sent, 'stream');
  const talked = a.stream.header !== undefined;
  if (a.stream.failed?.failure === 'closed' && !a.stream.header) {
    a.tlsFirst = await tlsFirstCheck(t, endpoint, o.domain, tlsOpts, o);
  }
  if (!open.ok || !open.features?.starttls.offered || o.skipStartTls) return end(talked);
  const st = await startTls(conn, tlsOpts, o.timeoutMs);
  if (!st.ok && st.stage === 'starttls') {
    a.starttls = {
      answer: st.answer,
      failed: stepFailure(st.event, 'starttls answer'),
      durationMs: st.durationMs,
    };
    if (st.answer === 'failure') delete a.starttls.failed;
    // Not ready: the peer refused TLS, and a stream it asked to encrypt is not used in the clear.
    return { attempt: a, conn, talked, ready: false };
  }
  a.starttls = { answer: 'proceed', durationMs: st.durationMs };
  if (!st.ok) {
    a.tls = handshakeFacts(st.tls, o.domain);
    return { attempt: a, conn, talked: false, ready: false };
  }
  a.tls = handshakeFacts(st.tls, o.domain);
  await afterHandshake(conn, st.tls.socket, a, o);
  return end(true);
}

/** One connection attempt to one address, step by step, closed politely; never throws for the peer's behaviour. */
async function probeAddress(
  t: ResolutionFacts['targets'][number],
  target: { domain: string; sent: StreamFacts['sent'] },
  opts: TlsProbeOptions,
  ctx: ProbeContext,
  redirected = false,
): Promise<AttemptFacts> {
  const o: OutboundStream = {
    domain: target.domain,
    sent: target.sent,
    secureContext: secureContextFor(opts.caPems, opts.clientTls),
    warnDays: opts.warnDays,
    timeoutMs: ctx.timeoutMs,
    transcript: ctx.transcript,
  };
  if (opts.ticketWaitMaxRttMs !== undefined) o.ticketWaitMaxRttMs = opts.ticketWaitMaxRttMs;
  if (opts.ticketWaitMs !== undefined) o.ticketWaitMs = opts.ticketWaitMs;
  const { attempt: a, conn, talked, ready } = await connectXmpp(t, o);
  if (!conn) return a;
  try {
    const features = a.secureStream?.features;
    if (opts.clientTls && target.sent.from && ready && a.tlsEstablished && features) {
      a.sasl = await externalAuth(conn, features.saslMechanisms ?? [], target.sent.from, ctx);
    }
    if (talked && !broken(a)) a.close = await closeStream(conn, Math.min(CLOSE_WAIT_MS, ctx.timeoutMs));
  } finally {
    conn.destroy();
  }
  const other = seeOtherHost(a);
  if (other !== undefined && !redirected) a.redirect = await followRedirect(other, t, target, opts, ctx);
  return a;
}

/** The see-other-host value of the attempt's stream error, if it ended with one. */
function seeOtherHost(a: AttemptFacts): string | undefined {
  const failures = [a.stream?.failed, a.starttls?.failed, a.secureStream?.failed];
  const e = failures.find((f) => f?.streamError?.condition === 'see-other-host')?.streamError;
  return e ? (e.otherHost ?? '') : undefined;
}

/**
 * see-other-host (RFC 6120 §4.9.3.19): some servers follow the redirect, once. Do the same and
 * record how the redirect target does, so the report says whether following it would work.
 * Its value is host, host:port or [IPv6]:port; the port defaults to the redirected one's.
 */
async function followRedirect(
  value: string,
  t: ResolutionFacts['targets'][number],
  target: { domain: string; sent: StreamFacts['sent'] },
  opts: TlsProbeOptions,
  ctx: ProbeContext,
): Promise<NonNullable<AttemptFacts['redirect']>> {
  const m = /^\[([0-9a-fA-F:.]+)\](?::(\d{1,5}))?$|^([^\s:[\]]+)(?::(\d{1,5}))?$/.exec(value.trim());
  const host = m?.[1] ?? m?.[3];
  const port = Number(m?.[2] ?? m?.[4] ?? t.port);
  if (!m || !host || port < 1 || port > 65535)
    return { to: value, error: `"${value}" is not a host or host:port` };
  ctx.transcript.note(`following see-other-host to ${endpointOf(host, port)} (once)`);
  let ip = host;
  if (!isIP(host)) {
    const r = await resolveHost(host, opts, ctx);
    const first = r.addresses[0];
    if (!first) return { to: value, error: r.error?.message ?? `no address for ${host}` };
    ip = first;
  }
  const attempt = await probeAddress(
    { host, ip, port, directTls: t.directTls, source: 'redirect' },
    target,
    opts,
    ctx,
    true,
  );
  return { to: value, attempt };
}

/** SASL EXTERNAL with our certificate (XEP-0178), when the peer offers it on the TLS stream. */
async function externalAuth(
  conn: XmppConnection,
  mechanisms: string[],
  authzid: string,
  ctx: ProbeContext,
): Promise<SaslFacts> {
  const f: SaslFacts = {
    authzid,
    offered: mechanisms.some((m) => m.toUpperCase() === 'EXTERNAL'),
    mechanisms,
  };
  if (!f.offered) return f;
  const r = await saslExternal(conn, authzid, ctx.timeoutMs);
  f.durationMs = r.durationMs;
  if (r.outcome === 'success' || r.outcome === 'failure') f.outcome = r.outcome;
  if (r.outcome === 'failure') {
    f.condition = r.condition;
    if (r.text) f.text = r.text;
  } else if (r.outcome === 'stream-error') {
    f.failed = { failure: 'stream-error', step: 'SASL EXTERNAL answer', streamError: r.error };
  } else if (r.outcome === 'no-answer') {
    f.failed = stepFailure(r.event, 'SASL EXTERNAL answer');
  }
  return f;
}

/**
 * Addresses of a host target: the hosts file, then A and AAAA queries to the --resolver servers
 * or /etc/resolv.conf's, each with the step deadline. Not the C library's getaddrinfo: a lookup
 * that outlives the deadline cannot be cancelled there, and it kept the process alive for the
 * system resolver's own timeouts (10 s by default) after the report was written.
 */
async function resolveHost(
  host: string,
  opts: TlsProbeOptions,
  ctx: ProbeContext,
): Promise<{ addresses: string[]; error?: { reason: string; message: string } }> {
  if (!opts.resolvers?.length) {
    const listed = await DnsView.system.hostsAddresses(host);
    if (listed.length > 0) {
      ctx.transcript.note(`${host} found in ${DnsView.system.hosts.path}: ${listed.join(', ')}`);
      return { addresses: listed };
    }
  }
  const resolvers = opts.resolvers?.length ? opts.resolvers : await DnsView.system.resolvers();
  const qopts = { timeoutMs: ctx.timeoutMs, log: ctx.transcript };
  let last = 'nxdomain';
  for (const r of resolvers) {
    const [a, aaaa] = await Promise.all([dnsLookup(r, host, 'A', qopts), dnsLookup(r, host, 'AAAA', qopts)]);
    const ips = [...a.records, ...aaaa.records].flatMap((x) => (x.type === 'SRV' ? [] : [x.ip]));
    if (ips.length > 0) return { addresses: ips };
    last = a.outcome === 'answer' ? aaaa.outcome : a.outcome;
    if (last !== 'timeout' && last !== 'unreachable') break;
  }
  return {
    addresses: [],
    error: { reason: last, message: `no A or AAAA record for ${host} (${last})` },
  };
}

/**
 * Resolves a domain like a sending server (RFC 6120 §3.2): SRV, then the A/AAAA fallback.
 * With a DnsView the domain's SrvFacts come from it (resolved at most once per view).
 */
export async function resolveDomain(
  domain: string,
  resolvers: SrvOptions['resolvers'],
  ctx: ProbeContext,
  view?: DnsView,
): Promise<ResolutionFacts> {
  const srv = view
    ? await view.srv(domain, ctx)
    : await gatherSrv(domain, resolvers ? { resolvers } : {}, ctx);
  return resolutionFromSrv(srv);
}

/** The try list of a domain from its SrvFacts (the connect list, in the expected order). */
export function resolutionFromSrv(srv: SrvFacts): ResolutionFacts {
  return {
    method: 'srv',
    srv,
    targets: srv.connect.map((c) => ({
      host: c.host,
      ip: c.ip,
      port: c.port,
      directTls: c.directTls,
      source: c.source,
      ...(c.priority !== undefined ? { priority: c.priority } : {}),
    })),
  };
}

async function resolve(
  target: TlsTarget,
  opts: TlsProbeOptions,
  ctx: ProbeContext,
): Promise<ResolutionFacts> {
  if (target.kind === 'domain') return resolveDomain(target.domain, opts.resolvers, ctx, opts.dns);
  const host = target.host as string;
  const port = target.port as number;
  const source = target.viaConnect ? ('connect' as const) : ('host' as const);
  if (isIP(host)) {
    return { method: 'literal', targets: [{ host, ip: host, port, directTls: target.directTls, source }] };
  }
  const r = await resolveHost(host, opts, ctx);
  const res: ResolutionFacts = {
    method: 'host',
    host,
    addresses: r.addresses,
    targets: r.addresses.map((ip) => ({ host, ip, port, directTls: target.directTls, source })),
  };
  if (r.error) res.error = r.error;
  return res;
}

/** Addresses probed at the same time when every target is probed. */
export const TARGET_CONCURRENCY = 8;
/**
 * Addresses probed at most for one domain (in try order); the rest are listed in the facts as
 * not probed. DNS already caps the SRV targets it resolves (gather/srv.ts MAX_SRV_TARGETS).
 */
export const MAX_ADDRESSES_PROBED = 32;

/**
 * Whether a sending server would stop at this attempt (--first): TLS completed, the chain
 * validated (OpenSSL's verdict; names are judged by the rules), and the stream over TLS opened.
 */
function usable(a: AttemptFacts): boolean {
  return (
    a.tlsEstablished &&
    a.cert?.trust.authorized === true &&
    a.secureStream !== undefined &&
    !a.secureStream.failed
  );
}

/**
 * Probes one target: resolve, then every address in parallel (the default, --all-targets), or
 * in try order until one is usable (--first, as one sending server would). Attempts are
 * recorded in try order either way.
 */
export async function gatherTls(
  target: TlsTarget,
  opts: TlsProbeOptions,
  ctx: ProbeContext,
): Promise<TlsProbeFacts> {
  const resolveStarted = Date.now();
  const resolution = await resolve(target, opts, ctx);
  resolution.durationMs = Date.now() - resolveStarted;
  const sent: StreamFacts['sent'] = { to: target.domain };
  if (opts.from) sent.from = opts.from;
  const facts: TlsProbeFacts = {
    target: target.input,
    kind: target.kind,
    domain: target.domain,
    resolution,
    attempts: [],
    allTargets: opts.allTargets,
    timeoutMs: ctx.timeoutMs,
    checkedAt: new Date().toISOString(),
  };
  if (opts.from) facts.from = opts.from;
  facts.clientCert = opts.clientTls?.facts ?? null;
  const list = resolution.targets.slice(0, MAX_ADDRESSES_PROBED);
  if (resolution.targets.length > list.length) facts.notProbed = resolution.targets.length - list.length;
  const one = (t: ResolutionFacts['targets'][number]) =>
    probeAddress(t, { domain: target.domain, sent }, opts, ctx);
  if (opts.allTargets) {
    facts.attempts = await mapLimit(list, TARGET_CONCURRENCY, one);
  } else {
    for (const t of list) {
      const a = await one(t);
      facts.attempts.push(a);
      if (usable(a)) break;
    }
  }
  return facts;
}

/** Runs `fn` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
