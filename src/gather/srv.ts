/**
 * Gathers SrvFacts for one domain, resolving like an XMPP server does (RFC 6120 §3.2,
 * RFC 2782, XEP-0368): _xmpp-server._tcp and _xmpps-server._tcp SRV, each target's A/AAAA,
 * the domain's own A/AAAA (the §3.2.2 fallback), and legacy _jabber._tcp. Several
 * resolvers are either tried in order (resolv.conf failover) or all asked and compared.
 * Records facts and transcript lines only; verdicts are the judge's business.
 */
import { domainToUnicode } from 'node:url';
import {
  type AddressFact,
  type AddressLookup,
  type ConnectTarget,
  type DnsQueryFact,
  NETWORK_OUTCOMES,
  type ResolverView,
  type ServiceLookup,
  type SkippedResolver,
  type SrvFacts,
  type SrvRecordFact,
  type SrvService,
} from '../facts/srv.js';
import type { ProbeContext } from '../pipeline/run.js';
import { type LookupResult, lookup, type QueryOptions, type QueryResult } from '../protocol/dns/client.js';
import { formatResolver, type ResolverAddress } from '../protocol/dns/resolv-conf.js';
import { expectedOrder, isRootTarget, type RandomSource, rfc2782Order } from '../protocol/dns/srv-order.js';
import { SystemDnsFiles } from '../protocol/dns/system-files.js';

export type { ConnectTarget, SrvFacts } from '../facts/srv.js';

export interface SrvOptions {
  /** Resolvers to ask; default: the nameservers of /etc/resolv.conf (127.0.0.1 when none). */
  resolvers?: { host: string; port: number }[];
  /** Use TCP for every query (--tcp). */
  tcp?: boolean;
  /** 4: A lookups only, 6: AAAA only, undefined: both. */
  family?: 4 | 6 | undefined;
  /**
   * Ask every resolver and compare answers (split DNS) instead of failing over in order.
   * Default: true when more than one resolver is given explicitly.
   */
  compare?: boolean;
  /** UDP retransmissions inside each query's deadline (default 2). */
  retries?: number;
  /** Shared by every domain of one run, so a dead resolver is waited for only at the start. */
  memory?: ResolverMemory;
}

/**
 * What one run has learned about its resolvers. A resolver that has not produced a single
 * usable answer in the run, and let every query of SILENT_DOMAINS different domains time out,
 * is left out for the run's later domains, as long as another resolver is left to ask; their
 * reports still name it (SrvFacts.skipped). Without this, a dead first nameserver costs one
 * full deadline per batch of --concurrency domains (5 s per 32 by default), since each domain
 * waits for it before failing over. A resolver that answers anything is never left out: one
 * slow zone (a resolver can stay silent for longer than our deadline while it chases dead
 * authoritative servers) does not make a resolver silent.
 */
export interface ResolverMemory {
  /** Resolvers (ip:port) that produced a usable answer in this run. */
  answered: Set<string>;
  /** Resolvers (ip:port) that never answered, with the domains they were silent for. */
  silent: Map<string, SkippedResolver>;
}

/** Domains a resolver must have been silent for before later domains skip it. */
export const SILENT_DOMAINS = 2;

export function newResolverMemory(): ResolverMemory {
  return { answered: new Set(), silent: new Map() };
}

/** The resolver's silence record when later domains should skip it (a copy: the memory moves on). */
function skipEntry(memory: ResolverMemory, r: ResolverAddress): SkippedResolver[] {
  const s = memory.silent.get(formatResolver(r));
  return s && s.silentFor.length >= SILENT_DOMAINS ? [structuredClone(s)] : [];
}

function remember(memory: ResolverMemory, domain: string, v: ResolverView): void {
  if (v.answered) {
    memory.answered.add(v.resolver);
    memory.silent.delete(v.resolver);
    return;
  }
  if (memory.answered.has(v.resolver)) return;
  if (v.queries.length === 0 || !v.queries.every((q) => q.outcome === 'timeout')) return;
  const prev = memory.silent.get(v.resolver);
  // Different domains only, and no more evidence than needed (it is copied into every report).
  if (prev && (prev.silentFor.length >= SILENT_DOMAINS || prev.silentFor.includes(domain))) return;
  memory.silent.set(v.resolver, {
    resolver: v.resolver,
    silentFor: [...(prev?.silentFor ?? []), domain],
    queries: v.queries.map((q) => `${q.type} ${q.name}`),
    error: v.queries[0]?.error ?? 'no answer',
  });
}

/**
 * SRV targets whose addresses are looked up, per service, in try order. Real deployments have
 * a handful; beyond this the rest are counted (ServiceLookup.notResolved) and reported, not
 * queried.
 */
export const MAX_SRV_TARGETS = 16;

/** RFC 6120 §3.2.2: without SRV records, connect to the domain itself on 5269. */
export const S2S_DEFAULT_PORT = 5269;

const SERVICES: readonly SrvService[] = ['xmpp-server', 'xmpps-server', 'jabber'];

function toQueryFact(q: QueryResult): DnsQueryFact {
  const { records: _records, unresolvedAlias: _alias, ...fact } = q;
  return fact;
}

/** Asks one resolver everything about the domain. */
async function askResolver(
  resolver: ResolverAddress,
  domain: string,
  family: 4 | 6 | undefined,
  qopts: QueryOptions,
): Promise<ResolverView> {
  const queries: DnsQueryFact[] = [];
  const keep = (l: LookupResult): LookupResult => {
    for (const q of l.queries) queries.push(toQueryFact(q));
    return l;
  };
  const hosts = new Map<string, Promise<AddressLookup>>();
  const resolveHost = (host: string): Promise<AddressLookup> => {
    let p = hosts.get(host);
    if (!p) {
      p = addressesOf(resolver, host, family, qopts, keep);
      hosts.set(host, p);
    }
    return p;
  };

  // Stage 1 in parallel: the three SRV names and the domain's own addresses.
  const [srvResults, domainAddresses] = await Promise.all([
    Promise.all(SERVICES.map((s) => lookup(resolver, `_${s}._tcp.${domain}`, 'SRV', qopts).then(keep))),
    resolveHost(domain),
  ]);
  // A resolver that produced no usable DNS message (silent, unreachable, only truncated or
  // undecodable replies) is not asked further, and failover moves on to the next one: a reply
  // that cannot be used counts as no reply.
  const answered = queries.some((q) => !NETWORK_OUTCOMES.includes(q.outcome));

  const lookups = await Promise.all(
    SERVICES.map(async (service, i): Promise<ServiceLookup> => {
      const l = srvResults[i] as LookupResult;
      const records: SrvRecordFact[] = expectedOrder(
        l.records.flatMap((r) =>
          r.type === 'SRV'
            ? [{ priority: r.priority, weight: r.weight, port: r.port, target: r.target, ttl: r.ttl }]
            : [],
        ),
      );
      // Stage 2: each real target's addresses (legacy _jabber._tcp targets are not followed),
      // the first MAX_SRV_TARGETS in try order: a hostile or broken zone with thousands of
      // records must not make us query (and report) every one of them.
      let notResolved = 0;
      if (service !== 'jabber' && answered) {
        const real = records.filter((r) => !isRootTarget(r.target));
        const follow = real.slice(0, MAX_SRV_TARGETS);
        notResolved = real.length - follow.length;
        await Promise.all(
          follow.map(async (r) => {
            r.resolved = await resolveHost(r.target);
          }),
        );
      }
      const only = records.length === 1 ? records[0] : undefined;
      const out: ServiceLookup = {
        service,
        name: `_${service}._tcp.${domain}`,
        outcome: l.outcome,
        records,
        explicitlyUnavailable: only !== undefined && isRootTarget(only.target),
      };
      if (notResolved > 0) out.notResolved = notResolved;
      return out;
    }),
  );
  const services = Object.fromEntries(lookups.map((l) => [l.service, l])) as Record<
    SrvService,
    ServiceLookup
  >;
  return { resolver: formatResolver(resolver), answered, services, domainAddresses, queries };
}

async function addressesOf(
  resolver: ResolverAddress,
  host: string,
  family: 4 | 6 | undefined,
  qopts: QueryOptions,
  keep: (l: LookupResult) => LookupResult,
): Promise<AddressLookup> {
  const wantA = family !== 6;
  const wantAaaa = family !== 4;
  const [a, aaaa] = await Promise.all([
    wantA ? lookup(resolver, host, 'A', qopts).then(keep) : undefined,
    wantAaaa ? lookup(resolver, host, 'AAAA', qopts).then(keep) : undefined,
  ]);
  const addresses: AddressFact[] = [];
  // IPv6 first: the RFC 6724 default policy prefers it, as do dual-stack servers.
  for (const l of [aaaa, a]) {
    for (const r of l?.records ?? []) {
      if (r.type === 'A' || r.type === 'AAAA')
        addresses.push({ ip: r.ip, family: r.type === 'A' ? 4 : 6, ttl: r.ttl });
    }
  }
  const chains = [a?.cnameChain ?? [], aaaa?.cnameChain ?? []];
  const out: AddressLookup = {
    host,
    addresses,
    cnameChain:
      (chains[0] as string[]).length >= (chains[1] as string[]).length
        ? (chains[0] as string[])
        : (chains[1] as string[]),
  };
  if (a) out.a = a.outcome;
  if (aaaa) out.aaaa = aaaa.outcome;
  return out;
}

/** Resolves one domain (an A-label, no trailing dot) like a sending XMPP server would. */
export async function gatherSrv(domain: string, opts: SrvOptions, ctx: ProbeContext): Promise<SrvFacts> {
  const resolvers = opts.resolvers?.length ? opts.resolvers : await DnsView.system.resolvers();
  const compare = opts.compare ?? (opts.resolvers !== undefined && opts.resolvers.length > 1);
  const qopts: QueryOptions = { timeoutMs: ctx.timeoutMs, tcp: opts.tcp === true, log: ctx.transcript };
  if (opts.retries !== undefined) qopts.retries = opts.retries;
  const { memory } = opts;
  let skipped = memory ? resolvers.flatMap((r) => skipEntry(memory, r)) : [];
  // Never leave every resolver out: when all were silent, all of them get another chance.
  if (skipped.length === resolvers.length) skipped = [];
  const ask = resolvers.filter((r) => !skipped.some((s) => s.resolver === formatResolver(r)));
  const views: ResolverView[] = [];
  if (compare) {
    views.push(...(await Promise.all(ask.map((r) => askResolver(r, domain, opts.family, qopts)))));
  } else {
    // resolv(5) behaviour: the next nameserver is asked only when the previous one did not answer.
    for (const r of ask) {
      const v = await askResolver(r, domain, opts.family, qopts);
      views.push(v);
      if (v.answered) break;
    }
  }
  if (memory) for (const v of views) remember(memory, domain, v);
  const primary = views.findIndex((v) => v.answered);
  const facts: SrvFacts = {
    domain,
    family: opts.family,
    tcpForced: opts.tcp === true,
    mode: compare ? 'compare' : 'failover',
    views,
    primary: primary >= 0 ? primary : null,
    connect: [],
  };
  if (skipped.length > 0) {
    facts.skipped = skipped;
    for (const s of skipped)
      ctx.transcript.note(
        `${s.resolver}: not asked, silent for ${s.silentFor.join(', ')} earlier in this run`,
      );
  }
  if (domain.split('.').some((l) => l.startsWith('xn--'))) facts.unicode = domainToUnicode(domain);
  facts.connect = connectList(facts, { order: 'expected' });
  return facts;
}

export interface ConnectListOptions {
  /** 'rfc2782' (default): weighted random within a priority, as a server does; 'expected': the most likely order. */
  order?: 'rfc2782' | 'expected';
  /** Random source for 'rfc2782' (default Math.random). */
  random?: RandomSource;
}

/**
 * The order a server would try: xmpps-server and xmpp-server targets merged per
 * XEP-0368/RFC 2782 (one set; direct TLS first on a tie), each with its addresses; or the
 * A/AAAA fallback to <domain>:5269 when there is no SRV (never after a "." target, and not
 * when SRV targets exist but have no address: RFC 6120 §3.2.1).
 */
export function connectList(facts: SrvFacts, opts: ConnectListOptions = {}): ConnectTarget[] {
  const view = facts.primary === null ? undefined : facts.views[facts.primary];
  if (!view) return [];
  const xmpp = view.services['xmpp-server'];
  const xmpps = view.services['xmpps-server'];
  const usable = (s: ServiceLookup) =>
    s.outcome === 'answer' && !s.explicitlyUnavailable
      ? s.records.filter((r) => !isRootTarget(r.target))
      : [];
  const candidates = [
    ...usable(xmpps).map((r) => ({
      r,
      source: 'xmpps-server' as const,
      priority: r.priority,
      weight: r.weight,
    })),
    ...usable(xmpp).map((r) => ({
      r,
      source: 'xmpp-server' as const,
      priority: r.priority,
      weight: r.weight,
    })),
  ];
  if (candidates.length > 0) {
    const ordered =
      opts.order === 'expected' ? expectedOrder(candidates) : rfc2782Order(candidates, opts.random);
    return ordered.flatMap(({ r, source }) =>
      (r.resolved?.addresses ?? []).map((a) => ({
        host: r.target,
        ip: a.ip,
        port: r.port,
        directTls: source === 'xmpps-server',
        source,
        priority: r.priority,
        weight: r.weight,
      })),
    );
  }
  if (xmpp.explicitlyUnavailable) return [];
  return view.domainAddresses.addresses.map((a) => ({
    host: facts.domain,
    ip: a.ip,
    port: S2S_DEFAULT_PORT,
    directTls: false,
    source: 'fallback' as const,
  }));
}

/**
 * One DNS view shared by every layer of a run: each domain is resolved once (or taken from
 * SrvFacts gathered before, e.g. by `check srv`), and every later gatherer (probe tls,
 * dialback) connects to the targets of that same view instead of asking again. A command that
 * composes several layers (doctor) creates one and hands it to each gatherer.
 */
export class DnsView {
  /**
   * The system's resolv.conf and hosts file, for every lookup without --resolver in this
   * process (each view of a run, every probe of `xfed serve`): read once, then re-read only when
   * a stat, at most once a second, shows a change (protocol/dns/system-files.ts).
   */
  static readonly system = new SystemDnsFiles();

  private readonly domains = new Map<string, Promise<SrvFacts>>();

  constructor(private readonly opts: SrvOptions = {}) {}

  /** Adds facts already gathered; later lookups of that domain reuse them. */
  add(facts: SrvFacts): this {
    this.domains.set(viewKey(facts.domain), Promise.resolve(facts));
    return this;
  }

  /** The domain's SrvFacts: from the view, or resolved now (once, even when asked concurrently). */
  srv(domain: string, ctx: ProbeContext): Promise<SrvFacts> {
    const key = viewKey(domain);
    let p = this.domains.get(key);
    if (!p) {
      p = gatherSrv(domain, this.opts, ctx);
      this.domains.set(key, p);
    }
    return p;
  }

  /** True when the domain is already in the view (resolved or being resolved). */
  has(domain: string): boolean {
    return this.domains.has(viewKey(domain));
  }
}

function viewKey(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '');
}
