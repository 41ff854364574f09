/**
 * Default resolvers: the `nameserver` lines of /etc/resolv.conf (resolv.conf(5)), in order,
 * at most three like glibc's MAXNS, port 53; 127.0.0.1 when there are none (the libc default).
 */
import { readFile } from 'node:fs/promises';
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

export async function systemResolvers(path = '/etc/resolv.conf'): Promise<ResolverAddress[]> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    // A missing resolv.conf means "use the local resolver", as libc does.
  }
  const list = parseResolvConf(text);
  return list.length > 0 ? list : [{ ...FALLBACK_RESOLVER }];
}

/** ip:port, with brackets for IPv6 so the port is unambiguous. */
export function formatResolver(r: ResolverAddress): string {
  // Hosts here are IP literals, so a colon means IPv6.
  return r.host.includes(':') ? `[${r.host}]:${r.port}` : `${r.host}:${r.port}`;
}
