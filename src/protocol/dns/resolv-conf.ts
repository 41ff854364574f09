/**
 * Default resolvers: the `nameserver` lines of /etc/resolv.conf (resolv.conf(5)), in order,
 * at most three like glibc's MAXNS, port 53. Without a usable resolv.conf (Windows, some
 * containers) the servers Node's own resolver was configured with (dns.getServers(): the
 * system settings on Windows), and only when that is empty too 127.0.0.1 (the libc default).
 */
import { getServers } from 'node:dns';
import { isIP } from 'node:net';

export interface ResolverAddress {
  host: string;
  port: number;
}

/** glibc uses at most this many nameserver lines. */
const MAXNS = 3;

export function parseResolvConf(text: string): ResolverAddress[] {
  const out: ResolverAddress[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const m = /^nameserver\s+(\S+)/.exec(line);
    if (!m) continue;
    const host = m[1] as string;
    // A zone index (fe80::1%eth0) is kept: dgram accepts it for link-local resolvers.
    if (!isIP(host.replace(/%.*$/, ''))) continue;
    out.push({ host, port: 53 });
    if (out.length === MAXNS) break;
  }
  return out;
}

export const FALLBACK_RESOLVER: ResolverAddress = { host: '127.0.0.1', port: 53 };

/** dns.getServers() entries ("1.2.3.4", "1.2.3.4:5353", "::1", "[::1]:5353") as addresses. */
export function parseServerList(servers: readonly string[]): ResolverAddress[] {
  const out: ResolverAddress[] = [];
  for (const s of servers) {
    const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(s);
    const v4port = /^([\d.]+):(\d+)$/.exec(s);
    const [host, port] = bracket
      ? [bracket[1] as string, bracket[2]]
      : v4port
        ? [v4port[1] as string, v4port[2]]
        : [s, undefined];
    if (!isIP(host.replace(/%.*$/, ''))) continue;
    out.push({ host, port: port ? Number(port) : 53 });
    if (out.length === MAXNS) break;
  }
  return out;
}

/**
 * The default resolvers from resolv.conf's text ('' without a file); read through
 * SystemDnsFiles (system-files.ts), which keeps the file per process.
 */
export function resolversFromText(text: string, nodeServers: () => string[] = getServers): ResolverAddress[] {
  const list = parseResolvConf(text);
  if (list.length > 0) return list;
  let fromNode: ResolverAddress[] = [];
  try {
    fromNode = parseServerList(nodeServers());
  } catch {
    // c-ares could not be asked: the libc default remains.
  }
  return fromNode.length > 0 ? fromNode : [{ ...FALLBACK_RESOLVER }];
}

/** ip:port, with brackets for IPv6 so the port is unambiguous. */
export function formatResolver(r: ResolverAddress): string {
  // Hosts here are IP literals, so a colon means IPv6.
  return r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}
