/**
 * Log facts (`xfed logs`): what the servers' own logs say, as recognised events with their
 * place (file, line, quoted line with secrets redacted), grouped into s2s sessions with the
 * dialback steps rebuilt in order. The contract between gather/logs.ts and judge/rules/logs.ts;
 * verdict-free.
 */

/** Line families xfed recognises by content (docs/logs.md). */
export type LogFamily = 'expressway' | 'xcp' | 'prosody' | 'ejabberd';

/** Where a line is: file (archive members as `bundle.tar.gz:member`), 1-based line, the quoted text. */
export interface LogRef {
  file: string;
  line: number;
  /** The line (first line of a multi-line record), secrets redacted, at most QUOTE_MAX characters. */
  quote: string;
  /** ISO 8601 UTC when the line carried a usable time. */
  time?: string;
}

export type LogEventKind =
  /** AXL request from Expressway-C to IM and Presence (network.axl, Action="Send"). */
  | 'axl.request'
  /** AXL answer with an HTTP status (Function="executeSQLQuery" Status="401"). */
  | 'axl.response'
  /** xconfiguration xcpConfiguration is_federation_enabled - changed from: A to: B. */
  | 'federation.toggled'
  /** Dialback step lines (XCP, Prosody, ejabberd); see DialbackStep. */
  | 'dialback.step'
  /** The authoritative server (or the verify reply) said the key is not right. */
  | 'dialback.invalid'
  /** A dialback attempt failed for another reason (ejabberd: Verification failed: <reason>). */
  | 'dialback.failed'
  /** A resolver lookup for the callback failed (XCP Resolver, Prosody/ejabberd DNS). */
  | 'dns.failed'
  /** A TCP connection was refused (XCP 7400, s2s 5269). */
  | 'connect.refused'
  /** A connection attempt timed out. */
  | 'connect.timeout'
  /** Another outgoing s2s failure, with the server's reason. */
  | 's2s.failed'
  /** A TLS negotiation error with the peer's certificate identity (Expressway event log). */
  | 'tls.failed'
  /** A server refused a peer because of its certificate (Prosody s2s_secure_auth, ejabberd). */
  | 'cert.rejected'
  /** A peer certificate failed validation but the server went on (dialback fallback). */
  | 'cert.tolerated'
  /** A peer sent no certificate to a server that requires one. */
  | 'cert.missing'
  /** Encryption required but not offered/used. */
  | 'tls.required'
  /** An s2s connection completed (context for timelines and the healthy case). */
  | 's2s.established'
  /** An internal XCP component (Expressway-C to E, port 7400) could not be reached. */
  | 'xcp.component-failed'
  /** The receiving server gave up waiting for the dialback answer (Prosody: connection-timeout on an unauthenticated stream). */
  | 'dialback.timeout'
  /** A line that only names a session's domains (stream header, disconnect): context for correlation. */
  | 'stream.seen';

/** The seven steps of the Cisco dialback procedure (TAC 213865), in order. */
export type DialbackStep =
  | 'result-sent'
  | 'timeout-scheduled'
  | 'result-received'
  | 'callback-resolve'
  | 'verify-sent'
  | 'verify-received'
  | 'verify-answer'
  | 'connected';

export interface LogEvent {
  kind: LogEventKind;
  family: LogFamily;
  at: LogRef;
  step?: DialbackStep;
  /**
   * Domains: for dialback steps `from` is the originating and `to` the receiving domain (the
   * attributes of db:verify requests are swapped back to that order); `peer` for one-sided lines.
   */
  from?: string;
  to?: string;
  peer?: string;
  /** Dialback stream id (db:verify id, XCP xcoder of the receiving stream). */
  streamId?: string;
  /** Dialback key as logged (not a secret: an HMAC output). */
  key?: string;
  /** valid / invalid / error for verify-answer. */
  answer?: string;
  /** For DNS: the query that failed, e.g. _xmpp-server._tcp.example.com. */
  query?: string;
  host?: string;
  port?: number;
  /** HTTP status for AXL, or a state change (PENDING->CONNECTED). */
  status?: string;
  reason?: string;
  /** Reason class for cert events: expired, untrusted, self-signed, name, invalid. */
  certProblem?: string;
  /** Certificate identity as logged (Common-name, subject). */
  identity?: string;
  url?: string;
  function?: string;
  /** Session id as logged (xcoder, s2sin…/s2sout…, Erlang pid). */
  session?: string;
  /** Index into LogFacts.sessions, when correlated. */
  sessionIndex?: number;
  direction?: 'in' | 'out';
}

/** One s2s session rebuilt from lines: its domains and the dialback steps seen, in time order. */
export interface LogSession {
  /** Originating (from) and receiving (to) domain when known. */
  from?: string;
  to?: string;
  /** Ids that tied the lines together: stream ids, xcoders, keys (shortened), session ids. */
  ids: string[];
  steps: { step: DialbackStep; at: LogRef; detail?: string }[];
  /** valid / invalid / error / timeout / failed / unknown. */
  outcome: string;
  families: LogFamily[];
}

export interface LogSourceFacts {
  name: string;
  bytes: number;
  lines: number;
  /** Lines that belong to a recognised family (including continuation lines of its records). */
  recognised: number;
  unmatched: number;
  families: Partial<Record<LogFamily, number>>;
  invalidUtf8: boolean;
  longLines: number;
  /** Latest time of a recognised event in this source (ISO), to tell whether a deadline passed. */
  lastTime?: string;
}

export interface LogInputProblem {
  kind: string;
  source: string;
  message: string;
  line?: number;
}

export interface LogFacts {
  inputs: string[];
  sources: LogSourceFacts[];
  problems: LogInputProblem[];
  totals: { bytes: number; lines: number; recognised: number; unmatched: number; events: number };
  /** Events dropped because more than MAX_EVENTS were recognised. */
  eventsDropped: number;
  window: { since?: string; until?: string; domain?: string; outside: number; untimed: number };
  events: LogEvent[];
  sessions: LogSession[];
}
