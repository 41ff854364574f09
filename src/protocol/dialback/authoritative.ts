/**
 * The listener xfed runs for our domain during `xfed dialback`: the authoritative server of
 * XEP-0220 §2.2 (answers db:verify by recomputing the XEP-0185 key) and, because Prosody
 * authenticates its own route to us before it sends db:verify (and every server does so
 * before it delivers replies), also a receiving server for the peer's db:result
 * (XEP-0220 §2.1). Each connection: stream header answered with a fresh id, STARTTLS offered
 * as required (RFC 6120 §5.3.1) when a certificate is configured, stream restart with a new id
 * (§5.4.3.3), then dialback elements and stanzas until the peer or the run closes the stream.
 *
 * How the peer's own db:result is checked is injected (`checkResult`): gather/dialback.ts
 * dials back to the sender's authoritative server with db:verify, exactly as a receiving
 * server does, rather than trusting the peer's TLS client certificate (XEP-0344 §3 would
 * allow that, but it only works when the peer's certificate chains to our trust anchors,
 * which is the very thing dialback exists to avoid).
 *
 * Records what happened as InboundSessionFacts, verdict-free. Bounded: connections (at once
 * and per run), elements per session, recorded stanzas and the XML buffered per element are
 * all capped.
 */
import { timingSafeEqual } from 'node:crypto';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import type {
  ClientCertFacts,
  InboundSessionFacts,
  ListenerFacts,
  ResultReceivedFacts,
  StanzaReceivedFacts,
  VerifyAnsweredFacts,
} from '../../facts/dialback.js';
import type { Transcript } from '../../transcript/recorder.js';
import { headerInfo, streamHeader, XmppConnection } from '../xmpp/connection.js';
import {
  isStreamError,
  NS_DIALBACK,
  NS_FEATURE_DIALBACK,
  NS_SERVER,
  NS_STANZAS,
  NS_STREAMS_ERR,
  NS_TLS,
  parseStreamError,
} from '../xmpp/features.js';
import { escapeXml, type XmlElement } from '../xmpp/xml.js';
import { randomToken, xep0185Key } from './keys.js';
import { LabelledTranscript } from './labelled-transcript.js';
import { domainOfJid, sameDomain } from './names.js';

/** What we answer to a db:result the peer sent us. */
export interface ResultVerdict {
  answer: 'valid' | 'invalid' | 'error';
  /** Stanza error condition for 'error' (XEP-0220 §2.5), e.g. remote-server-not-found. */
  condition?: string;
}

/** Why the listener asks the run to stop waiting: the outcome is already known. */
export type ListenerStop =
  /** Callbacks closed right after the TLS handshake without sending a byte (a looping peer). */
  | { reason: 'closed-after-tls'; count: number }
  /** The peer asked for STARTTLS on the callback, and the listener has no certificate. */
  | { reason: 'starttls-unavailable'; remote: string };

export interface ListenerOptions {
  /** Our domain (A-label): the only `to` we serve. */
  our: string;
  /** The peer under test: db:verify requests from other domains are recorded as third-party. */
  peer?: string;
  /** The dialback secret of this run; keys are XEP-0185 keys under it. */
  secret: string;
  host: string;
  port: number;
  /** Server certificate chain and key (PEM); without them STARTTLS is not offered. */
  tls?: { cert: string; key: string };
  /**
   * Ask the peer for a TLS client certificate during the callback's handshake (recorded, never
   * required). Off by default: jabberd2 2.7 completes such a handshake, then drops the callback
   * and reconnects in a tight loop.
   */
  requestClientCert?: boolean;
  /** Called once when the listener knows the outcome and the run should stop waiting. */
  onStop?(stop: ListenerStop): void;
  /** Callbacks closed (or silent) right after TLS with nothing sent before the listener asks to stop (default 3). */
  maxSilentAfterTls?: number;
  /**
   * How long a callback that completed TLS may stay silent before its restarted stream header
   * (default SILENT_AFTER_TLS_MS, never more than `timeoutMs`). Past it, the listener closes the
   * connection and counts it as closed right after TLS.
   */
  silentAfterTlsMs?: number;
  /** Deadline for the stream header and the TLS handshake of each connection. */
  timeoutMs: number;
  /** How long an established stream may stay silent before we close it. */
  idleMs: number;
  transcript: Transcript;
  /** Milliseconds since the run started. */
  clock(): number;
  /** Decides the answer to the peer's db:result (receiving-server role). Must not throw. */
  checkResult(
    req: { from: string; to: string; streamId: string; key: string },
    rec: ResultReceivedFacts,
  ): Promise<ResultVerdict>;
  /** Stream ids of our own originating streams, so a db:verify can be matched to one of them. */
  ourStreamIds(): readonly string[];
  /** Called for each stanza on a listener stream (e.g. the reply to our ping). */
  onStanza?(el: XmlElement, rec: StanzaReceivedFacts): void;
  /** Called whenever the recorded facts change (wakes whoever waits for a callback). */
  onChange?(): void;
  /** Simultaneous connections accepted (default 16); more are closed at once. */
  maxConnections?: number;
  /**
   * Connections accepted over the whole run (default 24; a handshake needs two or three); later
   * ones are closed at once, so a peer that reconnects in a loop cannot grow the facts or be
   * kept looping by us.
   */
  maxSessions?: number;
  /** Elements accepted per connection (default 200) before we close it with policy-violation. */
  maxElements?: number;
}

const MAX_STANZA_BYTES = 64 * 1024;
/** Connections accepted per run by default (a handshake needs two or three). */
export const DEFAULT_MAX_SESSIONS = 24;
const MAX_RECORDED = 50;
/**
 * The restarted stream header follows the TLS handshake at once (RFC 6120 §5.4.3.3: the
 * initiating entity MUST open a new stream; every server writes it in the same turn as its
 * handshake's last flight), so waiting for it one round trip plus scheduling is enough; 2 s
 * covers slow links many times over and keeps three silent callbacks (the stop threshold, when
 * the peer calls back one at a time) well inside a 20 s callback timeout. jabberd2 2.7 asked
 * for a client certificate sometimes completes the handshake and then says nothing, without
 * closing, while it reconnects.
 */
export const SILENT_AFTER_TLS_MS = 2000;

function errorChild(condition: string): string {
  return `<error type='cancel'><${condition} xmlns='${NS_STANZAS}'/></error>`;
}

export class AuthoritativeListener {
  readonly sessions: InboundSessionFacts[] = [];
  readonly facts: ListenerFacts;
  private server: net.Server | undefined;
  private readonly live = new Set<XmppConnection>();
  /** One task per connection. */
  private readonly running = new Set<Promise<void>>();
  /** Checks of the peer's own keys in progress (each bounded by its own deadlines). */
  private readonly checks = new Set<Promise<void>>();
  private closing = false;
  /** Set once onStop was called: later connections are refused, as when closing. */
  private stopped = false;
  /** Sessions that ended (or went silent) right after TLS without the peer sending anything. */
  private silentAfterTls = 0;
  /** An exception from our own code inside a background task: a bug, re-thrown by close(). */
  private bug: unknown;

  constructor(private readonly o: ListenerOptions) {
    this.facts = {
      host: o.host,
      port: o.port,
      ok: false,
      tls: o.tls !== undefined,
      refusedConnections: 0,
      maxSessions: o.maxSessions ?? DEFAULT_MAX_SESSIONS,
    };
    if (o.requestClientCert) this.facts.requestClientCert = true;
  }

  /** The address actually bound (port 0 picks a free one, for tests). */
  get address(): { host: string; port: number } | undefined {
    const a = this.server?.address();
    return a && typeof a === 'object' ? { host: a.address, port: a.port } : undefined;
  }

  /** Binds the listener; a bind failure is recorded in `facts`, never thrown. */
  async start(): Promise<ListenerFacts> {
    const server = net.createServer((sock) => this.accept(sock));
    const res = await new Promise<{ ok: true } | { ok: false; code?: string; message: string }>((resolve) => {
      server.once('error', (e: NodeJS.ErrnoException) =>
        resolve({ ok: false, code: e.code, message: e.message }),
      );
      server.listen({ host: this.o.host, port: this.o.port, exclusive: true }, () => resolve({ ok: true }));
    });
    if (!res.ok) {
      this.facts.ok = false;
      if (res.code) this.facts.code = res.code;
      this.facts.message = res.message;
      this.o.transcript.note(
        `listener: cannot listen on ${this.o.host}:${this.o.port} (${res.code ?? res.message})`,
      );
      return this.facts;
    }
    server.on('error', () => {});
    this.server = server;
    this.facts.ok = true;
    const bound = this.address;
    if (bound && this.o.port === 0) this.facts.port = bound.port;
    this.o.transcript.note(
      `listener: authoritative server for ${this.o.our} on ${this.o.host}:${this.facts.port}${this.o.tls ? ' (STARTTLS required)' : ' (no certificate: STARTTLS not offered)'}`,
    );
    return this.facts;
  }

  private accept(sock: net.Socket): void {
    sock.on('error', () => {});
    if (
      this.closing ||
      this.stopped ||
      this.live.size >= (this.o.maxConnections ?? 16) ||
      this.sessions.length >= (this.o.maxSessions ?? DEFAULT_MAX_SESSIONS)
    ) {
      this.facts.refusedConnections++;
      sock.destroy();
      return;
    }
    // Our stream header and features go out as separate small writes; with Nagle the second
    // waits for the peer's delayed ACK (about 40 ms on Linux) on every stream (re)start.
    sock.setNoDelay(true);
    const s: InboundSessionFacts = {
      index: this.sessions.length + 1,
      remote: `${sock.remoteAddress}:${sock.remotePort}`,
      acceptedAtMs: this.o.clock(),
      streams: [],
      verifies: [],
      results: [],
      stanzas: [],
      ignored: [],
    };
    this.sessions.push(s);
    const transcript = new LabelledTranscript(this.o.transcript, `listener#${s.index}`);
    transcript.note(`connection from ${s.remote}`);
    const conn = new XmppConnection(sock, { transcript, maxStanzaBytes: MAX_STANZA_BYTES, label: s.remote });
    this.live.add(conn);
    this.changed();
    const task = this.serve(conn, s, transcript)
      .catch((e: unknown) => {
        this.bug ??= e;
      })
      .finally(() => {
        this.live.delete(conn);
        conn.destroy();
        this.running.delete(task);
        this.afterSession(s);
        this.changed();
      });
    this.running.add(task);
  }

  private changed(): void {
    this.o.onChange?.();
  }

  private stop(why: ListenerStop): void {
    if (this.stopped || this.closing) return;
    this.stopped = true;
    this.facts.stopped = { ...why, atMs: this.o.clock() };
    this.o.transcript.note(
      why.reason === 'closed-after-tls'
        ? `listener: ${why.count} callbacks closed or went silent right after TLS without sending anything; stopping early`
        : `listener: ${why.remote} asked for STARTTLS, which this listener cannot offer (no --cert/--key); stopping early`,
    );
    this.o.onStop?.(why);
  }

  /**
   * A session that got through STARTTLS and ended (EOF, close, or a TLS handshake the peer cut
   * off without an alert) before the peer sent any dialback element or stanza: counted; enough
   * of them in a run means the peer loops, so we stop. (jabberd2 2.7 asked for a client
   * certificate restarts the stream, then closes, or stays silent without closing, which the
   * listener ends after silentAfterTlsMs and counts the same; a faster peer drops during the
   * handshake.)
   */
  private afterSession(s: InboundSessionFacts): void {
    if (this.closing) return;
    if (!this.o.tls) {
      // No certificate: a peer that requires TLS closes the callback (ejabberd) instead of
      // asking for STARTTLS (Prosody, handled where it asks). Either way it will not get further.
      const ended = s.end?.how === 'eof' || s.end?.how === 'peer-closed' || s.end?.how === 'stream-error';
      if (ended && !s.starttlsRefused && s.streams.length > 0 && silentSession(s)) {
        s.closedWithoutTls = true;
        this.stop({ reason: 'starttls-unavailable', remote: s.remote });
      }
      return;
    }
    if (!s.tls) return;
    // Silent after the handshake: TLS done, no restarted stream header, closed by us (serve()).
    const silentAfterHandshake = s.end?.how === 'idle' && s.streams.every((x) => !x.encrypted);
    const cut = s.tls.ok
      ? s.end?.how === 'eof' || s.end?.how === 'peer-closed' || silentAfterHandshake
      : !s.tls.alert && (s.tls.reason === 'closed' || s.tls.reason === 'reset');
    if (!cut || !silentSession(s)) return;
    s.closedAfterTls = true;
    this.silentAfterTls++;
    this.facts.closedAfterTls = this.silentAfterTls;
    if (this.silentAfterTls >= (this.o.maxSilentAfterTls ?? 3)) {
      this.stop({ reason: 'closed-after-tls', count: this.silentAfterTls });
      return;
    }
    // We asked for a client certificate: jabberd2 2.7 then either loops (the count above) or
    // drops the callback and does not call back again for longer than the callback timeout.
    // Nothing else coming within the silence bound after the drop: the outcome is known.
    if (this.o.requestClientCert) {
      const seen = this.sessions.length;
      const t = setTimeout(() => {
        if (this.closing || this.stopped || this.live.size > 0 || this.sessions.length !== seen) return;
        this.stop({ reason: 'closed-after-tls', count: this.silentAfterTls });
      }, this.silentMs());
      t.unref();
    }
  }

  private silentMs(): number {
    return Math.min(this.o.silentAfterTlsMs ?? SILENT_AFTER_TLS_MS, this.o.timeoutMs);
  }

  private end(s: InboundSessionFacts, how: NonNullable<InboundSessionFacts['end']>['how']): void {
    s.end ??= { how: this.closing && how === 'eof' ? 'by-us' : how, atMs: this.o.clock() };
  }

  private streamError(conn: XmppConnection, s: InboundSessionFacts, condition: string, text?: string): void {
    s.streamErrorSent = text ? { condition, text } : { condition };
    const t = text ? `<text xmlns='${NS_STREAMS_ERR}'>${escapeXml(text)}</text>` : '';
    conn.send(`<stream:error><${condition} xmlns='${NS_STREAMS_ERR}'/>${t}</stream:error></stream:stream>`);
    this.end(s, 'stream-error');
  }

  /** Input that is not acceptable XML ends the stream with the matching condition (RFC 6120 §4.9.3, §11). */
  private parseFailure(
    conn: XmppConnection,
    s: InboundSessionFacts,
    ev: { code: string; message: string },
  ): void {
    s.parseError = { code: ev.code, message: ev.message };
    const condition =
      ev.code === 'limit'
        ? 'policy-violation'
        : ev.code === 'restricted-xml'
          ? 'restricted-xml'
          : 'not-well-formed';
    s.end = { how: 'parse-error', atMs: this.o.clock() };
    this.streamError(conn, s, condition);
  }

  /** One connection, from the first header to the end. Returns when the connection is done. */
  private async serve(conn: XmppConnection, s: InboundSessionFacts, transcript: Transcript): Promise<void> {
    const o = this.o;
    let encrypted = false;
    const authenticated = new Set<string>();
    let pending = 0;
    let elements = 0;
    const silentMs = this.silentMs();
    for (;;) {
      // A stream (re)opens: the first one, or the one after TLS (RFC 6120 §5.4.3.3), which
      // follows the handshake at once: a peer silent that long has given up on the callback.
      const first = await conn.read(encrypted ? silentMs : o.timeoutMs, 'callback stream header');
      if (first.kind !== 'header') {
        if (first.kind === 'timeout' && encrypted) {
          transcript.note(`no stream header ${silentMs} ms after TLS; closing`);
          this.end(s, 'idle');
          return;
        }
        if (first.kind === 'error') {
          // RFC 6120 §4.9.1.2: an error before our header still needs a header to carry it.
          conn.send(streamHeader({ from: o.our, id: randomToken(12) }));
          this.parseFailure(conn, s, first);
          return;
        }
        this.end(s, first.kind === 'timeout' ? 'idle' : first.kind === 'close' ? 'peer-closed' : 'eof');
        return;
      }
      const h = headerInfo(first.el);
      const idSent = randomToken(12);
      s.streams.push({
        ...(h.from !== undefined ? { from: h.from } : {}),
        ...(h.to !== undefined ? { to: h.to } : {}),
        ...(h.version !== undefined ? { version: h.version } : {}),
        idSent,
        encrypted,
        atMs: o.clock(),
      });
      this.changed();
      const v1 = h.version?.startsWith('1.') === true;
      conn.send(
        streamHeader({
          from: o.our,
          ...(h.from ? { to: h.from } : {}),
          id: idSent,
          ...(v1 ? {} : { version: '0.9' }),
        }),
      );
      if (h.contentNs !== NS_SERVER) {
        this.streamError(
          conn,
          s,
          'invalid-namespace',
          `expected the jabber:server namespace, got ${h.contentNs ?? 'none'}`,
        );
        return;
      }
      // RFC 6120 §4.7.2: a `to` we do not serve is host-unknown.
      if (h.to !== undefined && !sameDomain(h.to, o.our)) {
        this.streamError(conn, s, 'host-unknown', `this listener serves only ${o.our}`);
        return;
      }
      if (v1) {
        const f: string[] = [];
        if (o.tls && !encrypted) f.push(`<starttls xmlns='${NS_TLS}'><required/></starttls>`);
        f.push(`<dialback xmlns='${NS_FEATURE_DIALBACK}'><errors/></dialback>`);
        conn.send(`<stream:features>${f.join('')}</stream:features>`);
      }
      // Elements on this stream until it restarts (TLS) or ends.
      let restart = false;
      while (!restart) {
        const ev = await conn.read(o.idleMs, 'callback stream');
        if (ev.kind === 'timeout') {
          // Still busy verifying the peer's own key: the peer is waiting for us, not idle.
          if (pending > 0 && !this.closing) continue;
          // We are already closing (</stream:stream> sent): the peer ignoring it is our close
          // running its course, not idleness, and nothing may follow our stream close.
          if (this.closing) {
            this.end(s, 'by-us');
            return;
          }
          // Record why first: streamError would otherwise record the end as 'stream-error'.
          this.end(s, 'idle');
          this.streamError(conn, s, 'connection-timeout');
          return;
        }
        if (ev.kind === 'eof' || ev.kind === 'socket-error') {
          this.end(s, 'eof');
          return;
        }
        if (ev.kind === 'close') {
          conn.send('</stream:stream>');
          this.end(s, 'peer-closed');
          return;
        }
        if (ev.kind === 'error') {
          this.parseFailure(conn, s, ev);
          return;
        }
        if (ev.kind === 'header') {
          this.streamError(conn, s, 'not-well-formed', 'a second stream header without a restart');
          return;
        }
        const el = ev.el;
        if (++elements > (o.maxElements ?? 200)) {
          this.streamError(conn, s, 'policy-violation', 'too many elements on one dialback stream');
          return;
        }
        if (isStreamError(el)) {
          const e = parseStreamError(el);
          s.streamErrorReceived = e.text
            ? { condition: e.condition, text: e.text }
            : { condition: e.condition };
          this.end(s, 'stream-error');
          return;
        }
        if (el.ns === NS_TLS && el.local === 'starttls') {
          if (!o.tls || encrypted) {
            s.starttlsRefused = true;
            conn.send(`<failure xmlns='${NS_TLS}'/></stream:stream>`);
            this.end(s, 'tls-failed');
            // Without a certificate the peer will not get further: no reason to wait for it.
            if (!o.tls) this.stop({ reason: 'starttls-unavailable', remote: s.remote });
            return;
          }
          conn.send(`<proceed xmlns='${NS_TLS}'/>`);
          const atMs = o.clock();
          // A client certificate is asked for only with requestClientCert (--request-client-cert):
          // then it is recorded (facts only), never required nor used to authenticate (see the
          // file comment). Asking costs interop: jabberd2 2.7 drops such a callback after TLS.
          const requestCert = o.requestClientCert === true;
          const r = await conn.upgradeServer(
            { cert: o.tls.cert, key: o.tls.key, requestCert, rejectUnauthorized: false },
            o.timeoutMs,
          );
          if (!r.ok) {
            s.tls = { ok: false, reason: r.reason, message: r.message, atMs, durationMs: r.durationMs };
            if (r.alert) s.tls.alert = r.alert;
            if (r.code) s.tls.code = r.code;
            transcript.note(`TLS handshake failed: ${r.alert ?? r.code ?? r.reason} (${r.message})`);
            this.end(s, 'tls-failed');
            this.changed();
            return;
          }
          s.tls = { ok: true, atMs, durationMs: r.durationMs };
          if (r.protocol) s.tls.protocol = r.protocol;
          if (r.cipher) s.tls.cipher = r.cipher;
          const cc = clientCertSummary(r.socket);
          if (cc) s.tls.clientCert = cc;
          transcript.note(`TLS established (${r.protocol ?? '?'}, ${r.cipher ?? '?'})`);
          encrypted = true;
          restart = true;
          this.changed();
          continue;
        }
        if (el.ns === NS_DIALBACK && el.local === 'verify') {
          if (!this.answerVerify(conn, s, el)) return;
          this.changed();
          continue;
        }
        if (el.ns === NS_DIALBACK && el.local === 'result') {
          const started = this.receiveResult(conn, s, el, idSent, authenticated, () => {
            pending--;
          });
          if (started === 'fatal') return;
          if (started === 'pending') pending++;
          this.changed();
          continue;
        }
        if (el.ns === NS_SERVER && (el.local === 'iq' || el.local === 'message' || el.local === 'presence')) {
          const rec: StanzaReceivedFacts = {
            name: el.local,
            authenticated: authenticated.has(domainOfJid(el.attrs.from) ?? ''),
            atMs: o.clock(),
          };
          for (const k of ['type', 'id', 'from', 'to'] as const)
            if (el.attrs[k] !== undefined) rec[k] = el.attrs[k];
          if (s.stanzas.length < MAX_RECORDED) s.stanzas.push(rec);
          o.onStanza?.(el, rec);
          this.changed();
          continue;
        }
        if (s.ignored.length < MAX_RECORDED) s.ignored.push(`{${el.ns}}${el.local}`);
      }
      // The restart after TLS: upgradeServer already started a fresh parser on the TLS socket
      // (RFC 6120 §5.4.3.3), so the next read is the peer's new stream header.
    }
  }

  /**
   * XEP-0220 §2.1.3/§2.2.3: recompute the key for (from = receiving, to = originating, id)
   * and answer valid or invalid, with no key text. Returns false when the stream was closed.
   */
  private answerVerify(conn: XmppConnection, s: InboundSessionFacts, el: XmlElement): boolean {
    const { from, to, id, type } = el.attrs;
    if (type !== undefined) {
      // A typed db:verify on an inbound stream is not a request (XEP-0220 §2.1.3; Prosody ignores it too).
      if (s.ignored.length < MAX_RECORDED) s.ignored.push(`db:verify type=${type}`);
      return true;
    }
    if (!from || !to || !id) {
      this.streamError(conn, s, 'improper-addressing', 'db:verify needs from, to and id');
      return false;
    }
    // Strict: the key exactly as we issued it (no trimming, no case folding), so a forged
    // variant is never "valid"; the key itself is not recorded.
    const key = el.text;
    const ours = sameDomain(to, this.o.our);
    const rec: VerifyAnsweredFacts = {
      from,
      to,
      id,
      keyMatches: false,
      keyLength: key.length,
      idIsOurStream: this.o.ourStreamIds().includes(id),
      answer: 'invalid',
      atMs: this.o.clock(),
    };
    // Requests that are not the peer's (another `from`, or a `to` we do not serve) are evidence
    // of someone else talking to the listener, never facts about the peer's callback.
    const thirdParty = !ours || (this.o.peer !== undefined && !sameDomain(from, this.o.peer));
    const record = (r: VerifyAnsweredFacts) => {
      if (thirdParty && !s.thirdParty) s.thirdParty = [];
      const list = thirdParty && s.thirdParty ? s.thirdParty : s.verifies;
      if (list.length < MAX_RECORDED) list.push(r);
    };
    if (!ours) {
      // XEP-0220 §2.5: not authoritative for that domain. We answer only as our own domain.
      record({ ...rec, answer: 'error', condition: 'item-not-found' });
      conn.send(
        `<db:verify from='${escapeXml(this.o.our)}' to='${escapeXml(from)}' id='${escapeXml(id)}' type='error'>${errorChild('item-not-found')}</db:verify>`,
      );
      return true;
    }
    const expected = xep0185Key(this.o.secret, {
      receiving: from.toLowerCase(),
      originating: this.o.our,
      streamId: id,
    });
    rec.keyMatches = key.length > 0 && exactEqual(key, expected);
    rec.answer = rec.keyMatches ? 'valid' : 'invalid';
    record(rec);
    conn.send(
      `<db:verify from='${escapeXml(this.o.our)}' to='${escapeXml(from)}' id='${escapeXml(id)}' type='${rec.answer}'/>`,
    );
    return true;
  }

  /**
   * The peer's own db:result (XEP-0220 §2.1.1): checked through `checkResult`, answered when
   * that returns. Returns 'pending' while a check runs, 'done' when answered at once, 'fatal'
   * when the stream was closed.
   */
  private receiveResult(
    conn: XmppConnection,
    s: InboundSessionFacts,
    el: XmlElement,
    streamId: string,
    authenticated: Set<string>,
    done: () => void,
  ): 'pending' | 'done' | 'fatal' {
    const { from, to, type } = el.attrs;
    if (type !== undefined) {
      if (s.ignored.length < MAX_RECORDED) s.ignored.push(`db:result type=${type}`);
      return 'done';
    }
    if (!from || !to) {
      this.streamError(conn, s, 'improper-addressing', 'db:result needs from and to');
      return 'fatal';
    }
    const key = el.text.trim();
    const rec: ResultReceivedFacts = { from, to, streamId, keyLength: key.length, atMs: this.o.clock() };
    if (s.results.length < MAX_RECORDED) s.results.push(rec);
    const send = (v: ResultVerdict) => {
      rec.answer = v.answer;
      if (v.condition) rec.condition = v.condition;
      rec.answeredAtMs = this.o.clock();
      const inner = v.answer === 'error' ? errorChild(v.condition ?? 'remote-server-not-found') : '';
      conn.send(
        `<db:result from='${escapeXml(to)}' to='${escapeXml(from)}' type='${v.answer}'${inner ? `>${inner}</db:result>` : '/>'}`,
      );
    };
    if (!sameDomain(to, this.o.our)) {
      send({ answer: 'error', condition: 'item-not-found' });
      return 'done';
    }
    if (key.length === 0) {
      send({ answer: 'invalid' });
      return 'done';
    }
    const task = this.o
      .checkResult({ from: from.toLowerCase(), to: this.o.our, streamId, key }, rec)
      .then((v) => {
        if (v.answer === 'valid') authenticated.add(domainOfJid(from) ?? from);
        send(v);
      })
      .catch((e: unknown) => {
        this.bug ??= e;
      })
      .finally(() => {
        done();
        this.checks.delete(task);
        this.changed();
      });
    this.checks.add(task);
    return 'pending';
  }

  /**
   * Ends every session politely (</stream:stream>, then a short wait for the peer's), stops
   * listening, and re-throws a bug met in a background task. Checks of the peer's keys still
   * running are not waited for: the caller aborts their connections, and their answers go
   * nowhere once the sessions are closed.
   */
  async close(waitMs = 1000): Promise<void> {
    this.closing = true;
    for (const c of this.live) c.send('</stream:stream>');
    const deadline = Date.now() + waitMs;
    if (this.running.size > 0) {
      // The timer is cleared as soon as the sessions end, so it cannot keep the process alive.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...this.running]),
        new Promise((r) => (timer = setTimeout(r, Math.max(1, deadline - Date.now())))),
      ]);
      clearTimeout(timer);
    }
    for (const c of this.live) c.destroy();
    for (const s of this.sessions) if (!s.end) s.end = { how: 'by-us', atMs: this.o.clock() };
    await Promise.allSettled([...this.running]);
    const server = this.server;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    if (this.bug) throw this.bug;
  }
}

/** Subject, issuer and DNS names of the peer's client certificate, with OpenSSL's chain verdict. */
function clientCertSummary(socket: TLSSocket): ClientCertFacts | undefined {
  const c = socket.getPeerCertificate(false) as {
    subject?: Record<string, string>;
    issuer?: Record<string, string>;
    subjectaltname?: string;
  } | null;
  if (!c?.subject || Object.keys(c).length === 0) return undefined;
  const dn = (x: Record<string, string> | undefined) =>
    x
      ? Object.entries(x)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')
      : '';
  const dns = (c.subjectaltname ?? '')
    .split(/,\s*/)
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4));
  const out: ClientCertFacts = {
    subject: dn(c.subject),
    issuer: dn(c.issuer),
    dns,
    authorized: socket.authorized,
  };
  if (!socket.authorized && socket.authorizationError) out.error = String(socket.authorizationError);
  return out;
}

/** Byte-exact comparison in constant time (no normalisation: a variant of our key is not our key). */
function exactEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The peer sent no dialback element, stanza or anything else on this session. */
function silentSession(s: InboundSessionFacts): boolean {
  return (
    s.verifies.length === 0 &&
    s.results.length === 0 &&
    s.stanzas.length === 0 &&
    s.ignored.length === 0 &&
    !s.thirdParty?.length
  );
}
