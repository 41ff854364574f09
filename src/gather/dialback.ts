/**
 * Gathers dialback facts (XEP-0220): `xfed dialback` plays both servers of our domain — the
 * originating server (resolve the peer like a server, connect, STARTTLS, db:result with an
 * XEP-0185 key under a per-run secret, IQ ping) and the authoritative server (a listener that
 * answers the peer's callback) — and records every step with its timing; `xfed dialback
 * verify` sends one db:verify with a random key; `xfed dialback key` recomputes logged keys.
 * Facts and transcript lines only; verdicts are the judge's business.
 */
import { X509Certificate } from 'node:crypto';
import type tls from 'node:tls';
import type {
  DialbackAnswerFacts,
  DialbackFacts,
  DialbackKeyFacts,
  DialbackVerifyFacts,
  DialbackVerifyTargetFacts,
  OurCertFacts,
  OutboundFacts,
  PingFacts,
  PlaintextCheckFacts,
  ResultReceivedFacts,
  StepTiming,
} from '../facts/dialback.js';
import type { ResolutionFacts, StreamFacts } from '../facts/tls.js';
import type { ProbeContext } from '../pipeline/run.js';
import {
  AuthoritativeListener,
  type ResultVerdict,
  SILENT_AFTER_TLS_MS,
} from '../protocol/dialback/authoritative.js';
import { candidateKeys, matchKey, normaliseKey, xep0185Key } from '../protocol/dialback/keys.js';
import { LabelledTranscript } from '../protocol/dialback/labelled-transcript.js';
import { sameDomain } from '../protocol/dialback/names.js';
import { type Delivery, OriginatingStream } from '../protocol/dialback/originating.js';
import {
  type ExchangeResult,
  exchangeVerify,
  parseDialbackAnswer,
  randomVerifyRequest,
  type VerifyRequest,
} from '../protocol/dialback/verify-probe.js';
import { parseDerDetails } from '../protocol/tls/certificate.js';
import { secureContextWithAnchors } from '../protocol/tls/trust.js';
import type { StreamEvent, XmppConnection } from '../protocol/xmpp/connection.js';
import type { XmlElement } from '../protocol/xmpp/xml.js';
import type { Report } from '../report/model.js';
import type { Transcript } from '../transcript/recorder.js';
import { checkPlaintextDialback } from './plaintext-dialback.js';
import { portHolder } from './port-holder.js';
import { DnsView } from './srv.js';
import {
  connectXmpp,
  endpointOf,
  MAX_ADDRESSES_PROBED,
  mapLimit,
  resolveDomain,
  stepFailure,
  TARGET_CONCURRENCY,
} from './tls.js';

/** Longest wait for the peer's </stream:stream> after ours (RFC 6120 §4.4). */
const CLOSE_WAIT_MS = 1000;
/** Certificate expiry warning threshold for the peer's certificate (as probe tls by default). */
const WARN_DAYS = 14;
/** Our own checks of keys the peer sends us (Prosody style): at most this many per run. */
const MAX_REVERSE_VERIFICATIONS = 8;

/** Options shared by the two network commands. */
export interface DialbackNetOptions {
  /** Our domain (--as), A-label. */
  our: string;
  /** Extra trust anchors (--ca), PEM. */
  caPems: string[];
  /** --resolver servers; default: /etc/resolv.conf. */
  resolvers?: { host: string; port: number }[];
  /** Client certificate and key (PEM) presented on outgoing connections, as a server would; `file` is the --cert path. */
  clientTls?: { cert: string; key: string; file?: string };
  /** An already-resolved DNS view (gather/srv.ts DnsView): domains are taken from it, or resolved into it once. */
  dns?: DnsView;
  /** See TlsProbeOptions.ticketWaitMaxRttMs (tests). */
  ticketWaitMaxRttMs?: number;
  /** See TlsProbeOptions.ticketWaitMs (tests). */
  ticketWaitMs?: number;
  /** dialback verify --first: try targets in order until one connects (default: every target in parallel). */
  first?: boolean;
}

export interface DialbackOptions extends DialbackNetOptions {
  /** --listen address. */
  listen: { host: string; port: number };
  /** Certificate chain and key for the listener's STARTTLS (--cert/--key, `file` the --cert path); without them no STARTTLS. */
  serverTls?: { cert: string; key: string; subject?: string; file?: string };
  /** This run's dialback secret (random; registered as a transcript secret by the caller). */
  secret: string;
  /** The wait for the peer's answer, which spans its whole callback (--callback-timeout). */
  resultTimeoutMs: number;
  /** Ask the peer's callback for a TLS client certificate (--request-client-cert). */
  requestClientCert?: boolean;
}

/** What every connection of one run shares. */
interface Env {
  timeoutMs: number;
  transcript: Transcript;
  clock(): number;
  secureContext: tls.SecureContext;
  /** Open outgoing connections, closed when the run ends whatever happened. */
  live: Set<XmppConnection>;
  /** Set when the run ends: no new outgoing connection is started or kept. */
  aborted: boolean;
  ticketWaitMaxRttMs?: number;
  ticketWaitMs?: number;
}

function makeEnv(opts: DialbackNetOptions, ctx: ProbeContext): Env {
  const t0 = Date.now();
  return {
    timeoutMs: ctx.timeoutMs,
    transcript: ctx.transcript,
    clock: () => Date.now() - t0,
    // Like probe tls: accept what the peer offers so the handshake completes and the rules
    // judge the protocol and certificate, instead of stopping at OpenSSL's local policy.
    // The system store plus --ca without re-parsing every root (see secureContextWithAnchors).
    secureContext: secureContextWithAnchors(opts.caPems, {
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
      ...(opts.clientTls ? { cert: opts.clientTls.cert, key: opts.clientTls.key } : {}),
    }),
    live: new Set(),
    aborted: false,
    ...(opts.ticketWaitMaxRttMs !== undefined ? { ticketWaitMaxRttMs: opts.ticketWaitMaxRttMs } : {}),
    ...(opts.ticketWaitMs !== undefined ? { ticketWaitMs: opts.ticketWaitMs } : {}),
  };
}

/**
 * The names of the certificate we present for our domain (the first one of the PEM chain).
 * Facts only: the rules compare them with --as (RFC 6120 §13.7.1.2). Undefined when there is
 * no certificate, or when its DER cannot be read (options.ts has already loaded it with OpenSSL).
 */
function ourCertFacts(tlsPair: { cert: string; file?: string } | undefined): OurCertFacts | undefined {
  if (!tlsPair) return undefined;
  try {
    const x = new X509Certificate(tlsPair.cert);
    const d = parseDerDetails(x.raw);
    const f: OurCertFacts = {
      subject: (x.subject ?? '').replace(/\n/g, ', '),
      san: d.san,
      commonNames: d.commonNames,
    };
    if (tlsPair.file) f.file = tlsPair.file;
    return f;
  } catch {
    return undefined;
  }
}

/**
 * Opens an outgoing server stream to `domain` as `from`: tries the resolved targets in order
 * until a TCP connection succeeds, then stream, STARTTLS when offered (direct TLS for
 * _xmpps-server targets), and the restarted stream. Returns the open connection when the
 * stream is ready for dialback.
 */
async function openOutbound(
  purpose: OutboundFacts['purpose'],
  domain: string,
  from: string,
  resolution: ResolutionFacts,
  env: Env,
  label: string,
): Promise<{ facts: OutboundFacts; conn?: XmppConnection }> {
  const facts: OutboundFacts = {
    purpose,
    domain,
    resolution,
    attempts: [],
    dialbackOffered: false,
    ready: false,
    startedAtMs: env.clock(),
    durationMs: 0,
  };
  const transcript = new LabelledTranscript(env.transcript, label);
  const sent: StreamFacts['sent'] = { to: domain, from };
  const done = (conn?: XmppConnection) => {
    facts.durationMs = env.clock() - facts.startedAtMs;
    return conn ? { facts, conn } : { facts };
  };
  for (const t of resolution.targets) {
    if (env.aborted) break;
    // The one outgoing sequence probe tls uses too (TCP, stream, STARTTLS or direct TLS, the
    // restarted stream with the TLS 1.3 ticket acknowledgement).
    const r = await connectXmpp(t, {
      domain,
      sent,
      secureContext: env.secureContext,
      warnDays: WARN_DAYS,
      timeoutMs: env.timeoutMs,
      transcript,
      ...(env.ticketWaitMaxRttMs !== undefined ? { ticketWaitMaxRttMs: env.ticketWaitMaxRttMs } : {}),
      ...(env.ticketWaitMs !== undefined ? { ticketWaitMs: env.ticketWaitMs } : {}),
      onConnection: (conn) => {
        if (env.aborted) conn.destroy();
        else env.live.add(conn);
      },
    });
    const a = r.attempt;
    facts.attempts.push(a);
    const conn = r.conn;
    if (!conn) continue;
    if (!r.ready || env.aborted) {
      conn.destroy();
      env.live.delete(conn);
      return done();
    }
    const final = a.secureStream ?? a.stream;
    if (final?.header?.id) facts.streamId = final.header.id;
    facts.dialbackOffered = final?.features
      ? final.features.dialback.offered
      : (final?.header?.dialbackNs ?? false);
    facts.ready = true;
    return done(conn);
  }
  return done();
}

/** Sends </stream:stream>, waits briefly for the peer's, then drops the connection. */
async function closeOutbound(conn: XmppConnection, env: Env): Promise<void> {
  env.live.delete(conn);
  if (!conn.socket.destroyed && conn.socket.writable) {
    conn.send('</stream:stream>');
    const deadline = Date.now() + Math.min(CLOSE_WAIT_MS, env.timeoutMs);
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      const ev = await conn.read(left, 'stream close');
      if (ev.kind !== 'element' && ev.kind !== 'header') break;
    }
  }
  conn.destroy();
}

/** The answer element or the event that ended the wait, from either kind of wait. */
function endOfWait(a: Delivery | ExchangeResult): { el?: XmlElement; ev?: StreamEvent; stopped?: true } {
  if ('kind' in a) {
    if (a.kind === 'stopped') return { stopped: true };
    return a.kind === 'answer' ? { el: a.el } : { ev: a.event };
  }
  return { el: a.answer, ev: a.failure };
}

/** Turns the end of a wait (answer element or failure event) into answer facts. */
function answerFacts(r: {
  answer: Delivery | ExchangeResult;
  sentAtMs: number;
  nowMs: number;
  ignored: number;
}): DialbackAnswerFacts {
  const base = { ignored: r.ignored, atMs: r.nowMs, durationMs: r.nowMs - r.sentAtMs };
  const { el, ev, stopped } = endOfWait(r.answer);
  if (stopped) return { ...base, outcome: 'stopped' };
  if (el) {
    const p = parseDialbackAnswer(el);
    const f: DialbackAnswerFacts = {
      ...base,
      outcome: p.type === 'other' ? 'error' : p.type,
      keyEchoed: p.keyEchoed,
    };
    if (p.type === 'other') f.condition = `type="${el.attrs.type ?? ''}"`;
    if (p.condition) f.condition = p.condition;
    if (p.errorType) f.errorType = p.errorType;
    if (p.text) f.text = p.text;
    return f;
  }
  const failure = stepFailure(ev ?? { kind: 'eof' }, 'dialback answer');
  const outcome: DialbackAnswerFacts['outcome'] =
    failure.failure === 'stream-error'
      ? 'stream-error'
      : failure.failure === 'timeout'
        ? 'timeout'
        : failure.failure === 'parse-error'
          ? 'parse-error'
          : 'closed';
  const f: DialbackAnswerFacts = { ...base, outcome, failure };
  if (failure.streamError) {
    f.condition = failure.streamError.condition;
    if (failure.streamError.text) f.text = failure.streamError.text;
  }
  return f;
}

/** Opens a stream to `domain`'s authoritative server and asks it to verify a key (XEP-0220 §2.1.2). */
async function verifyWith(
  purpose: OutboundFacts['purpose'],
  resolution: ResolutionFacts,
  req: VerifyRequest,
  env: Env,
  label: string,
  requireDialbackOffer: boolean,
): Promise<{ outbound: OutboundFacts; answer?: DialbackAnswerFacts; sentAtMs?: number }> {
  const out = await openOutbound(purpose, req.to, req.from, resolution, env, label);
  if (!out.conn || !out.facts.ready || (requireDialbackOffer && !out.facts.dialbackOffered)) {
    if (out.conn) await closeOutbound(out.conn, env);
    return { outbound: out.facts };
  }
  const sentAtMs = env.clock();
  const r = await exchangeVerify(out.conn, req, env.timeoutMs);
  const answer = answerFacts({ answer: r, sentAtMs, nowMs: env.clock(), ignored: r.ignored });
  await closeOutbound(out.conn, env);
  return { outbound: out.facts, answer, sentAtMs };
}

// ---------------------------------------------------------------------------------------
// xfed dialback verify

/** `xfed dialback verify`: one db:verify with a random key; a healthy peer answers invalid. */
export async function gatherDialbackVerify(
  peer: string,
  opts: DialbackNetOptions,
  ctx: ProbeContext,
): Promise<DialbackVerifyFacts> {
  const env = makeEnv(opts, ctx);
  const dnsAt = env.clock();
  const resolution = await resolveDomain(peer, opts.resolvers, ctx, opts.dns);
  const dnsMs = env.clock() - dnsAt;
  const req = randomVerifyRequest(opts.our, peer);
  let outbound: OutboundFacts;
  let answer: DialbackAnswerFacts | undefined;
  let sentAtMs: number | undefined;
  let plaintext: PlaintextCheckFacts | undefined;
  let targets: DialbackVerifyTargetFacts[] | undefined;
  try {
    // The stream id is made up too: nobody issued this key for any stream.
    if (opts.first || resolution.targets.length <= 1) {
      const r = await verifyWith('verify-probe', resolution, req, env, 'verify', true);
      outbound = r.outbound;
      answer = r.answer;
      sentAtMs = r.sentAtMs;
    } else {
      // Every address of every target, in parallel: each authoritative server that a
      // receiving server may reach must answer (issue 13).
      const list = resolution.targets.slice(0, MAX_ADDRESSES_PROBED);
      const each = await mapLimit(list, TARGET_CONCURRENCY, (t) =>
        verifyWith(
          'verify-probe',
          { method: resolution.method, targets: [t] },
          req,
          env,
          `verify ${endpointOf(t.ip, t.port)}`,
          true,
        ),
      );
      targets = each.map((r, i) => {
        const t = list[i] as ResolutionFacts['targets'][number];
        const x: DialbackVerifyTargetFacts = {
          endpoint: endpointOf(t.host, t.port),
          ip: t.ip,
          outbound: r.outbound,
        };
        if (r.answer) x.answer = r.answer;
        if (r.sentAtMs !== undefined) x.sentAtMs = r.sentAtMs;
        return x;
      });
      // The one the steps and the answer rules describe: the first healthy answer in try
      // order, else the first answer of any kind, else the first target.
      const primary =
        each.find((r) => r.answer?.outcome === 'invalid') ??
        each.find((r) => r.answer) ??
        (each[0] as (typeof each)[number]);
      outbound = { ...primary.outbound, resolution };
      answer = primary.answer;
      sentAtMs = primary.sentAtMs;
    }
    // STARTTLS offered without <required/>: observe whether unencrypted dialback is processed.
    plaintext = await checkPlaintextDialback(
      outbound,
      opts.our,
      {
        secureContext: env.secureContext,
        warnDays: WARN_DAYS,
        timeoutMs: env.timeoutMs,
        onConnection: (c) => env.live.add(c),
      },
      ctx.transcript,
      env.clock,
    );
  } finally {
    env.aborted = true;
    for (const c of env.live) c.destroy();
  }
  const facts: DialbackVerifyFacts = {
    peer,
    our: opts.our,
    outbound,
    steps: [
      { step: 'dns', ok: resolution.targets.length > 0, atMs: dnsAt, durationMs: dnsMs },
      ...connectionSteps(outbound),
    ],
    timeoutMs: env.timeoutMs,
    checkedAt: new Date().toISOString(),
  };
  if (targets) facts.targets = targets;
  const ourCert = ourCertFacts(opts.clientTls);
  if (ourCert) facts.ourCert = ourCert;
  if (plaintext) facts.plaintext = plaintext;
  if (sentAtMs !== undefined) facts.request = { id: req.id, keyLength: req.key.length, atMs: sentAtMs };
  if (answer) {
    facts.answer = answer;
    facts.steps.push({
      step: 'result',
      ok: answer.outcome === 'invalid',
      atMs: sentAtMs ?? answer.atMs,
      durationMs: answer.durationMs,
      detail: answer.outcome,
    });
  }
  return facts;
}

/** Connect and TLS timings of the attempt that was used (the last one). */
function connectionSteps(o: OutboundFacts): StepTiming[] {
  const a = o.attempts[o.attempts.length - 1];
  if (!a) return [];
  const steps: StepTiming[] = [
    {
      step: 'connect',
      ok: a.connect.ok,
      atMs: o.startedAtMs,
      durationMs: a.connect.durationMs,
      detail: a.endpoint,
    },
  ];
  if (a.tls) {
    steps.push({
      step: 'tls',
      ok: a.tls.ok,
      atMs: o.startedAtMs + a.connect.durationMs + (a.stream?.durationMs ?? 0),
      durationMs: a.tls.durationMs,
      detail: a.tls.ok ? (a.tls.protocol ?? 'TLS') : (a.tls.alert ?? a.tls.reason ?? 'failed'),
    });
  }
  return steps;
}

// ---------------------------------------------------------------------------------------
// xfed dialback

/** `xfed dialback`: the whole handshake, both roles, every step timed. */
export async function gatherDialback(
  peer: string,
  opts: DialbackOptions,
  ctx: ProbeContext,
): Promise<DialbackFacts> {
  const env = makeEnv(opts, ctx);
  const facts: DialbackFacts = {
    peer,
    our: opts.our,
    listener: {
      host: opts.listen.host,
      port: opts.listen.port,
      ok: false,
      tls: opts.serverTls !== undefined,
      refusedConnections: 0,
    },
    sessions: [],
    steps: [],
    timeoutMs: env.timeoutMs,
    resultTimeoutMs: opts.resultTimeoutMs,
    checkedAt: new Date().toISOString(),
  };
  // The listener's certificate is the one the peer's callback checks.
  const ourCert = ourCertFacts(opts.serverTls ?? opts.clientTls);
  if (ourCert) facts.ourCert = ourCert;
  let origin: OriginatingStream | undefined;
  let originStreamId: string | undefined;
  // Each domain is resolved once per run (peer, our own domain, reverse verifications).
  const view = opts.dns ?? new DnsView(opts.resolvers ? { resolvers: opts.resolvers } : {});
  const resolutionOf = (domain: string) => resolveDomain(domain, opts.resolvers, ctx, view);
  let reverseCount = 0;
  /** Ends the waits once the outcome is known (listener stop, or the peer's own key rejected). */
  const stopEarly = (reason: NonNullable<DialbackFacts['stoppedEarly']>['reason']) => {
    if (facts.stoppedEarly) return;
    facts.stoppedEarly = { reason, atMs: env.clock() };
    origin?.stop();
  };
  /** Receiving-server role for the peer's own db:result: dial back its authoritative server. */
  const checkResult = async (
    req: { from: string; to: string; streamId: string; key: string },
    rec: ResultReceivedFacts,
  ): Promise<ResultVerdict> => {
    if (++reverseCount > MAX_REVERSE_VERIFICATIONS)
      return { answer: 'error', condition: 'resource-constraint' };
    const resolution = await resolutionOf(req.from);
    const r = await verifyWith(
      'reverse-verify',
      resolution,
      { from: opts.our, to: req.from, id: req.streamId, key: req.key },
      env,
      `reverse-verify ${req.from}`,
      false,
    );
    rec.verification = r.answer ? { outbound: r.outbound, answer: r.answer } : { outbound: r.outbound };
    const a = r.answer;
    // The peer's own authoritative server rejected the peer's own key: its nodes do not share
    // the dialback secret. Known now; its answer is sent first, then the waits end.
    if (a?.outcome === 'invalid' && sameDomain(req.from, peer))
      setImmediate(() => stopEarly('peer-key-rejected'));
    if (!a) {
      // XEP-0220 §2.5: DNS found nothing vs. no connection to the authoritative server.
      const reached = r.outbound.attempts.some((x) => x.connect.ok);
      return {
        answer: 'error',
        condition:
          resolution.targets.length === 0
            ? 'remote-server-not-found'
            : reached
              ? 'remote-server-timeout'
              : 'remote-connection-failed',
      };
    }
    if (a.outcome === 'valid' || a.outcome === 'invalid') return { answer: a.outcome };
    // XEP-0220 §2.5: any error while verifying is reported to the initiator as remote-server-not-found,
    // a verifying server that hangs up or stays silent as remote-server-timeout.
    return {
      answer: 'error',
      condition: a.outcome === 'error' ? 'remote-server-not-found' : 'remote-server-timeout',
    };
  };
  const listener = new AuthoritativeListener({
    our: opts.our,
    peer,
    ...(opts.requestClientCert ? { requestClientCert: true } : {}),
    onStop: (why) => stopEarly(why.reason),
    secret: opts.secret,
    host: opts.listen.host,
    port: opts.listen.port,
    ...(opts.serverTls ? { tls: { cert: opts.serverTls.cert, key: opts.serverTls.key } } : {}),
    timeoutMs: env.timeoutMs,
    idleMs: opts.resultTimeoutMs + env.timeoutMs,
    // Never longer than the callback timeout: a silent callback must count before the run gives up.
    silentAfterTlsMs: Math.min(SILENT_AFTER_TLS_MS, opts.resultTimeoutMs),
    transcript: ctx.transcript,
    clock: env.clock,
    checkResult,
    ourStreamIds: () => (originStreamId ? [originStreamId] : []),
    onStanza: (el) => {
      origin?.offer(el);
    },
  });
  facts.listener = await listener.start();
  if (!facts.listener.ok) {
    facts.listener.root = process.getuid?.() === 0;
    if (facts.listener.code === 'EADDRINUSE') {
      const holder = await portHolder(opts.listen.port);
      if (holder) facts.listener.holder = holder;
    }
  }
  if (opts.serverTls?.subject) listener.facts.certSubject = opts.serverTls.subject;
  facts.sessions = listener.sessions;
  if (!facts.listener.ok) return facts;
  const bound = listener.address;
  facts.callbackTarget = { host: opts.listen.host, port: bound?.port ?? opts.listen.port };
  try {
    // Our own domain as seen from here: evidence for "the callback went elsewhere".
    const ourDns = resolutionOf(opts.our);
    const dnsAt = env.clock();
    const resolution = await resolutionOf(peer);
    facts.steps.push({
      step: 'dns',
      ok: resolution.targets.length > 0,
      atMs: dnsAt,
      durationMs: env.clock() - dnsAt,
    });
    const out = await openOutbound('originating', peer, opts.our, resolution, env, 'originating');
    facts.originating = out.facts;
    facts.steps.push(...connectionSteps(out.facts));
    if (out.conn && out.facts.ready && out.facts.dialbackOffered && out.facts.streamId) {
      originStreamId = out.facts.streamId;
      // From here the originating stream is closed politely by origin.close(), not dropped.
      env.live.delete(out.conn);
      origin = new OriginatingStream(
        out.conn,
        opts.our,
        peer,
        opts.resultTimeoutMs + env.timeoutMs,
        env.clock,
      );
      if (facts.stoppedEarly) origin.stop();
      const key = xep0185Key(opts.secret, {
        receiving: peer,
        originating: opts.our,
        streamId: out.facts.streamId,
      });
      const sentAtMs = env.clock();
      facts.resultSent = { streamId: out.facts.streamId, atMs: sentAtMs };
      ctx.transcript.note(
        `[originating] db:result sent; waiting up to ${opts.resultTimeoutMs} ms for the answer (the peer calls back meanwhile)`,
      );
      const d = await origin.sendResult(key, opts.resultTimeoutMs);
      facts.result = answerFacts({ answer: d, sentAtMs, nowMs: env.clock(), ignored: origin.ignored });
      if (facts.result.outcome === 'valid') {
        const pingAt = env.clock();
        const p = origin.ping(opts.resultTimeoutMs);
        const reply = await p.reply;
        facts.ping = pingFacts(p.id, pingAt, reply, env.clock());
      }
    } else if (out.conn) {
      await closeOutbound(out.conn, env);
    }
    const ourResolution = await ourDns;
    if (ourResolution.srv) facts.ourDns = ourResolution.srv;
  } finally {
    env.aborted = true;
    // Both sides close at once: our originating stream and the listener's sessions.
    const waitMs = Math.min(CLOSE_WAIT_MS, env.timeoutMs);
    for (const c of env.live) c.destroy();
    await Promise.all([origin?.close(waitMs), listener.close(waitMs)]);
    facts.listener = listener.facts;
  }
  facts.steps.push(...handshakeSteps(facts));
  return facts;
}

function pingFacts(id: string, sentAtMs: number, d: Delivery, nowMs: number): PingFacts {
  const p: PingFacts = { id, sentAtMs, outcome: 'timeout', atMs: nowMs, durationMs: nowMs - sentAtMs };
  if (d.kind === 'answer') {
    p.via = d.via;
    p.outcome = d.el.attrs.type === 'error' ? 'error' : 'result';
    if (p.outcome === 'error') {
      const a = parseDialbackAnswer(d.el);
      p.condition = a.condition ?? 'undefined-condition';
      if (a.errorType) p.errorType = a.errorType;
    }
    return p;
  }
  if (d.kind === 'stopped') p.outcome = 'stopped';
  else if (d.event.kind !== 'timeout') p.outcome = 'closed';
  return p;
}

/** Timings of the dialback part, relative to the db:result. */
function handshakeSteps(f: DialbackFacts): StepTiming[] {
  const sent = f.resultSent;
  if (!sent) return [];
  const steps: StepTiming[] = [{ step: 'result-sent', ok: true, atMs: sent.atMs, durationMs: 0 }];
  const after = f.sessions.filter((s) => s.acceptedAtMs >= sent.atMs - 1);
  const first = after[0];
  if (first)
    steps.push({
      step: 'callback',
      ok: true,
      atMs: first.acceptedAtMs,
      durationMs: first.acceptedAtMs - sent.atMs,
      detail: first.remote,
    });
  else
    steps.push({
      step: 'callback',
      ok: false,
      atMs: sent.atMs,
      durationMs: (f.result?.atMs ?? sent.atMs) - sent.atMs,
      detail: 'none',
    });
  const verify = after.flatMap((s) => s.verifies).find((v) => v.idIsOurStream);
  if (verify)
    steps.push({
      step: 'verify-answered',
      ok: verify.answer === 'valid',
      atMs: verify.atMs,
      durationMs: verify.atMs - sent.atMs,
      detail: verify.answer,
    });
  if (f.result)
    steps.push({
      step: 'result',
      ok: f.result.outcome === 'valid',
      atMs: sent.atMs,
      durationMs: f.result.durationMs,
      detail: f.result.outcome,
    });
  if (f.ping)
    steps.push({
      step: 'ping',
      ok: f.ping.outcome === 'result' || f.ping.outcome === 'error',
      atMs: f.ping.sentAtMs,
      durationMs: f.ping.durationMs,
      detail: f.ping.outcome,
    });
  return steps;
}

// ---------------------------------------------------------------------------------------
// xfed dialback key

export interface DialbackKeyInput {
  receiving: string;
  originating: string;
  streamId: string;
  secret: string;
  observed?: string;
}

/** `xfed dialback key`: offline, no traffic. The secret is used, never recorded. */
export function computeDialbackKey(i: DialbackKeyInput): DialbackKeyFacts {
  const triple = { receiving: i.receiving, originating: i.originating, streamId: i.streamId };
  const facts: DialbackKeyFacts = {
    ...triple,
    computed: candidateKeys(i.secret, triple),
    secretLength: i.secret.length,
  };
  if (i.observed !== undefined) {
    facts.observed = normaliseKey(i.observed);
    facts.observedLength = facts.observed.length;
    facts.match = matchKey(i.observed, i.secret, triple);
  }
  return facts;
}

// ---------------------------------------------------------------------------------------
// Human report: verdict-free lines about the facts

function stepLines(steps: readonly StepTiming[], tlsTrouble: boolean): string[] {
  return steps.map((s) => {
    // The handshake completing is not a healthy TLS step when the report has TLS or
    // certificate errors (a certificate that expired, a name mismatch, an old version).
    const ok = s.ok && !(s.step === 'tls' && tlsTrouble);
    const at =
      s.step === 'callback' || s.step === 'verify-answered'
        ? `+${s.durationMs} ms after db:result`
        : `${s.durationMs} ms`;
    return `${ok ? '✓' : '✗'} ${s.step.padEnd(16)}${at}${s.detail ? `  (${s.detail})` : ''}`;
  });
}

/** Human report lines for `xfed dialback` and `xfed dialback verify`: who, where, and each step's timing. */
export function describeDialback(r: Report): string[] {
  const f = r.facts as Partial<DialbackFacts & DialbackVerifyFacts>;
  const lines: string[] = [];
  if (f.listener) {
    const l = f.listener;
    lines.push(
      `as ${f.our}, listener ${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}${l.tls ? ` with STARTTLS (${l.certSubject ?? 'certificate'})` : ' without STARTTLS'}`,
    );
  } else if (f.our) {
    lines.push(`as ${f.our}, no listener (db:verify with a random key)`);
  }
  if (f.targets) {
    lines.push(`asked ${f.targets.length} addresses (every target, in parallel):`);
    for (const t of f.targets) {
      const a = t.outbound.attempts[t.outbound.attempts.length - 1];
      const state = t.answer
        ? `answered ${t.answer.outcome}`
        : a && !a.connect.ok
          ? `connect ${a.connect.reason ?? 'failed'}`
          : 'no dialback stream';
      lines.push(`  ${t.endpoint} [${t.ip}]: ${state}`);
    }
  }
  const tlsTrouble = r.findings.some(
    (x) => x.severity === 'error' && (x.id.startsWith('tls.') || x.id.startsWith('cert.')),
  );
  return [...lines, ...stepLines(f.steps ?? [], tlsTrouble)];
}

/** Human report lines for `xfed dialback key`. */
export function describeDialbackKey(r: Report): string[] {
  const f = r.facts as Partial<DialbackKeyFacts>;
  const lines = [`receiving ${f.receiving}, originating ${f.originating}, stream id ${f.streamId}`];
  if (f.computed) lines.push(`XEP-0185 key  ${f.computed.xep0185}`, `jabberd key   ${f.computed.jabberd}`);
  if (f.observed !== undefined) lines.push(`observed key  ${f.observed} (${f.observedLength} characters)`);
  return lines;
}
