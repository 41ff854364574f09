/**
 * DNS rules: judge SrvFacts the way a sending server would use them (RFC 6120 §3.2,
 * RFC 2782, XEP-0368). Pure: facts in, hits out; wording lives in catalog/dns.ts.
 */
import {
  type AddressLookup,
  type DnsOutcome,
  type DnsQueryFact,
  NETWORK_OUTCOMES,
  type ResolverView,
  type ServiceLookup,
  type SrvFacts,
  type SrvRecordFact,
} from '../../facts/srv.js';
import { catalogEntry, type FindingId } from '../catalog/index.js';
import { capList, capRepeats, type Hit, hit, MAX_SAME, type Rule } from '../judge.js';

const S2S_PORT = 5269;

/** The view the connect list is built from; rules about records look only here. */
function primaryView(f: SrvFacts): ResolverView | undefined {
  return f.primary === null ? undefined : f.views[f.primary];
}

const isRoot = (t: string) => t === '.' || t === '';
const srvRecord = (r: SrvRecordFact) => `${r.priority} ${r.weight} ${r.port} ${r.target}`;
const usable = (s: ServiceLookup) =>
  s.outcome === 'answer' && !s.explicitlyUnavailable ? s.records.filter((r) => !isRoot(r.target)) : [];
const absent = (o: DnsOutcome) => o === 'nodata' || o === 'nxdomain';
const queryLabel = (q: DnsQueryFact) => `${q.type} ${q.name}`;

function families(f: SrvFacts): string {
  return f.family === 4 ? 'A' : f.family === 6 ? 'AAAA' : 'A/AAAA';
}

function addressOutcomes(l: AddressLookup): string {
  const parts: string[] = [];
  if (l.a) parts.push(`A: ${l.a}`);
  if (l.aaaa) parts.push(`AAAA: ${l.aaaa}`);
  return parts.join(', ');
}

/** True when every address query of the lookup got a definite "no such record" answer. */
function definitelyNoAddress(l: AddressLookup): boolean {
  const outcomes = [l.a, l.aaaa].filter((o): o is DnsOutcome => o !== undefined);
  return l.addresses.length === 0 && outcomes.length > 0 && outcomes.every(absent);
}

/** Per resolver, queries that failed, grouped by outcome (one finding per resolver and kind). */
const FAILURE_IDS: Partial<Record<DnsOutcome, FindingId>> = {
  servfail: 'dns.query.servfail',
  refused: 'dns.query.refused',
  'error-rcode': 'dns.query.error-rcode',
  timeout: 'dns.resolver.timeout',
  unreachable: 'dns.resolver.unreachable',
  truncated: 'dns.answer.truncated',
  malformed: 'dns.answer.malformed',
};

/** The resolver that answered in failover mode, when an earlier one did not (resolv.conf order). */
function failoverTo(f: SrvFacts): ResolverView | undefined {
  return f.mode === 'failover' ? primaryView(f) : undefined;
}

export const queryFailures: Rule<SrvFacts> = (f) => {
  const hits: Hit[] = [];
  const answeredBy = failoverTo(f);
  // A resolver left out because it was silent for earlier domains of this run still fails
  // this domain's lookups: the same finding, with the evidence from those domains (a warning
  // when a later resolver answered, as below).
  for (const s of f.skipped ?? []) {
    const [host, port] = splitResolver(s.resolver);
    hits.push(
      hit(answeredBy ? 'dns.resolver.failover' : 'dns.resolver.timeout', {
        ...(answeredBy ? { answeredBy: answeredBy.resolver } : {}),
        domain: f.domain,
        resolver: s.resolver,
        host,
        port,
        queries: s.queries,
        error: `${s.error}; it stayed silent for ${s.silentFor.join(' and ')} earlier in this run, so it was not asked about ${f.domain}`,
        silentFor: s.silentFor,
      }),
    );
  }
  for (const v of f.views) {
    const [host, port] = splitResolver(v.resolver);
    // resolv.conf failover: a resolver that produced nothing while a later one answered costs
    // every lookup a wait, but the domain's verdict is the answering resolver's (issue 13).
    if (answeredBy && v !== answeredBy && !v.answered) {
      const failed = v.queries.filter((q) => NETWORK_OUTCOMES.includes(q.outcome));
      hits.push(
        hit('dns.resolver.failover', {
          domain: f.domain,
          resolver: v.resolver,
          host,
          port,
          answeredBy: answeredBy.resolver,
          outcome: failed[0]?.outcome ?? 'timeout',
          queries: failed.map(queryLabel),
          error: failed[0]?.error ?? 'no answer',
        }),
      );
      continue;
    }
    for (const [outcome, id] of Object.entries(FAILURE_IDS) as [DnsOutcome, FindingId][]) {
      const failed = v.queries.filter((q) => q.outcome === outcome);
      if (failed.length === 0) continue;
      const evidence: Record<string, unknown> = {
        domain: f.domain,
        resolver: v.resolver,
        host,
        port,
        queries: failed.map(queryLabel),
      };
      const first = failed[0] as DnsQueryFact;
      if (first.rcode) evidence.rcode = first.rcode;
      if (first.error) evidence.error = first.error;
      hits.push(hit(id, evidence));
    }
    const viaTcp = v.queries.filter((q) => q.tcpRetry && q.outcome !== 'truncated');
    if (viaTcp.length > 0)
      hits.push(hit('dns.answer.needs-tcp', { resolver: v.resolver, queries: viaTcp.map(queryLabel) }));
  }
  return hits;
};

function splitResolver(r: string): [string, number] {
  const m = /^\[?(.*?)\]?:(\d+)$/.exec(r);
  return m ? [m[1] as string, Number(m[2])] : [r, 53];
}

export const domainExists: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  const d = v.domainAddresses;
  const addrOutcomes = [d.a, d.aaaa].filter((o): o is DnsOutcome => o !== undefined);
  const srv = [v.services['xmpp-server'], v.services['xmpps-server']];
  if (!addrOutcomes.every((o) => o === 'nxdomain') || !srv.every((s) => s.outcome === 'nxdomain')) return [];
  const queries = [
    ...srv.map((s) => `SRV ${s.name}`),
    ...(d.a ? [`A ${f.domain}`] : []),
    ...(d.aaaa ? [`AAAA ${f.domain}`] : []),
  ];
  return [hit('dns.domain.nxdomain', { domain: f.domain, resolver: v.resolver, queries })];
};

/** No usable SRV at all: the RFC 6120 §3.2.2 fallback decides (unless the domain does not exist). */
export const srvMissing: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  const xmpp = v.services['xmpp-server'];
  const xmpps = v.services['xmpps-server'];
  // A failed _xmpps-server lookup gets its own query finding; _xmpp-server is still missing.
  if (!absent(xmpp.outcome) || usable(xmpps).length > 0) return [];
  const d = v.domainAddresses;
  const outcomes = [d.a, d.aaaa].filter((o): o is DnsOutcome => o !== undefined);
  if (outcomes.every((o) => o === 'nxdomain') && xmpp.outcome === 'nxdomain') return []; // dns.domain.nxdomain
  const base = { domain: f.domain, resolver: v.resolver, outcome: xmpp.outcome };
  if (d.addresses.length > 0) {
    const ips = d.addresses.map((a) => a.ip).join(', ');
    return [hit('dns.srv.missing', { ...base, fallback: [`${f.domain}:${S2S_PORT} (${ips})`] })];
  }
  if (!outcomes.every(absent)) return []; // the address lookups failed: a query finding says why
  return [
    hit('dns.srv.fallback-missing', { ...base, families: families(f), fallbackOutcome: addressOutcomes(d) }),
  ];
};

export const targetDot: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  const xmpp = v.services['xmpp-server'];
  const xmpps = v.services['xmpps-server'];
  const hits: Hit[] = [];
  if (xmpp.explicitlyUnavailable && usable(xmpps).length === 0) {
    hits.push(
      hit('dns.srv.target-dot', {
        domain: f.domain,
        name: xmpp.name,
        record: srvRecord(xmpp.records[0] as SrvRecordFact),
      }),
    );
  }
  if (xmpps.explicitlyUnavailable && !xmpp.explicitlyUnavailable) {
    hits.push(
      hit('dns.srv.xmpps-target-dot', {
        domain: f.domain,
        name: xmpps.name,
        record: srvRecord(xmpps.records[0] as SrvRecordFact),
      }),
    );
  }
  return hits;
};

export const onlyDirectTls: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  const xmpp = v.services['xmpp-server'];
  const xmpps = usable(v.services['xmpps-server']);
  if (xmpps.length === 0 || usable(xmpp).length > 0) return [];
  if (!(absent(xmpp.outcome) || xmpp.explicitlyUnavailable)) return [];
  return [
    hit('dns.srv.only-direct-tls', {
      domain: f.domain,
      resolver: v.resolver,
      xmppsTargets: xmpps.map((r) => `${r.target}:${r.port}`),
      xmppOutcome: xmpp.explicitlyUnavailable ? 'target "."' : xmpp.outcome,
    }),
  ];
};

/** The usable targets whose addresses were looked up (all of them, up to the gather cap). */
function eachTarget(v: ResolverView): { service: ServiceLookup; r: SrvRecordFact }[] {
  return [v.services['xmpp-server'], v.services['xmpps-server']].flatMap((service) =>
    usable(service)
      .filter((r) => r.resolved !== undefined)
      .map((r) => ({ service, r })),
  );
}

export const tooManyTargets: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  return [v.services['xmpp-server'], v.services['xmpps-server']].flatMap((s) =>
    s.notResolved
      ? [
          hit('dns.srv.too-many-targets', {
            domain: f.domain,
            name: s.name,
            count: s.records.length,
            resolved: s.records.length - s.notResolved,
            notResolved: s.notResolved,
          }),
        ]
      : [],
  );
};

export const targetCname: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  return eachTarget(v).flatMap(({ service, r }) => {
    const chain = r.resolved?.cnameChain ?? [];
    if (chain.length === 0) return [];
    const canonical = (chain[chain.length - 1] as string).split(' -> ')[1];
    return [
      hit('dns.srv.target-cname', {
        service: service.name,
        record: srvRecord(r),
        target: r.target,
        canonical,
        chain,
      }),
    ];
  });
};

export const targetNoAddress: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  const hits: Hit[] = [];
  const targets = eachTarget(v);
  for (const { service, r } of targets) {
    if (!r.resolved || !definitelyNoAddress(r.resolved)) continue;
    hits.push(
      hit('dns.srv.target-no-address', {
        domain: f.domain,
        service: service.name,
        record: srvRecord(r),
        target: r.target,
        resolver: v.resolver,
        families: families(f),
        outcomes: addressOutcomes(r.resolved),
      }),
    );
  }
  if (targets.length > 0 && targets.every(({ r }) => (r.resolved?.addresses.length ?? 0) === 0)) {
    hits.push(
      hit('dns.srv.no-usable-target', {
        domain: f.domain,
        resolver: v.resolver,
        targets: targets.map(({ r }) => `${r.target}:${r.port}`),
      }),
    );
  }
  return hits;
};

export const portNonstandard: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v) return [];
  const xmpp = v.services['xmpp-server'];
  return usable(xmpp)
    .filter((r) => r.port !== S2S_PORT && r.resolved !== undefined)
    .map((r) =>
      hit('dns.srv.port-nonstandard', {
        domain: f.domain,
        service: xmpp.name,
        record: srvRecord(r),
        target: r.target,
        port: r.port,
      }),
    );
};

export const legacyJabber: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  const j = v?.services.jabber;
  if (j?.outcome !== 'answer' || j.records.length === 0) return [];
  return [
    hit('dns.srv.legacy-jabber', {
      domain: f.domain,
      name: j.name,
      records: capList(j.records.map(srvRecord)),
    }),
  ];
};

/** One line per resolver summarising what a server would use, for side-by-side comparison. */
export function viewSummary(v: ResolverView): string {
  const parts: string[] = [];
  const hosts = new Map<string, AddressLookup>();
  for (const s of [v.services['xmpp-server'], v.services['xmpps-server']]) {
    const recs = capList(s.records.map(srvRecord).sort());
    parts.push(`_${s.service}: ${recs.length > 0 ? recs.join(' | ') : s.outcome}`);
    for (const r of s.records) if (r.resolved) hosts.set(r.target, r.resolved);
  }
  hosts.set(v.domainAddresses.host, v.domainAddresses);
  for (const [host, l] of [...hosts.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    const ips = l.addresses.map((a) => a.ip).sort();
    parts.push(`${host}: ${ips.length > 0 ? ips.join(' ') : addressOutcomes(l) || 'no address'}`);
  }
  return parts.join('; ');
}

export const resolversDisagree: Rule<SrvFacts> = (f) => {
  if (f.mode !== 'compare') return [];
  const answered = f.views.filter((v) => v.answered);
  if (answered.length < 2) return [];
  const summaries = answered.map((v) => ({ resolver: v.resolver, summary: viewSummary(v) }));
  if (summaries.every((s) => s.summary === summaries[0]?.summary)) return [];
  return [
    hit('dns.resolvers.disagree', {
      domain: f.domain,
      answers: summaries.map((s) => `${s.resolver} → ${s.summary}`),
    }),
  ];
};

/** The hits of an id beyond MAX_SAME become one dns.finding.repeated naming them. */
export function aggregateRepeats(hits: Hit[]): Hit[] {
  const label = (h: Hit) =>
    String(h.evidence.record ?? h.evidence.target ?? h.evidence.resolver ?? h.evidence.name ?? '?');
  return capRepeats(hits, (id, same) => {
    const rest = same.slice(MAX_SAME);
    return hit('dns.finding.repeated', {
      domain: String(same[0]?.evidence.domain ?? ''),
      repeatedId: id,
      count: rest.length,
      shown: MAX_SAME,
      others: capList(rest.map(label)),
    });
  });
}

const rawProblemRules: readonly Rule<SrvFacts>[] = [
  queryFailures,
  domainExists,
  srvMissing,
  targetDot,
  onlyDirectTls,
  tooManyTargets,
  targetCname,
  targetNoAddress,
  portNonstandard,
  legacyJabber,
  resolversDisagree,
];

const problemRules: readonly Rule<SrvFacts>[] = [
  (f) => aggregateRepeats(rawProblemRules.flatMap((r) => r(f))),
];

/** The healthy result: says what was verified, only when nothing above is a warning or an error. */
export const srvOk: Rule<SrvFacts> = (f) => {
  const v = primaryView(f);
  if (!v || f.connect.length === 0) return [];
  const bad = problemRules.some((r) => r(f).some((h) => catalogEntry(h.id).severity !== 'info'));
  if (bad) return [];
  const records = capList(
    [v.services['xmpp-server'], v.services['xmpps-server']].flatMap((s) =>
      usable(s).map((r) => `${s.name} SRV ${srvRecord(r)}`),
    ),
  );
  const connect = f.connect.map((c) => {
    const ip = c.ip.includes(':') ? `[${c.ip}]` : c.ip;
    return `${c.host} ${ip}:${c.port} (${c.directTls ? 'direct TLS' : 'STARTTLS'})`;
  });
  return [hit('dns.srv.ok', { domain: f.domain, resolver: v.resolver, records, connect })];
};

export const dnsRules: readonly Rule<SrvFacts>[] = [...problemRules, srvOk];
