/**
 * The lab's private DNS: dnsmasq authoritative for `.test` (it never forwards), listening only
 * on the lab resolver address inside the namespace. Records come from the scenarios plus any
 * `extraDns` a test asks for. dnsmasq option syntax: dnsmasq(8) (`srv-host` takes
 * name,target,port,priority,weight; no target means the RFC 2782 "." target).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One record the lab's DNS serves. Names are absolute, without the trailing dot. */
export type DnsRecord =
  | { type: 'A'; name: string; address: string }
  | { type: 'AAAA'; name: string; address: string }
  /** target "." (or "") is the RFC 2782 "service decidedly not available" record. */
  | { type: 'SRV'; name: string; target: string; port: number; priority?: number; weight?: number }
  /** dnsmasq serves a CNAME only when its target is a name it knows (host-record or another cname). */
  | { type: 'CNAME'; name: string; target: string }
  | { type: 'TXT'; name: string; text: string };

/** The zone dnsmasq answers for; names outside it are REFUSED-or-empty, never forwarded. */
export const LAB_ZONE = 'test';

function line(r: DnsRecord): string {
  switch (r.type) {
    case 'A':
    case 'AAAA':
      return `host-record=${r.name},${r.address}`;
    case 'SRV':
      if (r.target === '.' || r.target === '') return `srv-host=${r.name},,0,0,0`;
      return `srv-host=${r.name},${r.target},${r.port},${r.priority ?? 0},${r.weight ?? 5}`;
    case 'CNAME':
      return `cname=${r.name},${r.target}`;
    case 'TXT':
      return `txt-record=${r.name},"${r.text.replace(/"/g, '')}"`;
  }
}

/** Writes dnsmasq.conf into `dir` and returns its path. */
export function writeDnsmasqConfig(dir: string, listenIp: string, records: readonly DnsRecord[]): string {
  const file = join(dir, 'dnsmasq.conf');
  const conf = [
    '# xfed interop lab: private DNS (generated)',
    'no-resolv',
    'no-hosts',
    'no-poll',
    `local=/${LAB_ZONE}/`,
    `listen-address=${listenIp}`,
    'bind-interfaces',
    'port=53',
    // No cache: every answer comes straight from the records below.
    'cache-size=0',
    'log-queries',
    `log-facility=${join(dir, 'dnsmasq-queries.log')}`,
    // Stays root inside the namespace: nothing to drop to that can write the log in our temp dir.
    'user=root',
    'pid-file=',
    ...records.map(line),
    '',
  ].join('\n');
  writeFileSync(file, conf);
  return file;
}
