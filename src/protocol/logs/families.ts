/**
 * Line families, recognised by content (never by file name), and the events xfed reads from
 * them: Expressway/VCS and XCP `Key="value"` records (cisco-and-peers.md §3, protocol notes §5),
 * Prosody's file log (`<time> <source>\t<level>\t<message>`, §4.1) and ejabberd's log
 * (`<time> [<level>] <pid>@<module>:<fun>/<arity>:<line> <message>`, §4.2). The strings matched
 * are the ones the servers print (seen in real lab logs and the TAC 213865 procedure, whose copy
 * is translated: XCP lines are recognised by CodeLocation and the XML they carry, not by prose).
 */
import type { DialbackStep, LogEvent, LogEventKind, LogFamily, LogRef } from '../../facts/logs.js';
import { type KvLine, kvGet, tokenizeKv } from './kv.js';

export type LineClass =
  | { family: 'cisco' }
  | { family: 'prosody'; time: string; source: string; level: string; message: string }
  | { family: 'ejabberd'; time: string; level: string; pid: string; where: string; message: string }
  | { family: 'continuation' }
  | undefined;

const isKeyChar = (c: number) =>
  (c >= 0x41 && c <= 0x5a) ||
  (c >= 0x61 && c <= 0x7a) ||
  (c >= 0x30 && c <= 0x39) ||
  c === 0x5f ||
  c === 0x2d;

/**
 * An Expressway pair: a capitalised key, `=`, a quote (Level="INFO", Detail="…", Status="401").
 * Hand-rolled instead of a regular expression: it runs on every line of a bundle, and the first
 * `=` of an Expressway line almost always settles it.
 */
export function hasCiscoPair(line: string): boolean {
  for (let i = line.indexOf('='), tries = 0; i > 0 && tries < 64; i = line.indexOf('=', i + 1), tries++) {
    let v = i + 1;
    while (line.charCodeAt(v) === 0x20) v++;
    const q = line.charCodeAt(v);
    if (q !== 0x22 && q !== 0x201c && q !== 0x201d) continue;
    let k = i - 1;
    while (k >= 0 && line.charCodeAt(k) === 0x20) k--;
    let ks = k;
    while (ks >= 0 && isKeyChar(line.charCodeAt(ks))) ks--;
    const c = line.charCodeAt(ks + 1);
    if (ks < k && c >= 0x41 && c <= 0x5a) return true;
  }
  return false;
}

const PROSODY =
  /^((?:[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)|(?:\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d\S*))\s+(\S+)\t(debug|info|warn|error)\t(.*)$/;
/** Prosody through syslog: `<time> <host> prosody[pid]: <source>: <message>` (no level word). */
const PROSODY_SYSLOG = /^(\S+(?: [ \d]\d \d\d:\d\d:\d\d)?)\s+\S+\s+prosody(?:\[\d+\])?:\s+(\S+?):\s+(.*)$/;
const EJABBERD =
  /^(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:?\d\d)?) \[(\w+)\] (<[\d.]+>)(?:@(\S+))? ?(.*)$/;

/** Which family a physical line starts (or `continuation` for an indented follow-on line). */
export function classifyLine(line: string): LineClass {
  const c0 = line.charCodeAt(0);
  if (c0 === 0x20 || c0 === 0x09 || c0 === 0x7c) return line.trim() ? { family: 'continuation' } : undefined;
  if (line.includes('\t')) {
    const p = PROSODY.exec(line);
    if (p) return { family: 'prosody', time: p[1]!, source: p[2]!, level: p[3]!, message: p[4]! };
  }
  if (c0 >= 0x30 && c0 <= 0x39 && line.charCodeAt(4) === 0x2d && line.includes('] <')) {
    const e = EJABBERD.exec(line);
    if (e)
      return { family: 'ejabberd', time: e[1]!, level: e[2]!, pid: e[3]!, where: e[4] ?? '', message: e[5]! };
  }
  if (hasCiscoPair(line)) return { family: 'cisco' };
  if (line.includes('prosody')) {
    const s = PROSODY_SYSLOG.exec(line);
    if (s) return { family: 'prosody', time: s[1]!, source: s[2]!, level: 'info', message: s[3]! };
  }
  return undefined;
}

/**
 * Cheap test: could this Cisco record say anything xfed reads? Most lines of a bundle cannot.
 * One case-sensitive alternation of literals (measured: about twice as fast as the same
 * alternation with /i, and faster than a loop of String#includes).
 */
const CISCO_RELEVANT =
  /db:|ialback|DBVerify|Resolver|ConnInfoHistory|stream\.out|stream\.in|onStreamOpen|executeSQLQuery|network\.axl|is_federation_enabled|TLS Negotiation|onnect|XMPPFederation|xcoder/;

export function ciscoRelevant(record: string): boolean {
  return CISCO_RELEVANT.test(record);
}

const PROSODY_RELEVANT =
  /s2s|certificate|dialback|denied the key|imposter|queued stanzas|Resolve _xmpp|Encrypted server-to-server|connection attempt failed|Received\[s2s|asking \S+ if key/;

export function prosodyRelevant(source: string, message: string): boolean {
  return source.startsWith('s2s') || source.startsWith('unbound') || PROSODY_RELEVANT.test(message);
}

const EJABBERD_RELEVANT = /s2s|db:result|db:verify|dialback|certificate|STARTTLS|TLS failed|DNS lookup/;

export function ejabberdRelevant(where: string, message: string): boolean {
  return where.includes('s2s') || EJABBERD_RELEVANT.test(message);
}

type Fields = Omit<LogEvent, 'kind' | 'family' | 'at'>;

function ev(kind: LogEventKind, family: LogFamily, at: LogRef, f: Fields = {}): LogEvent {
  const out: LogEvent = { kind, family, at };
  for (const [k, v] of Object.entries(f))
    if (v !== undefined && v !== '') (out as unknown as Record<string, unknown>)[k] = v;
  return out;
}

function step(family: LogFamily, at: LogRef, s: DialbackStep, f: Fields = {}): LogEvent {
  return ev('dialback.step', family, at, { ...f, step: s });
}

/** db:verify requests go receiving -> authoritative: their from/to are swapped to originating/receiving. */
function verifyStep(
  family: LogFamily,
  at: LogRef,
  s: 'verify-sent' | 'verify-received',
  f: Fields,
): LogEvent {
  return step(family, at, s, { ...f, from: f.to, to: f.from });
}

/** Attribute from an XML fragment in a log line (single or double quotes). */
export function xmlAttr(xml: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:'([^']*)'|"([^"]*)")`).exec(xml);
  return m ? (m[1] ?? m[2]) : undefined;
}

/** The dialback element (db:result / db:verify, or Prosody's prefix-less result) in a line. */
function dialbackElement(
  text: string,
): { name: 'result' | 'verify'; attrs: string; key?: string } | undefined {
  const m =
    /<(?:db:)?(result|verify)\b([^>]*?)(\/)?>(?:\s*([0-9A-Za-z+/=._-]{8,256})\s*<\/(?:db:)?\1>)?/.exec(text);
  if (!m) return undefined;
  return { name: m[1] as 'result' | 'verify', attrs: m[2] ?? '', ...(m[4] ? { key: m[4] } : {}) };
}

/** Reason text classes shared by Prosody and ejabberd messages. */
export function failureKind(reason: string): 'dns' | 'refused' | 'timeout' | 'tls' | 'other' {
  if (
    /NXDomain|DNS lookup failed|unable to resolve|zero SRV|failed IDNA|Validation error in|enoname|nxdomain|no such host|could not resolve|resolution fail|service explicitly unavailable/i.test(
      reason,
    )
  )
    return 'dns';
  if (/refused/i.test(reason)) return 'refused';
  if (/time ?out|timed out|etimedout/i.test(reason)) return 'timeout';
  if (/TLS|certificate|SSL/i.test(reason)) return 'tls';
  return 'other';
}

/** Prosody's friendly certificate reasons and ejabberd/OpenSSL texts, reduced to classes. */
export function certProblem(reason: string): string {
  if (/expired/i.test(reason)) return 'expired';
  if (/self.?signed/i.test(reason)) return 'self-signed';
  if (/not valid for this name|hostname|identity|name mismatch|does not match/i.test(reason)) return 'name';
  if (/not trusted|unknown ca|unable to get local issuer|untrusted|issuer/i.test(reason)) return 'untrusted';
  return 'invalid';
}

const KIND_OF_FAILURE = {
  dns: 'dns.failed',
  refused: 'connect.refused',
  timeout: 'connect.timeout',
  tls: 's2s.failed',
  other: 's2s.failed',
} as const;

// ---------------------------------------------------------------------------------------------
// Cisco Expressway / VCS / XCP

const TUPLE =
  /\(\s*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\s*,\s*([^\s:,()]+)\s*:\s*([^\s,()]+)\s*,\s*(IN|OUT)\s*\)/i;

export interface CiscoContext {
  /** Session tuple uuid when not all zero. */
  uuid?: string;
  xcoder?: string;
}

/** Events from one assembled Cisco record (joined lines). `ref` is the record's first line. */
export function ciscoEvents(
  record: string,
  ref: LogRef,
): { events: LogEvent[]; ctx: CiscoContext; kv: KvLine } {
  const kv = tokenizeKv(record);
  const events: LogEvent[] = [];
  const ctx: CiscoContext = {};
  const proc = kv.proc ?? '';
  const loc = kvGet(kv, 'CodeLocation') ?? '';
  const detail = kvGet(kv, 'Detail') ?? '';
  const module = kvGet(kv, 'Module') ?? '';
  const family: LogFamily = /^XCP/i.test(proc) || loc !== '' || /xcoder=/.test(detail) ? 'xcp' : 'expressway';
  // Copied records break lines inside tokens (uuids, attribute values): `tight` joins them for
  // ids, `flat` joins with a space for prose and XML.
  const tight = detail.replace(/[ \t]*\r?\n[ \t]*/g, '');
  const flat = detail.replace(/\s*\r?\n\s*/g, ' ');
  const tuple = TUPLE.exec(tight);
  const xcoder = /xcoder=([0-9A-F]{6,})/.exec(detail)?.[1];
  if (xcoder) ctx.xcoder = xcoder;
  let pair: Fields = {};
  if (tuple) {
    const [, uuid, local, remote, dir] = tuple as unknown as [string, string, string, string, string];
    if (!/^[0-]+$/.test(uuid)) ctx.uuid = uuid.toLowerCase();
    pair =
      dir.toUpperCase() === 'OUT'
        ? { from: local, to: remote, direction: 'out' }
        : { from: remote, to: local, direction: 'in' };
  }
  const session = ctx.uuid ?? xcoder;
  const base: Fields = { ...pair, ...(session ? { session } : {}) };

  // AXL (Expressway-C network.axl): requests and answers.
  const fn = kvGet(kv, 'Function');
  const status = kvGet(kv, 'Status');
  if (fn && (module.includes('axl') || /axl/i.test(kvGet(kv, 'URL') ?? '') || fn === 'executeSQLQuery')) {
    const url = kvGet(kv, 'URL');
    if (status) {
      events.push(
        ev('axl.response', family, ref, {
          function: fn,
          status: status.trim(),
          reason: kvGet(kv, 'Reason'),
          url,
        }),
      );
    } else if (/send/i.test(kvGet(kv, 'Action') ?? '')) {
      events.push(ev('axl.request', family, ref, { function: fn, url }));
    }
  }

  // Federation switched on or off on Expressway-E.
  const fed = /is_federation_enabled\D{0,40}?(\d)\D{1,20}?(\d)/.exec(flat);
  if (fed) events.push(ev('federation.toggled', family, ref, { status: `${fed[1]}->${fed[2]}` }));

  // Dialback elements carried in Detail.
  const el = dialbackElement(flat);
  if (el) {
    const from = xmlAttr(el.attrs, 'from');
    const to = xmlAttr(el.attrs, 'to');
    const id = xmlAttr(el.attrs, 'id');
    const type = xmlAttr(el.attrs, 'type');
    const f: Fields = { ...base, from, to, streamId: id, key: el.key };
    const outbound = /\.out\b|send|sending|sent|傳送/i.test(`${loc} ${detail.slice(0, 80)}`);
    if (el.name === 'result' && !type) {
      if (outbound && !/DBVerify/i.test(loc))
        events.push(step(family, ref, 'result-sent', { ...f, streamId: undefined }));
      else {
        if (xcoder && !id) f.streamId = xcoder;
        events.push(step(family, ref, 'result-received', f));
      }
    } else if (el.name === 'verify') {
      if (type) {
        events.push(step(family, ref, 'verify-answer', { ...f, answer: type }));
        if (type === 'invalid') events.push(ev('dialback.invalid', family, ref, { ...f, answer: type }));
        else if (type === 'error') events.push(ev('dialback.failed', family, ref, { ...f, answer: type }));
      } else if (
        /DBVerify/i.test(loc) ||
        (/Sending db|db\s*:\s*verify packet|傳送/i.test(detail.slice(0, 200)) && !/component\.in/.test(loc))
      )
        events.push(verifyStep(family, ref, 'verify-sent', f));
      else events.push(verifyStep(family, ref, 'verify-received', f));
    } else if (el.name === 'result' && type) {
      events.push(step(family, ref, 'verify-answer', { ...f, answer: type }));
    }
  }

  // "Scheduling dialback timeout in 30 secs." (stream.out).
  if (/^stream\.out/i.test(loc) && /timeout|超時/i.test(detail)) {
    const secs = /(\d+)\s*(?:sec|s\b|秒)/i.exec(detail)?.[1];
    events.push(step(family, ref, 'timeout-scheduled', { ...base, reason: secs ? `${secs}` : undefined }));
  }

  // Connection state changes (ConnInfoHistory): PENDING->CONNECTED.
  if (/ConnInfoHistory/i.test(loc)) {
    const st = /([A-Z_]{4,})\s*->\s*([A-Z_]{4,})/.exec(detail);
    if (st && st[2] === 'CONNECTED')
      events.push(step(family, ref, 'connected', { ...base, status: `${st[1]}->${st[2]}` }));
  }

  // The receiving server looks up the originating domain's _xmpp-server._tcp SRV.
  const lookup = /'([^':\s]+):puny=[^:]*:service=(_xmpp-server\._tcp)/.exec(flat);
  const resolved = /resolved dialback address for host=(\S+)/.exec(flat);
  const failedLookup =
    /Resolver|resolv|dialback address/i.test(`${loc} ${detail}`) &&
    /fail|error|unable|could not|cannot|NXDOMAIN|no (?:SRV )?records|not found|timed? ?out/i.test(flat) &&
    !resolved;
  if (failedLookup) {
    const domain =
      lookup?.[1] ?? /host=([^\s,)]+)/.exec(flat)?.[1] ?? /for '?([a-z0-9.-]+\.[a-z]{2,})/i.exec(flat)?.[1];
    events.push(
      ev('dns.failed', family, ref, {
        ...base,
        peer: domain,
        query: domain ? `_xmpp-server._tcp.${domain}` : undefined,
        reason: detail.slice(0, 200),
      }),
    );
  } else if (lookup) {
    events.push(
      step(family, ref, 'callback-resolve', { ...base, peer: lookup[1], query: `${lookup[2]}.${lookup[1]}` }),
    );
  } else if (resolved) {
    events.push(
      step(family, ref, 'callback-resolve', {
        ...base,
        peer: resolved[1],
        query: `_xmpp-server._tcp.${resolved[1]}`,
        status: 'resolved',
      }),
    );
  }

  // XCP internal connections (Expressway-C <-> E on 7400): mio.c "Unable to connect to host".
  const refused = /Unable to connect to host '([^']+)',\s*port (\d+)\s*:?\s*\((\d+)\)\s*([^"]*)/i.exec(flat);
  if (refused) {
    const kind =
      /refused/i.test(refused[4] ?? '') || refused[3] === '111'
        ? 'connect.refused'
        : /timed out/i.test(refused[4] ?? '') || refused[3] === '110'
          ? 'connect.timeout'
          : 's2s.failed';
    events.push(
      ev(kind, family, ref, {
        host: refused[1],
        port: Number(refused[2]),
        reason: (refused[4] ?? '').trim(),
      }),
    );
  }
  const component = /Failed to connect to component (\S+)/i.exec(flat);
  if (component) events.push(ev('xcp.component-failed', family, ref, { peer: component[1] }));

  // Expressway event log: TLS negotiation errors carry the peer's certificate identity.
  const event = kvGet(kv, 'Event') ?? '';
  if (/TLS Negotiation Error/i.test(event)) {
    events.push(
      ev('tls.failed', family, ref, {
        direction: /^outbound/i.test(event) ? 'out' : /^inbound/i.test(event) ? 'in' : undefined,
        host: kvGet(kv, 'Dst-ip') ?? kvGet(kv, 'Src-ip'),
        port: Number(kvGet(kv, 'Dst-port') ?? kvGet(kv, 'Src-port')) || undefined,
        identity: kvGet(kv, 'Common-name') ?? kvGet(kv, 'Subject') ?? kvGet(kv, 'Common-Name'),
        reason: detail.trim(),
        peer: kvGet(kv, 'Service'),
        certProblem: certProblem(detail),
      }),
    );
  }
  return { events, ctx, kv };
}

// ---------------------------------------------------------------------------------------------
// Prosody

export function prosodyEvents(source: string, message: string, ref: LogRef): LogEvent[] {
  const F: LogFamily = 'prosody';
  const session = /^s2s(?:in|out)[0-9a-f]+$/.test(source) ? source : undefined;
  const base: Fields = session ? { session, direction: source.startsWith('s2sin') ? 'in' : 'out' } : {};
  let m: RegExpExecArray | null = null;
  m = /^Forbidding insecure connection to\/from (\S+) because its certificate (.+)$/.exec(message);
  if (m)
    return [
      ev('cert.rejected', F, ref, {
        ...base,
        peer: m[1],
        reason: `certificate ${m[2]}`,
        certProblem: certProblem(m[2]!),
      }),
    ];
  m = /^No certificate provided by (\S+)/.exec(message);
  if (m) return [ev('cert.missing', F, ref, { ...base, peer: m[1] })];
  m = /^Encrypted server-to-server communication is required but was not (offered|used) by (\S+)/.exec(
    message,
  );
  if (m) return [ev('tls.required', F, ref, { ...base, peer: m[2], reason: `not ${m[1]}` })];
  m = /^authoritative server for (\S+) denied the key/.exec(message);
  if (m)
    return [
      step(F, ref, 'verify-answer', { ...base, from: m[1], answer: 'invalid' }),
      ev('dialback.invalid', F, ref, { ...base, from: m[1], answer: 'invalid', to: hostOfSource(source) }),
    ];
  m = /^Asked to verify a dialback key that was incorrect\. An imposter is claiming to be (\S+?)\??$/.exec(
    message,
  );
  if (m)
    return [
      ev('dialback.invalid', F, ref, {
        ...base,
        from: m[1],
        answer: 'invalid',
        reason: 'asked to verify an incorrect key',
      }),
    ];
  m = /^s2s connection attempt failed: (.+)$/.exec(message);
  if (m) {
    const kind = KIND_OF_FAILURE[failureKind(m[1]!)];
    return [ev(kind, F, ref, { ...base, reason: m[1] })];
  }
  m = /^Sending error replies for (\d+) queued stanzas because of failed outgoing connection to (\S+)/.exec(
    message,
  );
  if (m) return [ev('s2s.failed', F, ref, { ...base, to: m[2], reason: `${m[1]} queued stanzas bounced` })];
  m = /^s2s disconnected: (\S+)->(\S+) \((.+)\)$/.exec(message);
  if (m && m[1] !== '(nil)') return sessionInfo(F, ref, base, m[1]!, m[2]!);
  m = /^(Outgoing|Incoming) s2s connection (\S+)->(\S+) complete/.exec(message);
  if (m)
    return [
      ev('s2s.established', F, ref, { ...base, from: m[2], to: m[3] }),
      step(F, ref, 'connected', { ...base, from: m[2], to: m[3], status: 'complete' }),
    ];
  m = /^Received\[s2sin_unauthed\]: <(?:db:)?result\b([^>]*)>/.exec(message);
  if (m)
    return [
      step(F, ref, 'result-received', { ...base, from: xmlAttr(m[1]!, 'from'), to: xmlAttr(m[1]!, 'to') }),
    ];
  m = /^asking (\S+) if key (\S+) belongs to them/.exec(message);
  if (m) return [step(F, ref, 'verify-sent', { ...base, from: m[1], key: m[2] })];
  m = /^Incoming s2s received <stream:stream\b([^>]*)>/.exec(message);
  if (m) return sessionInfo(F, ref, base, xmlAttr(m[1]!, 'from'), xmlAttr(m[1]!, 'to'));
  m = /^Disconnecting (\S+)->(\S+)\[s2sin_unauthed\], <stream:error> is: .*connection-timeout/.exec(message);
  if (m)
    return [ev('dialback.timeout', F, ref, { ...base, from: m[1], to: m[2], reason: 'connection-timeout' })];
  m = /^certificate error\(s\) at depth (\d+): (.+)$/.exec(message);
  if (m) return [ev('cert.tolerated', F, ref, { ...base, reason: m[2], certProblem: certProblem(m[2]!) })];
  m = /^Resolve (_xmpp-server\._tcp\.(\S+)) IN SRV/.exec(message);
  if (m) return [step(F, ref, 'callback-resolve', { peer: m[2], query: m[1] })];
  return [];
}

/** `example.org:dialback` -> example.org (Prosody names module loggers host:module). */
function hostOfSource(source: string): string | undefined {
  const i = source.lastIndexOf(':');
  return i > 0 ? source.slice(0, i) : undefined;
}

/** A line that names a session's domains but is no event of its own (kept for correlation). */
function sessionInfo(f: LogFamily, ref: LogRef, base: Fields, from?: string, to?: string): LogEvent[] {
  if (!from || !to || !base.session) return [];
  return [ev('stream.seen', f, ref, { ...base, from, to })];
}

// ---------------------------------------------------------------------------------------------
// ejabberd

export function ejabberdEvents(pid: string, where: string, message: string, ref: LogRef): LogEvent[] {
  const F: LogFamily = 'ejabberd';
  const base: Fields = {
    session: pid,
    ...(where.includes('s2s_in')
      ? { direction: 'in' as const }
      : where.includes('s2s_out')
        ? { direction: 'out' as const }
        : {}),
  };
  let m: RegExpExecArray | null = null;
  // XML first: a stanza or an error text inside it can quote any of the messages below.
  m = /(Received|Send) XML on stream = <<"(.*)">>$/.exec(message);
  if (m) {
    const el = dialbackElement(m[2]!);
    if (!el) {
      const so = /<stream:stream\b([^>]*)>/.exec(m[2]!);
      if (so && m[1] === 'Received')
        return sessionInfo(F, ref, base, xmlAttr(so[1]!, 'from'), xmlAttr(so[1]!, 'to'));
      return [];
    }
    const f: Fields = {
      ...base,
      from: xmlAttr(el.attrs, 'from'),
      to: xmlAttr(el.attrs, 'to'),
      streamId: xmlAttr(el.attrs, 'id'),
      key: el.key,
    };
    const type = xmlAttr(el.attrs, 'type');
    const sent = m[1] === 'Send';
    if (el.name === 'result' && !type) return [step(F, ref, sent ? 'result-sent' : 'result-received', f)];
    if (el.name === 'verify' && !type)
      return [verifyStep(F, ref, sent ? 'verify-sent' : 'verify-received', f)];
    if (type && el.name === 'verify' && !sent) return [step(F, ref, 'verify-answer', { ...f, answer: type })];
    return [];
  }
  m =
    /Failed to establish outbound s2s connection (\S+) -> (\S+): (.+?)(?:; bouncing for \d+ seconds)?$/.exec(
      message,
    );
  if (m) {
    const reason = m[3]!;
    const k = failureKind(reason);
    // ejabberd checked the peer's certificate after the handshake (xmpp_stream_out, pkix); a
    // "TLS failed: … alert …" is the handshake itself, often the peer refusing *our* certificate.
    if (/^Peer certificate rejected/i.test(reason))
      return [
        ev('cert.rejected', F, ref, {
          ...base,
          from: m[1],
          to: m[2],
          peer: m[2],
          reason,
          certProblem: certProblem(reason),
        }),
      ];
    if (k === 'tls') return [ev('tls.failed', F, ref, { ...base, from: m[1], to: m[2], peer: m[2], reason })];
    return [
      ev(KIND_OF_FAILURE[k], F, ref, {
        ...base,
        from: m[1],
        to: m[2],
        peer: m[2],
        reason,
        query: k === 'dns' ? `_xmpp-server._tcp.${m[2]}` : undefined,
      }),
    ];
  }
  m = /Failed (inbound|outbound) s2s (\S+) authentication (\S+) -> (\S+)(?: \(([^)]*)\))?: (.+)$/.exec(
    message,
  );
  if (m) {
    const reason = m[6]!;
    const f: Fields = { ...base, from: m[3], to: m[4], reason, host: m[5] };
    if (/invalid dialback key/i.test(reason))
      return [ev('dialback.invalid', F, ref, { ...f, answer: 'invalid' })];
    // The callback to the originating domain's server failed on that server's certificate
    // (ejabberd verifies the servers it connects to unless dialback is allowed for them).
    const callbackCert = /^Verification failed: (Peer certificate rejected: .+?)(?: \([a-z-]+\))?$/.exec(
      reason,
    );
    if (m[1] === 'inbound' && m[2] === 'dialback' && callbackCert)
      return [
        ev('cert.rejected', F, ref, {
          ...f,
          peer: m[3],
          reason: callbackCert[1],
          certProblem: certProblem(callbackCert[1]!),
        }),
      ];
    if (m[1] === 'inbound' && m[2] === 'dialback') return [ev('dialback.failed', F, ref, f)];
    if (/certificate/i.test(reason) && !/SASL mechanisms/i.test(reason))
      return [
        ev('cert.rejected', F, ref, {
          ...f,
          peer: m[1] === 'inbound' ? m[3] : m[4],
          certProblem: certProblem(reason),
        }),
      ];
    return [];
  }
  m = /Accepted (inbound|outbound) s2s (\S+) authentication (\S+) -> (\S+)/.exec(message);
  if (m)
    return [
      ev('s2s.established', F, ref, { ...base, from: m[3], to: m[4], reason: m[2] }),
      step(F, ref, 'connected', { ...base, from: m[3], to: m[4], status: `${m[2]} accepted` }),
    ];
  m = /(?:Peer certificate rejected|Invalid certificate)[:\s]+(.+)$/i.exec(message);
  if (m) return [ev('cert.rejected', F, ref, { ...base, reason: m[1], certProblem: certProblem(m[1]!) })];
  // One failed inbound handshake is logged twice: this line (info, names the peer or its
  // address) and `Failed to secure inbound s2s connection: TLS failed: …` (warning) below.
  m = /Closing (inbound|outbound) s2s connection (\S+) -> (\S+): TLS failed: (.+)$/.exec(message);
  if (m)
    return [
      ev('tls.failed', F, ref, {
        ...base,
        from: m[2],
        to: m[3],
        peer: m[1] === 'inbound' ? m[2] : m[3],
        reason: m[4],
      }),
    ];
  m = /TLS failed: (.+)$/.exec(message);
  if (m) return [ev('tls.failed', F, ref, { ...base, reason: m[1] })];
  if (/Use of STARTTLS required/.test(message))
    return [ev('tls.required', F, ref, { ...base, reason: 'STARTTLS required' })];
  return [];
}
