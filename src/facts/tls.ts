/**
 * Probe-tls facts: how a sending server's attempt to reach an XMPP domain went, step by step
 * (RFC 6120 §3.2 resolution, §4 stream, §5 STARTTLS, XEP-0368 direct TLS). The contract
 * between gather/tls.ts and judge/rules/{xmpp,tls}.ts; verdict-free.
 */
import type { CertCheckFacts } from './cert.js';
import type { ConnectTarget, SrvFacts } from './srv.js';

/** How a target was given: a domain resolved through SRV, or a host/IP/--connect address. */
export type TargetKind = 'domain' | 'host';

/** What the peer's stream header said (RFC 6120 §4.7). */
export interface HeaderFacts {
  from?: string;
  to?: string;
  id?: string;
  version?: string;
  lang?: string;
  /** xmlns:db='jabber:server:dialback' declared (XEP-0220 §2.4.1 legacy dialback signal). */
  dialbackNs: boolean;
  /** Default (content) namespace of the header, normally jabber:server. */
  contentNs?: string;
}

/** The features element as offered (order never relied upon). */
export interface FeatureFacts {
  starttls: { offered: boolean; required: boolean };
  dialback: { offered: boolean; errors: boolean };
  /** SASL mechanisms, or null when no <mechanisms/> was sent. */
  saslMechanisms: string[] | null;
  bidi: boolean;
  limits?: { maxBytes?: number; idleSeconds?: number };
  /** Every feature as {namespace}local, in the order sent. */
  all: string[];
}

/** A stream error the peer sent (RFC 6120 §4.9). */
export interface StreamErrorFacts {
  condition: string;
  text?: string;
  /** see-other-host: the host (and port) the peer redirects to. */
  otherHost?: string;
  app: string[];
}

/**
 * How a stream step ended when it did not deliver what was expected.
 * - timeout: nothing (or not enough) within the deadline
 * - closed: the peer closed the stream or the TCP connection
 * - stream-error: the peer sent <stream:error/>
 * - parse-error: the bytes were not an acceptable XMPP stream (see parseError.code)
 * - unexpected: a well-formed element other than the expected one
 */
export type StreamFailure = 'timeout' | 'closed' | 'stream-error' | 'parse-error' | 'unexpected';

/** The XML parser's reason for rejecting the peer's bytes (protocol/xmpp/xml.ts codes). */
export type ParseErrorCode =
  | 'not-well-formed'
  | 'restricted-xml'
  | 'limit'
  | 'not-xmpp-http'
  | 'not-xmpp-tls'
  | 'not-xmpp-ssh'
  | 'not-xmpp-smtp'
  | 'not-xmpp'
  | 'invalid-utf8';

/** One failure of a stream step, with what exactly happened. */
export interface StepFailure {
  failure: StreamFailure;
  /** The step that failed, e.g. "stream header", "stream features", "starttls answer". */
  step: string;
  streamError?: StreamErrorFacts;
  parseError?: { code: ParseErrorCode; message: string };
  /** For 'unexpected': the element received, as {namespace}local. */
  element?: string;
  /** For 'closed': eof, </stream:stream>, or the socket error code. */
  closedBy?: string;
  /** For 'timeout': the deadline that passed, in milliseconds. */
  timeoutMs?: number;
}

/** Opening one stream (before TLS, or after TLS / on a direct TLS connection). */
export interface StreamFacts {
  /** The attributes we announced. */
  sent: { to: string; from?: string };
  header?: HeaderFacts;
  /** Features; null when the peer's version is not 1.x (no features are sent then). */
  features?: FeatureFacts | null;
  /** Present when the step did not deliver a header and features. */
  failed?: StepFailure;
  durationMs: number;
}

/** TCP connect to one address. */
export interface ConnectFacts {
  ok: boolean;
  /** refused | timeout | unreachable | reset | other (node errno mapped; see facts/attempt.ts). */
  reason?: string;
  code?: string;
  message?: string;
  durationMs: number;
}

/** The STARTTLS request and the peer's answer (RFC 6120 §5.4.2). */
export interface StartTlsFacts {
  /** proceed, failure, or a failure of the step (stream error, timeout, close, other element). */
  answer: 'proceed' | 'failure' | 'other';
  failed?: StepFailure;
  durationMs: number;
}

/** The TLS handshake (after <proceed/>, or at connect for direct TLS). */
export interface HandshakeFacts {
  ok: boolean;
  /** SNI sent: the XMPP domain, never the SRV target (RFC 6120 §13.7.2.1, XEP-0368). */
  sni: string;
  /** ALPN offered (direct TLS: xmpp-server, XEP-0368 §3). */
  alpnOffered?: string[];
  protocol?: string;
  cipher?: string;
  /** ALPN protocol the server selected, if any. */
  alpn?: string;
  /** On failure: timeout | tls-alert | tls-error | closed | reset | other. */
  reason?: string;
  /** TLS alert description, when the failure was an alert (e.g. "handshake failure", "protocol version"). */
  alert?: string;
  code?: string;
  message?: string;
  durationMs: number;
}

/** The polite end of the connection (RFC 6120 §4.4). */
export interface CloseFacts {
  /** We sent </stream:stream>. */
  sent: boolean;
  /** The peer answered with its own </stream:stream> (or closed) within the deadline. */
  peerClosed: boolean;
}

/**
 * SASL EXTERNAL after TLS with our client certificate (XEP-0178 §4): whether the peer offered
 * it on the TLS stream and, if so, its answer to <auth mechanism='EXTERNAL'> with our domain.
 */
export interface SaslFacts {
  /** The authorization identity sent (our domain, the stream `from`). */
  authzid: string;
  /** EXTERNAL was among the mechanisms offered after TLS. */
  offered: boolean;
  /** The mechanisms offered after TLS (empty when no <mechanisms/> was sent). */
  mechanisms: string[];
  /** The answer, when the mechanism was tried. */
  outcome?: 'success' | 'failure';
  /** For failure: the SASL condition (RFC 6120 §6.5), e.g. not-authorized, invalid-authzid. */
  condition?: string;
  /** For failure: the peer's <text/>. */
  text?: string;
  /** The step did not deliver success or failure (stream error, close, timeout). */
  failed?: StepFailure;
  durationMs?: number;
}

/** The client certificate xfed presented (--cert), facts only: names are judged by the rules. */
export interface PresentedCertFacts {
  /** The --cert file. */
  file?: string;
  subject: string;
  /** DNS names of the subjectAltName extension. */
  dnsNames: string[];
  /** The certificate allows TLS client authentication (EKU absent or containing clientAuth). */
  clientAuth: boolean;
  notAfter: string;
}

/** Everything that happened on one connection attempt, in order. */
export interface AttemptFacts {
  /** Host name as connected to (SRV target, host target, or the domain for the fallback). */
  host: string;
  ip: string;
  port: number;
  /** host:port, for finding texts. */
  endpoint: string;
  /** TLS from the first byte (XEP-0368) instead of STARTTLS. */
  directTls: boolean;
  /** Where the address came from. */
  source: ConnectTarget['source'] | 'host' | 'connect' | 'redirect';
  /** SRV priority of the target (lower is tried first, RFC 2782), for SRV targets. */
  priority?: number;
  connect: ConnectFacts;
  /**
   * When the plain stream was closed before any header: a second connection that started
   * with a TLS ClientHello, to tell a TLS-first port (direct TLS, HTTPS) from a dead service.
   */
  tlsFirst?: HandshakeFacts;
  /** The first stream (plain TCP; absent for direct TLS). */
  stream?: StreamFacts;
  starttls?: StartTlsFacts;
  tls?: HandshakeFacts;
  /** Certificate facts for the certificate rules (when the handshake completed). */
  cert?: CertCheckFacts;
  /** The stream opened over TLS (restart after STARTTLS, or the only stream of direct TLS). */
  secureStream?: StreamFacts;
  /** SASL EXTERNAL with our client certificate (XEP-0178), when one was presented. */
  sasl?: SaslFacts;
  close?: CloseFacts;
  /**
   * The stream ended with see-other-host and the redirect was followed once (as some servers
   * do): its value, and the attempt at the redirect target or why none was made.
   */
  redirect?: { to: string; attempt?: AttemptFacts; error?: string };
  /** The TLS handshake completed. */
  tlsEstablished: boolean;
}

/** How the list of addresses to try was built. */
export interface ResolutionFacts {
  /** srv: the domain was resolved like a sending server does; host: a host name looked up; literal: an IP or --connect IP. */
  method: 'srv' | 'host' | 'literal';
  /** The SRV facts (method srv). */
  srv?: SrvFacts;
  /** The host looked up (method host). */
  host?: string;
  /** Addresses found for the host (method host). */
  addresses?: string[];
  /** Why the host lookup failed (method host): nxdomain, nodata, timeout, ... */
  error?: { reason: string; message: string };
  /** Wall time of the resolution (SRV and address lookups), in milliseconds. */
  durationMs?: number;
  /** Addresses in try order. */
  targets: {
    host: string;
    ip: string;
    port: number;
    directTls: boolean;
    source: AttemptFacts['source'];
    priority?: number;
  }[];
}

export interface TlsProbeFacts {
  /** The target as given. */
  target: string;
  kind: TargetKind;
  /** The XMPP domain: stream `to`, SNI and the certificate's reference identifier. */
  domain: string;
  /** Our stream `from` (--from), if any. */
  from?: string;
  /**
   * The client certificate presented in every TLS handshake (--cert/--key); null when probe tls
   * presented none. Absent when unknown (dialback judges its streams with these rules too).
   */
  clientCert?: PresentedCertFacts | null;
  resolution: ResolutionFacts;
  /** Connection attempts in the order made. */
  attempts: AttemptFacts[];
  /** Every address was probed (the default); false with --first (in order until one was usable). */
  allTargets: boolean;
  /** Addresses in the try list beyond the probe's cap (MAX_ADDRESSES_PROBED), not probed. */
  notProbed?: number;
  /** The deadline of each network step, in milliseconds (--timeout). */
  timeoutMs: number;
  /** When the facts were gathered (ISO 8601 UTC). */
  checkedAt: string;
}
