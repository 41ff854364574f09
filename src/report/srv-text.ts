/**
 * Human summary of SrvFacts for `xfed check srv` (the `describe` lines of the text report):
 * SRV records in try order with their addresses, the fallback, and the connect list.
 * Formats facts only; verdicts come from the findings.
 */
import type { AddressLookup, DnsQueryFact, ResolverView, ServiceLookup, SrvFacts } from '../facts/srv.js';
import type { Report } from './model.js';

function addrs(l: AddressLookup | undefined): string {
  if (!l) return '';
  const list = l.addresses.map((a) => a.ip).join(', ');
  const alias = l.cnameChain.length > 0 ? ` (CNAME ${l.cnameChain.join(', ')})` : '';
  const none = [l.a ? `A ${l.a}` : '', l.aaaa ? `AAAA ${l.aaaa}` : ''].filter(Boolean).join(', ');
  return `${alias} → ${list || `no address (${none})`}`;
}

function header(s: ServiceLookup, q: DnsQueryFact | undefined): string {
  const flags = q?.flags
    ? Object.entries(q.flags)
        .filter(([, on]) => on)
        .map(([k]) => k.toUpperCase())
    : [];
  const bits = [q?.rcode ?? s.outcome, q?.transport, flags.length > 0 ? flags.join(' ') : '']
    .filter(Boolean)
    .join(', ');
  return `${s.name}  (${bits})`;
}

function viewLines(v: ResolverView, f: SrvFacts): string[] {
  const out: string[] = [];
  for (const key of ['xmpp-server', 'xmpps-server', 'jabber'] as const) {
    const s = v.services[key];
    const q = v.queries.find((x) => x.type === 'SRV' && x.name === s.name);
    out.push(header(s, q));
    if (s.records.length === 0) out.push(`  no records (${s.outcome})`);
    s.records.forEach((r, i) => {
      out.push(
        `  ${i + 1}. prio ${r.priority} weight ${r.weight} port ${r.port} ${r.target} ttl ${r.ttl}${addrs(r.resolved)}`,
      );
    });
  }
  out.push(`${f.domain} A/AAAA (fallback to ${f.domain}:5269)${addrs(v.domainAddresses)}`);
  return out;
}

/** Lines shown above the findings in the text report of `check srv`. */
export function describeSrv(r: Report): string[] {
  const f = r.facts as unknown as SrvFacts;
  if (!f || !Array.isArray(f.views)) return [];
  const out: string[] = [];
  out.push(f.unicode ? `domain ${f.unicode} (A-label ${f.domain})` : `domain ${f.domain}`);
  const tried = f.views.map((v) => `${v.resolver}${v.answered ? '' : ' (no answer)'}`).join(', ');
  out.push(
    `resolver${f.views.length > 1 ? 's' : ''} ${tried}${f.mode === 'compare' ? ', compared' : ''}${f.tcpForced ? ', TCP only' : ''}`,
  );
  for (const s of f.skipped ?? [])
    out.push(`not asked: ${s.resolver} (silent for ${s.silentFor.join(', ')} earlier in this run)`);
  const primary = f.primary === null ? undefined : f.views[f.primary];
  if (primary) {
    out.push('', `As answered by ${primary.resolver} (SRV records in the order servers try them):`);
    out.push(...viewLines(primary, f).map((l) => `  ${l}`));
  }
  if (f.mode === 'compare') {
    for (const v of f.views) {
      if (v === primary || !v.answered) continue;
      out.push('', `As answered by ${v.resolver}:`, ...viewLines(v, f).map((l) => `  ${l}`));
    }
  }
  out.push('', 'Connect list (try order):');
  if (f.connect.length === 0) out.push('  (empty: nothing to connect to)');
  f.connect.forEach((c, i) => {
    const ip = c.ip.includes(':') ? `[${c.ip}]` : c.ip;
    const how = c.directTls ? 'direct TLS' : 'STARTTLS';
    const via =
      c.source === 'fallback' ? 'A/AAAA fallback' : `_${c.source}, prio ${c.priority} weight ${c.weight}`;
    out.push(`  ${i + 1}. ${c.host} ${ip}:${c.port} ${how} (${via})`);
  });
  return out;
}
