/**
 * Who holds a TCP port we could not bind (EADDRINUSE), when Linux lets us know: the listening
 * socket's inode from /proc/net/tcp{,6}, then the process whose fd table has that socket
 * (/proc/<pid>/fd, readable for other users' processes only as root). Facts for the
 * `dialback.listener.port-in-use` finding; undefined wherever it cannot be known. Bounded:
 * at most MAX_PIDS processes and MAX_PROC_BYTES of each table are read.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

const MAX_PIDS = 4096;
const MAX_PROC_BYTES = 4 * 1024 * 1024;
/** TCP state LISTEN in /proc/net/tcp. */
const TCP_LISTEN = '0A';

export interface PortHolder {
  /** Local address of the listening socket, as in /proc (ip:port). */
  address: string;
  pid?: number;
  /** /proc/<pid>/comm, e.g. prosody, beam.smp, jabberd2-s2s. */
  command?: string;
}

function hexToIpv4(h: string): string {
  const n = Number.parseInt(h, 16);
  return [n & 255, (n >>> 8) & 255, (n >>> 16) & 255, (n >>> 24) & 255].join('.');
}

function hexToIpv6(h: string): string {
  // /proc prints the address as four host-order 32-bit words.
  const words = h.match(/.{8}/g) ?? [];
  const bytes = words.flatMap((w) => (w.match(/../g) ?? []).reverse());
  const groups: string[] = [];
  for (let i = 0; i < bytes.length; i += 2) groups.push(`${bytes[i]}${bytes[i + 1]}`.replace(/^0+(?=.)/, ''));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

async function listeningInodes(port: number): Promise<{ inode: string; address: string }[]> {
  const out: { inode: string; address: string }[] = [];
  for (const [file, v6] of [
    ['/proc/net/tcp', false],
    ['/proc/net/tcp6', true],
  ] as const) {
    let text: string;
    try {
      text = (await readFile(file)).subarray(0, MAX_PROC_BYTES).toString('utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      const [addr, portHex] = (f[1] ?? '').split(':');
      if (!addr || !portHex || f[3] !== TCP_LISTEN || Number.parseInt(portHex, 16) !== port) continue;
      const ip = v6 ? hexToIpv6(addr) : hexToIpv4(addr);
      out.push({ inode: f[9] ?? '', address: v6 ? `[${ip}]:${port}` : `${ip}:${port}` });
    }
  }
  return out;
}

/** The process listening on `port` (TCP), if /proc tells; never throws. */
export async function portHolder(port: number): Promise<PortHolder | undefined> {
  if (process.platform !== 'linux') return undefined;
  try {
    const sockets = await listeningInodes(port);
    const first = sockets[0];
    if (!first) return undefined;
    const wanted = new Map(sockets.map((s) => [`socket:[${s.inode}]`, s.address]));
    const pids = (await readdir('/proc')).filter((d) => /^\d+$/.test(d)).slice(0, MAX_PIDS);
    for (const pid of pids) {
      let fds: string[];
      try {
        fds = await readdir(`/proc/${pid}/fd`);
      } catch {
        continue;
      }
      for (const fd of fds) {
        const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const address = wanted.get(link);
        if (!address) continue;
        const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
        return { address, pid: Number(pid), ...(comm ? { command: comm } : {}) };
      }
    }
    return { address: first.address };
  } catch {
    return undefined;
  }
}
