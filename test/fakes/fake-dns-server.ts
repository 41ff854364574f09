/**
 * In-process DNS server for tests (dns-packet, UDP and TCP on one random loopback port),
 * scripted per test: a small zone answered like a recursive resolver (CNAMEs followed,
 * NXDOMAIN vs NODATA kept apart, empty non-terminals are NODATA per RFC 8020), plus a
 * handler that can override any question with an rcode, a truncated (TC) UDP reply,
 * silence, raw bytes, or a delay. Records every question it receives.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import dnsPacket from 'dns-packet';

export type FakeRecord =
  | { type: 'A' | 'AAAA' | 'CNAME'; data: string; ttl?: number }
  | { type: 'SRV'; data: { priority: number; weight: number; port: number; target: string }; ttl?: number };

export type FakeZone = Record<string, FakeRecord[]>;

export interface FakeQuestion {
  name: string;
  type: string;
  transport: 'udp' | 'tcp';
}

export interface FakeReply {
  rcode?: 'NOERROR' | 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' | 'NOTIMP' | 'FORMERR';
  /** Answer records (owner name defaults to the question name). */
  answers?: (FakeRecord & { name?: string })[];
  /** Over UDP: reply with TC set and no answers (RFC 1035 §4.2.1), so the client must use TCP. */
  truncate?: boolean;
  /** Send nothing at all. */
  silent?: boolean;
  /** Send these bytes instead of a DNS message; a function gets the query id. */
  raw?: Buffer | ((id: number) => Buffer);
  /** Wait before replying. */
  delayMs?: number;
  aa?: boolean;
  ad?: boolean;
}

/** Returns a reply for a question, or undefined to answer from the zone. */
export type FakeHandler = (q: FakeQuestion) => FakeReply | undefined;

export interface FakeDnsOptions {
  zone?: FakeZone;
  handler?: FakeHandler;
  /** Listen on TCP too (default true). */
  tcp?: boolean;
  /** Loopback address to listen on (default 127.0.0.1; '::1' for an IPv6 resolver). */
  host?: '127.0.0.1' | '::1';
}

export interface FakeDnsServer {
  host: string;
  port: number;
  /** For SrvOptions.resolvers. */
  address: { host: string; port: number };
  questions: FakeQuestion[];
  close(): Promise<void>;
}

const norm = (n: string) => n.toLowerCase().replace(/\.$/, '');

/** A zone indexed for lookups: records by normalised name, and every name that has names below it. */
export interface ZoneIndex {
  records: Map<string, FakeRecord[]>;
  parents: Set<string>;
}

export function indexZone(zone: FakeZone): ZoneIndex {
  const records = new Map(Object.entries(zone).map(([k, v]) => [norm(k), v]));
  const parents = new Set<string>();
  for (const name of records.keys()) {
    const labels = name.split('.');
    for (let i = 1; i < labels.length; i++) parents.add(labels.slice(i).join('.'));
  }
  return { records, parents };
}

/** Answers from the zone the way a recursive resolver would. */
export function zoneReply(zone: ZoneIndex, name: string, type: string): FakeReply {
  const answers: (FakeRecord & { name: string })[] = [];
  let cur = norm(name);
  for (let hops = 0; hops < 16; hops++) {
    const own = zone.records.get(cur);
    if (!own) {
      // A CNAME into nothing is NXDOMAIN with the chain; an empty non-terminal is NODATA (RFC 8020).
      const nonTerminal = answers.length === 0 && zone.parents.has(cur);
      return { rcode: nonTerminal ? 'NOERROR' : 'NXDOMAIN', answers };
    }
    const typed = own.filter((r) => r.type === type);
    if (typed.length > 0)
      return { rcode: 'NOERROR', answers: [...answers, ...typed.map((r) => ({ ...r, name: cur }))] };
    const cname = own.find((r) => r.type === 'CNAME');
    if (!cname || type === 'CNAME') return { rcode: 'NOERROR', answers };
    answers.push({ ...cname, name: cur });
    cur = norm(cname.data as string);
  }
  return { rcode: 'SERVFAIL' };
}

const RCODE: Record<string, number> = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
};

function encodeReply(query: dnsPacket.DecodedPacket, reply: FakeReply, transport: 'udp' | 'tcp'): Buffer {
  if (reply.raw) return typeof reply.raw === 'function' ? reply.raw(query.id ?? 0) : reply.raw;
  const q = query.questions?.[0];
  const truncated = reply.truncate === true && transport === 'udp';
  let flags =
    dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE | (RCODE[reply.rcode ?? 'NOERROR'] ?? 0);
  if (truncated) flags |= dnsPacket.TRUNCATED_RESPONSE;
  if (reply.aa) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  if (reply.ad) flags |= dnsPacket.AUTHENTIC_DATA;
  const answers = truncated
    ? []
    : (reply.answers ?? []).map((a) => ({
        ...a,
        name: a.name ?? q?.name ?? '',
        ttl: a.ttl ?? 300,
        class: 'IN' as const,
      }));
  return dnsPacket.encode({
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: query.questions ?? [],
    answers: answers as dnsPacket.Answer[],
  });
}

/** Largest UDP reply sent as is; larger answers go out truncated (TC set), as a real server would. */
const MAX_UDP_REPLY = 4096;

export async function startFakeDns(opts: FakeDnsOptions = {}): Promise<FakeDnsServer> {
  const questions: FakeQuestion[] = [];
  const zone = indexZone(opts.zone ?? {});
  const host = opts.host ?? '127.0.0.1';
  const replyFor = (query: dnsPacket.DecodedPacket, transport: 'udp' | 'tcp'): FakeReply => {
    const q = query.questions?.[0];
    const fq = { name: norm(q?.name ?? ''), type: q?.type ?? '', transport };
    questions.push(fq);
    return opts.handler?.(fq) ?? zoneReply(zone, fq.name, fq.type);
  };

  const onDatagram = (udp: dgram.Socket, buf: Buffer, rinfo: dgram.RemoteInfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(buf);
    } catch {
      return;
    }
    const reply = replyFor(query, 'udp');
    if (reply.silent) return;
    const send = () => {
      let out = encodeReply(query, reply, 'udp');
      // Like a real server: an answer that cannot travel in one datagram is sent truncated (TC).
      if (out.length > MAX_UDP_REPLY) out = encodeReply(query, { ...reply, truncate: true }, 'udp');
      udp.send(out, rinfo.port, rinfo.address);
    };
    if (reply.delayMs) setTimeout(send, reply.delayMs);
    else send();
  };
  const sockets = new Set<net.Socket>();
  const tcp = net.createServer((sock) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => {});
    let buf = Buffer.alloc(0);
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
        const len = buf.readUInt16BE(0);
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        let query: dnsPacket.DecodedPacket;
        try {
          query = dnsPacket.decode(msg);
        } catch {
          sock.destroy();
          return;
        }
        const reply = replyFor(query, 'tcp');
        if (reply.silent) continue;
        const send = () => {
          const out = encodeReply(query, reply, 'tcp');
          const head = Buffer.alloc(2);
          head.writeUInt16BE(out.length);
          sock.write(Buffer.concat([head, out]));
        };
        if (reply.delayMs) setTimeout(send, reply.delayMs);
        else send();
      }
    });
  });

  // One port for both transports: bind UDP on a random port, then TCP on the same one.
  let udp: dgram.Socket;
  for (let tries = 0; ; tries++) {
    const u = dgram.createSocket(host === '::1' ? 'udp6' : 'udp4');
    udp = u;
    u.on('message', (buf, rinfo) => onDatagram(u, buf, rinfo));
    await new Promise<void>((resolve) => u.bind(0, host, () => resolve()));
    const port = u.address().port;
    if (opts.tcp === false) break;
    const ok = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, host, () => resolve(true));
    });
    if (ok) break;
    if (tries > 20) throw new Error('fake DNS: no free port for UDP and TCP');
    await new Promise<void>((resolve) => u.close(() => resolve()));
  }
  const port = udp.address().port;
  return {
    host,
    port,
    address: { host, port },
    questions,
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([
        new Promise<void>((resolve) => udp.close(() => resolve())),
        opts.tcp === false ? Promise.resolve() : new Promise<void>((resolve) => tcp.close(() => resolve())),
      ]);
    },
  };
}

/** A loopback UDP/TCP port with nothing listening (ICMP port unreachable / connection refused). */
export async function closedPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', () => resolve()));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
