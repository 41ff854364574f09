/**
 * SRV facts: what `gatherSrv` learned about a domain's s2s DNS (RFC 6120 §3.2, RFC 2782,
 * XEP-0368), resolver by resolver. The contract between gather/srv.ts and judge/rules/dns.ts;
 * verdict-free (no severities, no finding ids).
 */

/**
 * How one DNS query ended. Kept apart on purpose: NXDOMAIN, NODATA, SERVFAIL, REFUSED, a
 * silent or unreachable resolver, a truncated or malformed answer mean different things.
 */
export type DnsOutcome =
  | 'answer'
  | 'nodata'
  | 'nxdomain'
  | 'servfail'
  | 'refused'
  | 'error-rcode'
  | 'timeout'
  | 'unreachable'
  | 'truncated'
  | 'malformed';

/** Outcomes where the resolver never produced a usable DNS message. */
export const NETWORK_OUTCOMES: readonly DnsOutcome[] = ['timeout', 'unreachable', 'truncated', 'malformed'];

/** One resource record as received. */
export interface DnsRecordFact {
  name: string;
  type: string;
  /** Time to live in seconds. */
  ttl: number;
  /** Presentation form: an address, a CNAME target, or "priority weight port target" for SRV. */
  data: string;
}

/** One question sent to one resolver, and what came back. */
export interface DnsQueryFact {
  name: string;
  type: 'SRV' | 'A' | 'AAAA';
  /** Resolver as ip:port ([ip]:port for IPv6). */
  resolver: string;
  /** Transport of the answer that was used (tcp after a truncated UDP answer, or with --tcp). */
  transport: 'udp' | 'tcp';
  /** True when the UDP answer had TC set and the query was repeated over TCP (RFC 1035 §4.2.1). */
  tcpRetry: boolean;
  outcome: DnsOutcome;
  /** RCODE name (NOERROR, NXDOMAIN, SERVFAIL, ...) when a DNS message was decoded. */
  rcode?: string;
  /** Header bits of the answer used: authoritative, truncated, authenticated data (DNSSEC), recursion available. */
  flags?: { aa: boolean; tc: boolean; ad: boolean; ra: boolean };
  answers: DnsRecordFact[];
  /** CNAMEs followed from the question name, in order ("alias -> canonical"). */
  cnameChain: string[];
  /** UDP transmissions (1 + retries used); 0 when the query went straight to TCP. */
  attempts: number;
  durationMs: number;
  /** Why the query failed (network error, decode error), when it did. */
  error?: string;
}

/** One address of a host. */
export interface AddressFact {
  ip: string;
  family: 4 | 6;
  /** Time to live in seconds. */
  ttl: number;
}

/** A and/or AAAA lookups of one host name (an SRV target, or the domain for the fallback). */
export interface AddressLookup {
  host: string;
  /** Outcome of the A query; absent when -6 limited lookups to AAAA. */
  a?: DnsOutcome;
  /** Outcome of the AAAA query; absent when -4 limited lookups to A. */
  aaaa?: DnsOutcome;
  addresses: AddressFact[];
  /** CNAME chain met while resolving the host ("alias -> canonical"); empty when the name is canonical. */
  cnameChain: string[];
}

export type SrvService = 'xmpp-server' | 'xmpps-server' | 'jabber';

/** One SRV record with what its target resolved to. */
export interface SrvRecordFact {
  priority: number;
  weight: number;
  port: number;
  /** Target host, lower case, no trailing dot; "." for the root target ("service not available"). */
  target: string;
  /** Time to live in seconds. */
  ttl: number;
  /** Address lookups of the target; absent for the "." target and for _jabber._tcp records. */
  resolved?: AddressLookup;
}

/** The SRV lookup of one service name. */
export interface ServiceLookup {
  service: SrvService;
  /** Query name, e.g. _xmpp-server._tcp.example.org. */
  name: string;
  outcome: DnsOutcome;
  /** Records in the most likely try order: priority ascending, then weight descending (RFC 2782). */
  records: SrvRecordFact[];
  /** True when the answer is exactly one record with target "." (RFC 2782: service decidedly not available). */
  explicitlyUnavailable: boolean;
  /** Targets beyond the cap (gather/srv.ts MAX_SRV_TARGETS) whose addresses were not looked up. */
  notResolved?: number;
}

/** Everything asked of one resolver. */
export interface ResolverView {
  /** ip:port ([ip]:port for IPv6). */
  resolver: string;
  /** True when at least one query got a usable DNS message back (an outcome outside NETWORK_OUTCOMES). */
  answered: boolean;
  services: Record<SrvService, ServiceLookup>;
  /** The domain's own A/AAAA: the RFC 6120 §3.2.2 fallback target (<domain>:5269), and NXDOMAIN detection. */
  domainAddresses: AddressLookup;
  /** Every query sent to this resolver, in the order sent. */
  queries: DnsQueryFact[];
}

/** One place a server would connect to, in try order. */
export interface ConnectTarget {
  host: string;
  ip: string;
  port: number;
  /** True for _xmpps-server targets: TLS from the first byte (XEP-0368), no STARTTLS. */
  directTls: boolean;
  source: 'xmpp-server' | 'xmpps-server' | 'fallback';
  priority?: number;
  weight?: number;
}

/**
 * A resolver not asked about this domain: earlier in the same run it never answered and let
 * every query of several domains time out (see ResolverMemory in gather/srv.ts).
 */
export interface SkippedResolver {
  /** ip:port ([ip]:port for IPv6). */
  resolver: string;
  /** The earlier domains for which every query to this resolver timed out. */
  silentFor: string[];
  /** The queries of the latest of those domains ("SRV _xmpp-server._tcp.<domain>", ...). */
  queries: string[];
  /** How they ended ("no answer within 5000 ms (3 transmissions)"). */
  error: string;
}

export interface SrvFacts {
  /** The domain as an A-label (what went on the wire). */
  domain: string;
  /** The Unicode form, when the domain is an IDN. */
  unicode?: string;
  /** Address families looked up: 4 (A only), 6 (AAAA only) or both. */
  family: 4 | 6 | undefined;
  /** True when --tcp forced TCP for every query. */
  tcpForced: boolean;
  /**
   * failover: resolvers tried in order until one answers (resolv.conf behaviour);
   * compare: every resolver asked and their answers compared (several --resolver given).
   */
  mode: 'failover' | 'compare';
  views: ResolverView[];
  /** Resolvers left out because they were silent earlier in this run; absent when none was. */
  skipped?: SkippedResolver[];
  /** Index into views of the resolver whose answers the connect list comes from; null when none answered. */
  primary: number | null;
  /** The connect list in the most likely try order (see connectList in gather/srv.ts). */
  connect: ConnectTarget[];
}
