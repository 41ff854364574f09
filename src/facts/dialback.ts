/**
 * Dialback facts (XEP-0220 server dialback, XEP-0185 keys): what `xfed dialback`,
 * `xfed dialback verify` and `xfed dialback key` observed, step by step with timings. The
 * contract between gather/dialback.ts and judge/rules/dialback.ts; verdict-free. Times named
 * `atMs` are milliseconds since the run started.
 */

import type { CertificateInfo } from './cert.js';
import type { SrvFacts } from './srv.js';
import type { AttemptFacts, ResolutionFacts, StepFailure } from './tls.js';

/** How a dialback answer (db:result or db:verify with a type) or its absence ended. */
export type DialbackOutcome =
  | 'valid'
  | 'invalid'
  | 'error'
  /** The peer sent <stream:error/> instead of answering. */
  | 'stream-error'
  /** Nothing within the deadline. */
  | 'timeout'
  /** The peer closed the stream or the TCP connection without answering. */
  | 'closed'
  /** The peer's bytes were not acceptable XML (see failure.parseError). */
  | 'parse-error'
  /** xfed stopped waiting because the outcome was already known (DialbackFacts.stoppedEarly). */
  | 'stopped';

/** The answer to one dialback request (ours, or one we relayed). */
export interface DialbackAnswerFacts {
  outcome: DialbackOutcome;
  /** For 'error': the stanza error condition (XEP-0220 §2.5), e.g. remote-server-not-found. */
  condition?: string;
  /** For 'error': the error type attribute (cancel, wait, ...). */
  errorType?: string;
  /** Error text the peer gave, if any (stanza or stream error). */
  text?: string;
  /** Details for stream-error / closed / parse-error / timeout. */
  failure?: StepFailure;
  /** The answer carried key text (Prosody and Cisco echo the key; XEP-0220 and ejabberd send none). */
  keyEchoed?: boolean;
  /** Answers that did not correlate with the request (wrong from/to/id) and were ignored (XEP-0220 §2.3). */
  ignored: number;
  /** When the answer (or the failure) arrived. */
  atMs: number;
  /** From sending the request to the answer. */
  durationMs: number;
}

/** One outgoing server connection: resolution, connect, stream, STARTTLS, TLS, restart. */
export interface OutboundFacts {
  /** Why this connection was made. */
  purpose: 'originating' | 'verify-probe' | 'reverse-verify';
  /** The domain connected to (stream `to`, SNI, certificate reference). */
  domain: string;
  resolution: ResolutionFacts;
  /** Connection attempts in order; the last one is the one used (or the last that failed). */
  attempts: AttemptFacts[];
  /** The stream id valid for dialback: the post-TLS id when TLS was negotiated (RFC 6120 §5.4.3.3). */
  streamId?: string;
  /** The peer advertised dialback (the XEP-0220 feature, or xmlns:db on a pre-1.0 header). */
  dialbackOffered: boolean;
  /** Everything needed for a dialback request was set up (stream open, TLS when offered). */
  ready: boolean;
  startedAtMs: number;
  durationMs: number;
}

/** A db:verify we answered as the authoritative server for our domain. */
export interface VerifyAnsweredFacts {
  from: string;
  to: string;
  id: string;
  /** The key was the one our secret gives for (from, to, id). */
  keyMatches: boolean;
  /** Length of the key text received (the key itself is not recorded). */
  keyLength: number;
  /** The id is the stream id of our originating stream. */
  idIsOurStream: boolean;
  answer: 'valid' | 'invalid' | 'error';
  /** For 'error': the condition we sent (item-not-found when `to` is not our domain). */
  condition?: string;
  atMs: number;
}

/** A db:result the peer sent to our listener (Prosody style, or ejabberd's traffic stream), and how we checked it. */
export interface ResultReceivedFacts {
  from: string;
  to: string;
  /** The stream id of the listener stream it arrived on (the id its key must be bound to). */
  streamId: string;
  keyLength: number;
  atMs: number;
  /** How we verified it: a db:verify to the sender's authoritative server (receiving-server role). */
  verification?: { outbound: OutboundFacts; answer?: DialbackAnswerFacts };
  /** What we answered; absent when the run ended first. */
  answer?: 'valid' | 'invalid' | 'error';
  condition?: string;
  answeredAtMs?: number;
}

/** A stanza (iq, message, presence) received on a listener stream. */
export interface StanzaReceivedFacts {
  name: string;
  type?: string;
  id?: string;
  from?: string;
  to?: string;
  /** The sender's domain had been authenticated on that stream by dialback. */
  authenticated: boolean;
  atMs: number;
}

/** A TLS client certificate, summarised (it is recorded, not used to authenticate). */
export interface ClientCertFacts {
  subject: string;
  issuer: string;
  /** subjectAltName DNS names. */
  dns: string[];
  /** OpenSSL's chain verdict against Node's default trust store. */
  authorized: boolean;
  error?: string;
}

/** TLS on a listener connection (we are the TLS server). */
export interface InboundTlsFacts {
  ok: boolean;
  protocol?: string;
  cipher?: string;
  /** On failure: timeout | tls-alert | tls-error | closed | reset | other. */
  reason?: string;
  /** TLS alert description (e.g. "unknown ca", "bad certificate"). */
  alert?: string;
  code?: string;
  message?: string;
  /** The client certificate the peer presented, if any. */
  clientCert?: ClientCertFacts;
  atMs: number;
  durationMs: number;
}

/** One connection the peer made to xfed's listener (a dialback callback or a traffic stream). */
export interface InboundSessionFacts {
  index: number;
  /** Remote address as ip:port. */
  remote: string;
  acceptedAtMs: number;
  /** Each stream header received (before and after TLS), with the id we answered. */
  streams: {
    from?: string;
    to?: string;
    version?: string;
    idSent: string;
    encrypted: boolean;
    atMs: number;
  }[];
  /** STARTTLS asked for although we have no certificate: we answered <failure/>. */
  starttlsRefused?: boolean;
  /** No certificate on the listener, and the peer ended the callback without sending anything (it requires TLS). */
  closedWithoutTls?: boolean;
  tls?: InboundTlsFacts;
  verifies: VerifyAnsweredFacts[];
  /**
   * db:verify requests that were not the peer's (another `from`, or a `to` we do not serve):
   * answered strictly, kept as evidence of third parties, never judged as the peer's callback.
   */
  thirdParty?: VerifyAnsweredFacts[];
  /**
   * The session completed TLS and ended before the peer sent anything over it: the peer closed
   * it, or stayed silent (no restarted stream header) until the listener closed it (end.how 'idle').
   */
  closedAfterTls?: boolean;
  results: ResultReceivedFacts[];
  stanzas: StanzaReceivedFacts[];
  /** Dialback elements with a type (not allowed inbound without XEP-0288) and other unexpected elements, as {ns}local. */
  ignored: string[];
  streamErrorReceived?: { condition: string; text?: string };
  streamErrorSent?: { condition: string; text?: string };
  parseError?: { code: string; message: string };
  /** How the session ended, when it did before the run ended. */
  end?: {
    how: 'peer-closed' | 'eof' | 'idle' | 'tls-failed' | 'stream-error' | 'parse-error' | 'by-us';
    atMs: number;
  };
}

/** The listener xfed runs as the authoritative server of our domain. */
export interface ListenerFacts {
  /** Requested --listen address. */
  host: string;
  port: number;
  ok: boolean;
  /** Bind failure (EADDRINUSE, EACCES, EADDRNOTAVAIL, ...). */
  code?: string;
  message?: string;
  /** For EADDRINUSE: the socket that holds the port, and its process when /proc tells. */
  holder?: { address: string; pid?: number; command?: string };
  /** For a bind failure: xfed ran as root (so "run as root" is no advice). */
  root?: boolean;
  /** STARTTLS offered (a certificate and key were given). */
  tls: boolean;
  /** Subject of the certificate the listener presents. */
  certSubject?: string;
  /** Connections refused because too many were open at once, or had come in this run (hostile or looping peers), or after a stop. */
  refusedConnections: number;
  /** Connections accepted per run at most. */
  maxSessions?: number;
  /** A TLS client certificate was asked for on callbacks (--request-client-cert). */
  requestClientCert?: boolean;
  /** Sessions that completed TLS and closed, or went silent, without sending anything. */
  closedAfterTls?: number;
  /** The listener asked the run to stop waiting (the outcome was known). */
  stopped?:
    | { reason: 'closed-after-tls'; count: number; atMs: number }
    | { reason: 'starttls-unavailable'; remote: string; atMs: number };
}

/**
 * The certificate xfed presents for our domain (--cert): on the listener's STARTTLS and as
 * client certificate on outgoing streams. Its names, so the rules can check them against --as.
 */
export interface OurCertFacts {
  /** The --cert file, when known. */
  file?: string;
  subject: string;
  /** subjectAltName entries by type (first certificate of the chain). */
  san: CertificateInfo['san'];
  /** Subject commonName values. */
  commonNames: string[];
}

/** The IQ ping (XEP-0199) sent once dialback succeeded. */
export interface PingFacts {
  id: string;
  sentAtMs: number;
  /** stopped: xfed ended the wait because the outcome was already known (DialbackFacts.stoppedEarly). */
  outcome: 'result' | 'error' | 'timeout' | 'closed' | 'stopped';
  /** For 'error': the stanza error condition and type. */
  condition?: string;
  errorType?: string;
  /** Where the reply came: on a listener stream (the peer's own connection to us) or on our originating stream. */
  via?: 'listener' | 'originating';
  atMs: number;
  durationMs: number;
}

/** One step of the handshake with its timing, for the report. */
export interface StepTiming {
  step: 'dns' | 'connect' | 'tls' | 'result-sent' | 'callback' | 'verify-answered' | 'result' | 'ping';
  ok: boolean;
  /** Start, in ms since the run started. */
  atMs: number;
  durationMs: number;
  /** A few words on what happened. */
  detail?: string;
}

/** `xfed dialback <peer> --as <our>`: a whole dialback handshake with xfed as both our servers. */
export interface DialbackFacts {
  peer: string;
  our: string;
  listener: ListenerFacts;
  /** Our certificate (--cert), when one was given. */
  ourCert?: OurCertFacts;
  /** Our domain as resolved from here (where a peer would call back, if it sees the same DNS). */
  ourDns?: SrvFacts;
  /** The listener addresses our domain should resolve to, for comparisons (ip:port). */
  callbackTarget?: { host: string; port: number };
  originating?: OutboundFacts;
  /** The db:result we sent: the receiving id it is bound to and when. */
  resultSent?: { streamId: string; atMs: number };
  /** The peer's db:result answer on the originating stream. */
  result?: DialbackAnswerFacts;
  sessions: InboundSessionFacts[];
  ping?: PingFacts;
  /**
   * xfed stopped waiting for the answer or the ping because the outcome was already known: the
   * listener's reason (looping callbacks, STARTTLS it cannot offer), or the peer's own key
   * rejected by the peer's own authoritative server.
   */
  stoppedEarly?: {
    reason: 'closed-after-tls' | 'starttls-unavailable' | 'peer-key-rejected';
    atMs: number;
  };
  steps: StepTiming[];
  /** Timeouts used: each network step, and the wait for the peer's answer (which spans its callback). */
  timeoutMs: number;
  resultTimeoutMs: number;
  checkedAt: string;
}

/**
 * STARTTLS offered without <required/>: what a dialback request on a second stream that skipped
 * STARTTLS got (gather/plaintext-dialback.ts). answered: the server processes dialback
 * unencrypted; ignored / closed / stream-error: it enforces TLS without advertising it;
 * not-checked: the second stream did not get as far as the request.
 */
export interface PlaintextCheckFacts {
  endpoint: string;
  outcome: 'answered' | 'ignored' | 'closed' | 'stream-error' | 'not-checked';
  /** For answered: the answer's type. */
  answer?: 'valid' | 'invalid' | 'error' | 'other';
  /** Error or stream-error condition. */
  condition?: string;
  /** From the request to the end of the wait. */
  waitedMs?: number;
  startedAtMs: number;
  durationMs: number;
}

/** `xfed dialback verify <peer> --as <our>`: a db:verify with a random key, expecting 'invalid'. */
/** One address of the peer asked to verify (every target is asked unless --first). */
export interface DialbackVerifyTargetFacts {
  /** host:port of the SRV target (or fallback). */
  endpoint: string;
  ip: string;
  outbound: OutboundFacts;
  answer?: DialbackAnswerFacts;
  sentAtMs?: number;
}

export interface DialbackVerifyFacts {
  peer: string;
  our: string;
  /** Our client certificate (--cert), when one was given. */
  ourCert?: OurCertFacts;
  outbound: OutboundFacts;
  /** STARTTLS was offered without <required/>: the same request on a stream that skipped it. */
  plaintext?: PlaintextCheckFacts;
  /** The request as sent (the key is random and meaningless, so it is kept). */
  request?: { id: string; keyLength: number; atMs: number };
  answer?: DialbackAnswerFacts;
  /**
   * Every address asked, in try order, when the peer has more than one (absent with --first
   * or a single address); `outbound` and `answer` above are the first healthy one of them.
   */
  targets?: DialbackVerifyTargetFacts[];
  steps: StepTiming[];
  timeoutMs: number;
  checkedAt: string;
}

/** `xfed dialback key`: offline key forensics. The secret is never part of the facts. */
export interface DialbackKeyFacts {
  receiving: string;
  originating: string;
  streamId: string;
  /** Keys computed with the given secret. */
  computed: { xep0185: string; jabberd: string };
  /** The observed key, as given (trimmed), and its length. */
  observed?: string;
  observedLength?: number;
  /** Which algorithm reproduces the observed key; null when none does; absent without --key. */
  match?: 'xep0185' | 'jabberd' | null;
  /** Length of the secret used (to spot a truncated or padded secret). */
  secretLength: number;
}
