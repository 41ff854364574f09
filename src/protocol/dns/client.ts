/**
 * DNS stub client on dns-packet. UDP first (RFC 1035 §4.2.1) with retransmissions inside one
 * per-query deadline, TCP when the answer is truncated (TC bit) or when forced (RFC 1035
 * §4.2.2 two-octet length framing, RFC 7766). Queries set RD and AD (RFC 6840 §5.7: AD in a
 * query asks the resolver to report whether it validated the answer). One connected UDP
 * socket per resolver is shared by all queries, so ICMP "port unreachable" is reported
 * (ECONNREFUSED) and a batch pays no per-query socket cost. Never throws for network or
 * peer faults: every query ends in a DnsOutcome.
 */
import { randomInt } from 'node:crypto';
import dgram from 'node:dgram';
import net from 'node:net';
import type * as DnsPacketModule from 'dns-packet';
import dnsPacket from 'dns-packet';
import type { DnsOutcome, DnsQueryFact, DnsRecordFact } from '../../facts/srv.js';
import { formatResolver, type ResolverAddress } from './resolv-conf.js';

// dns-packet is CommonJS; the bundled build (scripts/bundle.mjs) inlines it, so Node's CJS
// export scanner never runs over it at start-up (docs/performance.md).

export type QueryType = 'SRV' | 'A' | 'AAAA';

/** Where query lines go (the run's Transcript satisfies this). */
export interface QueryLog {
  out(data: string): void;
  in(data: string): void;
  note(data: string): void;
}

export interface QueryOptions {
  /** Deadline for the whole query over UDP (all transmissions), and again for a TCP exchange. */
  timeoutMs: number;
  /** UDP retransmissions spread evenly inside the deadline (default 2, so 3 transmissions). */
  retries?: number;
  /** Use TCP only. */
  tcp?: boolean;
  log?: QueryLog;
}

export type TypedRecord =
  | { type: 'A' | 'AAAA'; ttl: number; ip: string }
  | { type: 'SRV'; ttl: number; priority: number; weight: number; port: number; target: string };

export interface QueryResult extends DnsQueryFact {
  /** Records of the asked type owned by the end of the CNAME chain. */
  records: TypedRecord[];
  /** The name the CNAME chain stopped at when the answer had no records of the type for it. */
  unresolvedAlias?: string;
}

/**
 * Queries in flight per resolver socket. Above a few hundred, answers arriving in one burst
 * overflow the socket's receive buffer and are dropped (seen on loopback with Linux defaults),
 * which costs a retransmission interval; a queue is cheaper.
 */
const MAX_IN_FLIGHT = 128;
/** Receive buffer asked for (the kernel caps it at net.core.rmem_max). */
const RECV_BUFFER_BYTES = 1 << 20;

/** CNAME links followed at most, inside one answer and across follow-up queries. */
export const MAX_CNAME_CHAIN = 8;

type Exchange =
  | { ok: true; msg: DnsPacketModule.DecodedPacket & { rcode?: string } }
  | { ok: false; outcome: 'timeout' | 'unreachable' | 'malformed' | 'truncated'; error: string };

interface Pending {
  name: string;
  type: QueryType;
  startedAt: number;
  done(x: Exchange): void;
}

/** Normalises a wire name: lower case, no trailing dot, "." for the root. */
export function normName(n: string): string {
  const s = n.toLowerCase().replace(/\.$/, '');
  return s === '' ? '.' : s;
}

/** One DNS message from the wire (dns-packet), or why it cannot be read. Never throws. */
export function decodeMessage(
  buf: Buffer,
): { ok: true; msg: DnsPacketModule.DecodedPacket } | { ok: false; error: string } {
  try {
    return { ok: true, msg: dnsPacket.decode(buf) };
  } catch (e) {
    return { ok: false, error: String((e as Error)?.message ?? e) };
  }
}

export function questionMatches(msg: DnsPacketModule.DecodedPacket, name: string, type: QueryType): boolean {
  const q = msg.questions?.[0];
  return q !== undefined && q.type === type && normName(q.name) === normName(name);
}

/** One connected UDP socket to one resolver, multiplexing queries by message id. */
class UdpChannel {
  private readonly socket: dgram.Socket;
  private readonly ready: Promise<void>;
  private readonly pending = new Map<number, Pending>();
  /** Callers waiting for an in-flight slot (see MAX_IN_FLIGHT). */
  private readonly waiting: (() => void)[] = [];
  private inFlight = 0;
  /** When the last datagram that matched no query or could not be parsed arrived. */
  lastGarbageAt = 0;
  closed = false;

  constructor(
    resolver: ResolverAddress,
    private readonly onClosed: () => void,
  ) {
    const v6 = resolver.host.includes(':'); // resolvers are IP literals (validated on input)
    this.socket = dgram.createSocket({ type: v6 ? 'udp6' : 'udp4' });
    this.socket.unref();
    this.socket.on('message', (buf) => this.onMessage(buf));
    this.socket.on('error', (err: NodeJS.ErrnoException) => this.fail(err));
    // Resolves on connect, or on an error (then `closed` is set and queries fail at once).
    this.ready = new Promise((resolve) => {
      this.socket.once('error', () => resolve());
      this.socket.connect(resolver.port, resolver.host, () => {
        try {
          this.socket.setRecvBufferSize(RECV_BUFFER_BYTES);
        } catch {
          // Not allowed here: the default buffer still works, MAX_IN_FLIGHT keeps bursts small.
        }
        resolve();
      });
    });
  }

  private onMessage(buf: Buffer): void {
    if (buf.length < 12) {
      this.lastGarbageAt = Date.now();
      return;
    }
    const id = buf.readUInt16BE(0);
    const p = this.pending.get(id);
    if (!p) return; // a late answer to a query that already ended
    const decoded = decodeMessage(buf);
    if (!decoded.ok) {
      this.pending.delete(id);
      p.done({
        ok: false,
        outcome: 'malformed',
        error: `undecodable answer (${buf.length} octets): ${decoded.error}`,
      });
      return;
    }
    const msg = decoded.msg;
    // An answer must be a response to this very question (RFC 5452 §9.1); anything else is
    // ignored like a spoofing attempt, but remembered in case the query then times out.
    if (!msg.flag_qr || !questionMatches(msg, p.name, p.type)) {
      this.lastGarbageAt = Date.now();
      return;
    }
    this.pending.delete(id);
    p.done({ ok: true, msg });
  }

  /** Socket errors on a connected UDP socket are ICMP errors from the resolver's address. */
  private fail(err: NodeJS.ErrnoException): void {
    const error = `${err.code ?? 'error'}: ${err.message}`;
    for (const p of [...this.pending.values()]) p.done({ ok: false, outcome: 'unreachable', error });
    this.pending.clear();
    this.close();
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < MAX_IN_FLIGHT) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.inFlight--;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const w of this.waiting.splice(0)) w();
    this.onClosed();
    try {
      this.socket.close();
    } catch {
      // already closed
    }
  }

  private newId(): number {
    for (;;) {
      const id = randomInt(0, 65536);
      if (!this.pending.has(id)) return id;
    }
  }

  /** Sends the question up to 1 + retries times inside timeoutMs and waits for the matching answer. */
  async exchange(
    name: string,
    type: QueryType,
    timeoutMs: number,
    retries: number,
  ): Promise<Exchange & { attempts: number }> {
    await this.ready;
    await this.acquire();
    try {
      return await this.exchangeNow(name, type, timeoutMs, retries);
    } finally {
      this.release();
    }
  }

  private exchangeNow(
    name: string,
    type: QueryType,
    timeoutMs: number,
    retries: number,
  ): Promise<Exchange & { attempts: number }> {
    if (this.closed) {
      return Promise.resolve({
        ok: false,
        outcome: 'unreachable',
        error: "the resolver's address rejected the socket",
        attempts: 0,
      });
    }
    const id = this.newId();
    const packet = encodeQuery(id, name, type);
    let attempts = 0;
    return new Promise((resolve) => {
      const startedAt = Date.now();
      const timers: NodeJS.Timeout[] = [];
      const finish = (x: Exchange) => {
        for (const t of timers) clearTimeout(t);
        this.pending.delete(id);
        resolve({ ...x, attempts });
      };
      this.pending.set(id, { name, type, startedAt, done: finish });
      const send = () => {
        if (this.closed || !this.pending.has(id)) return;
        attempts++;
        this.socket.send(packet, (err) => {
          if (err && this.pending.has(id)) {
            const code = (err as NodeJS.ErrnoException).code;
            finish({ ok: false, outcome: 'unreachable', error: `${code ?? 'error'}: ${err.message}` });
          }
        });
      };
      send();
      const interval = timeoutMs / (retries + 1);
      for (let i = 1; i <= retries; i++) timers.push(setTimeout(send, Math.floor(interval * i)));
      timers.push(
        setTimeout(() => {
          if (this.lastGarbageAt >= startedAt) {
            finish({
              ok: false,
              outcome: 'malformed',
              error: `only unusable datagrams arrived within ${timeoutMs} ms`,
            });
          } else {
            finish({
              ok: false,
              outcome: 'timeout',
              error: `no answer within ${timeoutMs} ms (${attempts} transmissions)`,
            });
          }
        }, timeoutMs),
      );
    });
  }
}

const channels = new Map<string, UdpChannel>();

function channelFor(r: ResolverAddress): UdpChannel {
  const key = formatResolver(r);
  let ch = channels.get(key);
  if (!ch || ch.closed) {
    ch = new UdpChannel(r, () => {
      if (channels.get(key) === ch) channels.delete(key);
    });
    channels.set(key, ch);
  }
  return ch;
}

/** Closes every shared UDP socket (they are unref'd, so this is only needed by tests). */
export function closeDnsSockets(): void {
  for (const ch of [...channels.values()]) ch.close();
}

/** The question as a message: RD, and AD to learn whether the resolver validated (RFC 6840 §5.7). */
function queryMessage(id: number, name: string, type: QueryType): DnsPacketModule.Packet {
  return {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA,
    questions: [{ type, name, class: 'IN' }],
  };
}

function encodeQuery(id: number, name: string, type: QueryType): Buffer {
  return dnsPacket.encode(queryMessage(id, name, type));
}

/** One query over TCP: connect, send length-prefixed, read one length-prefixed answer. */
function tcpExchange(
  r: ResolverAddress,
  name: string,
  type: QueryType,
  timeoutMs: number,
): Promise<Exchange> {
  const id = randomInt(0, 65536);
  const packet = dnsPacket.streamEncode(queryMessage(id, name, type));
  return new Promise((resolve) => {
    let settled = false;
    let buf = Buffer.alloc(0);
    const sock = net.connect({ host: r.host, port: r.port });
    const finish = (x: Exchange) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      sock.destroy();
      resolve(x);
    };
    const timer = setTimeout(
      () => finish({ ok: false, outcome: 'timeout', error: `no answer over TCP within ${timeoutMs} ms` }),
      timeoutMs,
    );
    sock.on('connect', () => sock.write(packet));
    sock.on('data', (d: Buffer) => {
      // Bounded: the buffer grows only until one message (at most 65535 octets
      // after the length prefix) is complete, then the connection is dropped.
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = buf.readUInt16BE(0);
      if (buf.length < 2 + len) return;
      const decoded = decodeMessage(buf.subarray(2, 2 + len));
      if (!decoded.ok) {
        finish({
          ok: false,
          outcome: 'malformed',
          error: `undecodable TCP answer (${len} octets): ${decoded.error}`,
        });
      } else if (decoded.msg.id !== id || !decoded.msg.flag_qr || !questionMatches(decoded.msg, name, type)) {
        finish({
          ok: false,
          outcome: 'malformed',
          error: 'TCP answer does not match the question (id or question differs)',
        });
      } else {
        finish({ ok: true, msg: decoded.msg });
      }
    });
    sock.on('error', (err: NodeJS.ErrnoException) => {
      finish({ ok: false, outcome: 'unreachable', error: `${err.code ?? 'error'}: ${err.message} (TCP)` });
    });
    sock.on('close', () => {
      const what =
        buf.length > 0
          ? `closed after ${buf.length} octets of an incomplete answer`
          : 'closed without answering';
      finish({
        ok: false,
        outcome: buf.length > 0 ? 'malformed' : 'unreachable',
        error: `TCP connection ${what}`,
      });
    });
  });
}

function presentData(a: DnsPacketModule.Answer): string {
  const d = (a as { data?: unknown }).data;
  if (a.type === 'SRV') {
    const s = d as DnsPacketModule.SrvData;
    return `${s.priority ?? 0} ${s.weight ?? 0} ${s.port} ${normName(s.target)}`;
  }
  if (typeof d === 'string') return a.type === 'CNAME' ? normName(d) : d;
  if (Buffer.isBuffer(d)) return `(${d.length} octets)`;
  return JSON.stringify(d) ?? '';
}

function rcodeOutcome(rcode: string): DnsOutcome {
  switch (rcode) {
    case 'NOERROR':
      return 'nodata';
    case 'NXDOMAIN':
      return 'nxdomain';
    case 'SERVFAIL':
      return 'servfail';
    case 'REFUSED':
      return 'refused';
    default:
      return 'error-rcode';
  }
}

/** Reads the answer section: follows CNAMEs from the question name and picks the records of the type. */
export function interpret(
  msg: DnsPacketModule.DecodedPacket & { rcode?: string },
  name: string,
  type: QueryType,
) {
  const answers = (msg.answers ?? []).filter((a) => a.type !== 'OPT');
  const facts: DnsRecordFact[] = answers.map((a) => ({
    name: normName(a.name),
    type: a.type,
    ttl: (a as { ttl?: number }).ttl ?? 0,
    data: presentData(a),
  }));
  const chain: string[] = [];
  const seen = new Set<string>();
  let cur = normName(name);
  let records: TypedRecord[] = [];
  let error: string | undefined;
  for (;;) {
    seen.add(cur);
    const own = answers.filter((a) => normName(a.name) === cur);
    const typed = own.filter((a) => a.type === type);
    if (typed.length > 0) {
      records = typed.map((a) => toTyped(a));
      break;
    }
    const cname = own.find((a) => a.type === 'CNAME');
    if (!cname) break;
    const next = normName(String((cname as { data: unknown }).data));
    chain.push(`${cur} -> ${next}`);
    if (seen.has(next)) {
      error = 'CNAME loop';
      break;
    }
    if (chain.length >= MAX_CNAME_CHAIN) {
      error = `CNAME chain longer than ${MAX_CNAME_CHAIN} links`;
      break;
    }
    cur = next;
  }
  const rcode = msg.rcode ?? 'NOERROR';
  let outcome = rcodeOutcome(rcode);
  if (outcome === 'nodata' && records.length > 0) outcome = 'answer';
  // The chain stopped at a name the answer holds nothing for: the caller may ask for it.
  const unresolvedAlias = outcome === 'nodata' && chain.length > 0 && !error ? cur : undefined;
  return { facts, chain, records, rcode, outcome, unresolvedAlias, error };
}

function toTyped(a: DnsPacketModule.Answer): TypedRecord {
  const ttl = (a as { ttl?: number }).ttl ?? 0;
  if (a.type === 'SRV') {
    const s = (a as DnsPacketModule.SrvAnswer).data;
    return {
      type: 'SRV',
      ttl,
      priority: s.priority ?? 0,
      weight: s.weight ?? 0,
      port: s.port,
      target: normName(s.target),
    };
  }
  return { type: a.type as 'A' | 'AAAA', ttl, ip: String((a as { data: unknown }).data) };
}

function flagsOf(msg: DnsPacketModule.DecodedPacket) {
  return { aa: msg.flag_aa, tc: msg.flag_tc, ad: msg.flag_ad, ra: msg.flag_ra };
}

function describeAnswer(r: QueryResult): string {
  const flags = r.flags
    ? Object.entries(r.flags)
        .filter(([, v]) => v)
        .map(([k]) => k)
    : [];
  const head = `${r.rcode ?? r.outcome}${flags.length ? ` [${flags.join(' ')}]` : ''} via ${r.transport} in ${r.durationMs} ms`;
  if (r.answers.length === 0)
    return `${head}: ${r.type} ${r.name}: no records${r.error ? ` (${r.error})` : ''}`;
  return `${head}: ${r.answers.map((a) => `${a.name} ${a.ttl} ${a.type} ${a.data}`).join('; ')}`;
}

/**
 * Asks one resolver one question. UDP unless opts.tcp; a truncated UDP answer is repeated
 * over TCP, and if that fails the outcome is 'truncated' (the full answer is unobtainable).
 */
export async function query(
  resolver: ResolverAddress,
  name: string,
  type: QueryType,
  opts: QueryOptions,
): Promise<QueryResult> {
  const started = Date.now();
  const where = formatResolver(resolver);
  const base = { name: normName(name), type, resolver: where };
  opts.log?.out(`${type}? ${base.name} @${where} ${opts.tcp ? 'tcp' : 'udp'}`);
  let transport: 'udp' | 'tcp' = opts.tcp ? 'tcp' : 'udp';
  let tcpRetry = false;
  let attempts = 0;
  let ex: Exchange;
  if (opts.tcp) {
    ex = await tcpExchange(resolver, name, type, opts.timeoutMs);
  } else {
    const u = await channelFor(resolver).exchange(name, type, opts.timeoutMs, opts.retries ?? 2);
    attempts = u.attempts;
    ex = u;
    if (u.ok && u.msg.flag_tc) {
      opts.log?.note(`${type} ${base.name}: UDP answer truncated (TC), repeating over TCP`);
      tcpRetry = true;
      transport = 'tcp';
      const t = await tcpExchange(resolver, name, type, opts.timeoutMs);
      ex = t.ok
        ? t
        : {
            ok: false,
            outcome: 'truncated',
            error: `UDP answer truncated and the TCP retry failed: ${t.error}`,
          };
    }
  }
  let result: QueryResult;
  if (ex.ok) {
    const it = interpret(ex.msg, name, type);
    result = {
      ...base,
      transport,
      tcpRetry,
      outcome: it.outcome,
      rcode: it.rcode,
      flags: flagsOf(ex.msg),
      answers: it.facts,
      cnameChain: it.chain,
      attempts,
      durationMs: Date.now() - started,
      records: it.records,
    };
    if (it.unresolvedAlias) result.unresolvedAlias = it.unresolvedAlias;
    if (it.error) result.error = it.error;
  } else {
    result = {
      ...base,
      transport,
      tcpRetry,
      outcome: ex.outcome,
      answers: [],
      cnameChain: [],
      attempts,
      durationMs: Date.now() - started,
      error: ex.error,
      records: [],
    };
  }
  if (ex.ok) opts.log?.in(describeAnswer(result));
  else opts.log?.note(`${type} ${base.name} @${where}: ${result.outcome}: ${result.error}`);
  return result;
}

export interface LookupResult {
  /** Every query made (the first, then one per CNAME hop the resolver left unresolved). */
  queries: QueryResult[];
  /** Outcome of the last query. */
  outcome: DnsOutcome;
  records: TypedRecord[];
  cnameChain: string[];
  error?: string;
}

/**
 * A query that also chases a CNAME chain the resolver did not complete itself (an
 * authoritative-only server answers with the CNAME alone), bounded by MAX_CNAME_CHAIN.
 */
export async function lookup(
  resolver: ResolverAddress,
  name: string,
  type: QueryType,
  opts: QueryOptions,
): Promise<LookupResult> {
  const queries: QueryResult[] = [];
  const chain: string[] = [];
  const asked = new Set<string>();
  let current = normName(name);
  for (;;) {
    asked.add(current);
    const q = await query(resolver, current, type, opts);
    queries.push(q);
    chain.push(...q.cnameChain);
    const res: LookupResult = { queries, outcome: q.outcome, records: q.records, cnameChain: chain };
    const next = q.unresolvedAlias;
    if (!next) {
      if (q.error) res.error = q.error;
      return res;
    }
    if (asked.has(next)) return { ...res, error: 'CNAME loop' };
    if (chain.length >= MAX_CNAME_CHAIN)
      return { ...res, error: `CNAME chain longer than ${MAX_CNAME_CHAIN} links` };
    current = next;
  }
}
