/**
 * What a TLS probe is asked to do (targets, options) and the endpoint formatter: the light
 * part of gather/tls.ts, which command-line parsing and `serve` need before any probe runs.
 * Kept apart so that loading them does not load the TLS, XML and certificate code
 * (docs/performance.md); gather/tls.ts re-exports all of it.
 */
import type { PresentedCertFacts } from '../facts/tls.js';
import type { DnsView } from './srv.js';

/**
 * Direct TLS has no assigned port (XEP-0368 §3 leaves it to SRV); 5270 is the one Prosody's
 * documentation uses for s2s direct TLS, so it is the default for --direct-tls host targets.
 */
export const DIRECT_TLS_DEFAULT_PORT = 5270;

export interface TlsProbeOptions {
  /** --from: the `from` our stream header announces. */
  from?: string;
  /** Extra trust anchors (--ca), PEM. */
  caPems: string[];
  /** --warn-days. */
  warnDays: number;
  /**
   * Probe every address of every target, in parallel (the default; --all-targets). False with
   * --first: try in order and stop at the first usable one, as one sending server would.
   */
  allTargets: boolean;
  /** --resolver: resolvers for SRV and host lookups (default: /etc/resolv.conf for SRV, the OS for hosts). */
  resolvers?: { host: string; port: number }[];
  /**
   * Longest round trip (ms) at which the restarted stream waits for TLS 1.3 session tickets
   * (default TICKET_WAIT_MAX_RTT_MS); tests raise it so a busy machine cannot skip that path.
   */
  ticketWaitMaxRttMs?: number;
  /**
   * Tests only: how long the restarted stream waits for each TLS 1.3 session ticket and in all
   * (default: from the round trip, at most TICKET_WAIT_CAP_MS). The in-process fake server shares
   * our event loop, so on a busy machine our certificate parsing alone can outlast the default
   * wait before that server has even read our Finished; a long wait lets only the tickets end it.
   */
  ticketWaitMs?: number;
  /**
   * An already-resolved DNS view (see DnsView in gather/srv.ts): domain targets take their
   * SrvFacts from it instead of querying again, so a command composing several layers uses
   * one DNS view throughout.
   */
  dns?: DnsView;
  /**
   * --cert/--key: our certificate (chain) and key, presented in every TLS handshake; after TLS
   * SASL EXTERNAL is attempted with `from` as the authorization identity. `facts` describe it.
   */
  clientTls?: { cert: string; key: string; facts: PresentedCertFacts };
}

/** One validated command-line target, ready to probe. */
export interface TlsTarget {
  /** As the user gave it (trimmed). */
  input: string;
  /** The report's `target`: the domain as an A-label for domain targets, else the input. */
  report: string;
  kind: 'domain' | 'host';
  /** The XMPP domain (A-label): stream `to`, SNI, identity reference. */
  domain: string;
  /** Host targets: where to connect. */
  host?: string;
  port?: number;
  directTls: boolean;
  /** The address came from --connect rather than from the target itself. */
  viaConnect: boolean;
}

/** host:port, with brackets for IPv6 literals: the one formatter, report/endpoint.ts. */
export { endpointOf } from '../report/endpoint.js';
