/**
 * Gathering for `xfed logs`: reads every input as lines (protocol/logs/inputs.ts), assembles
 * multi-line records, recognises each line's family and the events it carries
 * (protocol/logs/families.ts), keeps the events inside --since/--until and --domain, then ties
 * events into s2s sessions and rebuilds the dialback steps in order. Facts only: no verdicts.
 */
import type {
  DialbackStep,
  LogEvent,
  LogFacts,
  LogFamily,
  LogRef,
  LogSession,
  LogSourceFacts,
} from '../facts/logs.js';
import {
  ciscoEvents,
  ciscoRelevant,
  classifyLine,
  ejabberdEvents,
  ejabberdRelevant,
  prosodyEvents,
  prosodyRelevant,
} from '../protocol/logs/families.js';
import { type InputProblem, readInputs, type SourceStats } from '../protocol/logs/inputs.js';
import { Redactor } from '../protocol/logs/redact.js';

/** Longest quote kept per event (characters, after redaction). */
export const QUOTE_MAX = 400;
/** Events kept over all inputs; more are counted in eventsDropped. */
export const MAX_EVENTS = 50_000;
/** Lines one Cisco record may span (continuations), and its size. */
const MAX_RECORD_LINES = 200;
const MAX_RECORD_CHARS = 256 * 1024;

export interface LogsOptions {
  paths: string[];
  since?: Date;
  until?: Date;
  domain?: string;
  /** Values to redact wherever they appear (configured secrets). */
  secrets: readonly (string | undefined)[];
  /** "Now", for the year of syslog-style times that have none. */
  now?: Date;
  stdin?: NodeJS.ReadableStream;
}

interface Pending {
  family: 'cisco' | 'prosody' | 'ejabberd';
  lines: string[];
  chars: number;
  lineNo: number;
  open: boolean;
  /** A Cisco record from an XCP process (counted as family xcp). */
  xcp?: boolean;
  /** Prosody / ejabberd: parsed first line. */
  cls?: Exclude<
    ReturnType<typeof classifyLine>,
    undefined | { family: 'cisco' } | { family: 'continuation' }
  >;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** ISO UTC from the time forms the families use; undefined when there is none or it is unusable. */
export function parseLogTime(raw: string | undefined, now: Date, utc = false): string | undefined {
  if (!raw) return undefined;
  const s = raw.trim();
  let m = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[.,](\d+))?\s*(Z|[+-]\d\d:?\d\d)?$/.exec(s);
  if (m) {
    const ms = m[7] ? Number(`0.${m[7]}`) * 1000 : 0;
    const zone = m[8] ?? (utc ? 'Z' : '');
    const iso = `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}.${String(Math.floor(ms)).padStart(3, '0')}${zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`;
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  m = /^([A-Z][a-z]{2}) +(\d\d?) (\d\d):(\d\d):(\d\d)$/.exec(s);
  if (m) {
    const mon = MONTHS.indexOf(m[1]!);
    if (mon < 0) return undefined;
    // Syslog and Prosody times carry no year and no zone: local time, the latest year not in the future.
    let d = new Date(now.getFullYear(), mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    if (d.getTime() > now.getTime() + 2 * 86_400_000)
      d = new Date(now.getFullYear() - 1, mon, Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5]));
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}

/** Record start vs continuation for a Cisco-looking line. */
function startsCiscoRecord(line: string): boolean {
  // A line that starts with Detail= continues the record above (records copied with their
  // Detail wrapped onto the next line, as in TAC 213865); any other Key="value" line begins one.
  let i = 0;
  while (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09) i++;
  if (!line.startsWith('Detail', i)) return true;
  i += 6;
  while (line.charCodeAt(i) === 0x20 || line.charCodeAt(i) === 0x09) i++;
  return line.charCodeAt(i) !== 0x3d;
}

const CISCO_HEADER =
  /^(?:(?:\d{4}-\d\d-\d\dT\S+|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)\s+)?(?:\S+\s+)?[A-Za-z_][\w.-]*(?:\[\d+\])?:|^\s*(?:UTCTime|Level|Event|Module)\s*=|^(?:\d{4}-\d\d-\d\dT\S+|[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d)\s/;

/** A Cisco line that certainly begins a record (header or leading key), even while a value is open. */
function hasCiscoHeader(line: string): boolean {
  return CISCO_HEADER.test(line);
}

/** True when the last non-blank character of the line is `c`. */
function endsWith(line: string, c: number): number {
  let j = line.length - 1;
  while (j >= 0 && (line.charCodeAt(j) === 0x20 || line.charCodeAt(j) === 0x09)) j--;
  return j >= 0 && line.charCodeAt(j) === c ? j : -1;
}

/**
 * Does a value stay open after this line? Parity of the quotes (a trailing `=` also opens: the
 * value is on the next line). Fast path: a line that ends with `x"` closes (the usual case).
 */
function leavesOpen(line: string, wasOpen: boolean): boolean {
  if (endsWith(line, 0x3d) >= 0) return true;
  const q = endsWith(line, 0x22);
  if (!wasOpen && q > 0 && line.charCodeAt(q - 1) !== 0x3d && line.charCodeAt(q - 1) !== 0x20) return false;
  let n = 0;
  for (let i = line.indexOf('"'); i >= 0; i = line.indexOf('"', i + 1)) n++;
  if (line.includes('\u201c') || line.includes('\u201d'))
    for (const c of line) if (c === '\u201c' || c === '\u201d') n++;
  return (n % 2 === 1) !== wasOpen;
}

export async function gatherLogs(o: LogsOptions): Promise<LogFacts> {
  const now = o.now ?? new Date();
  const redactor = new Redactor(o.secrets);
  const facts: LogFacts = {
    inputs: [...o.paths],
    sources: [],
    problems: [],
    totals: { bytes: 0, lines: 0, recognised: 0, unmatched: 0, events: 0 },
    eventsDropped: 0,
    window: {
      ...(o.since ? { since: o.since.toISOString() } : {}),
      ...(o.until ? { until: o.until.toISOString() } : {}),
      ...(o.domain ? { domain: o.domain } : {}),
      outside: 0,
      untimed: 0,
    },
    events: [],
    sessions: [],
  };
  const windowed = Boolean(o.since || o.until);
  let src: LogSourceFacts | undefined;
  let pending: Pending | undefined;

  const quote = (text: string) => {
    const flat = text.length > QUOTE_MAX * 4 ? text.slice(0, QUOTE_MAX * 4) : text;
    const r = redactor.redact(flat.replace(/\r?\n/g, ' '));
    return r.length > QUOTE_MAX ? `${r.slice(0, QUOTE_MAX - 1)}…` : r;
  };

  const keep = (events: LogEvent[]) => {
    for (const e of events) {
      if (windowed) {
        if (!e.at.time) {
          facts.window.untimed++;
          continue;
        }
        const t = Date.parse(e.at.time);
        if ((o.since && t < o.since.getTime()) || (o.until && t > o.until.getTime())) {
          facts.window.outside++;
          continue;
        }
      }
      if (facts.events.length >= MAX_EVENTS) {
        facts.eventsDropped++;
        continue;
      }
      if (src && e.at.time && (!src.lastTime || e.at.time > src.lastTime)) src.lastTime = e.at.time;
      facts.events.push(detach(e));
    }
  };

  const flush = () => {
    const p = pending;
    pending = undefined;
    if (!p || !src) return;
    const file = src.name;
    if (p.family === 'cisco') {
      const record = p.lines.length === 1 ? (p.lines[0] as string) : p.lines.join('\n');
      if (!ciscoRelevant(record)) return;
      const utc = /UTCTime\s*=\s*"([^"]+)"/.exec(record)?.[1];
      const ref: LogRef = { file, line: p.lineNo, quote: quote(record) };
      const { events, kv } = ciscoEvents(record, ref);
      const time = parseLogTime(utc, now, true) ?? parseLogTime(kv.time, now);
      if (time) ref.time = time;
      keep(events);
      return;
    }
    const c = p.cls;
    if (!c) return;
    const ref = (): LogRef => {
      const r: LogRef = { file, line: p.lineNo, quote: quote(p.lines[0] as string) };
      const t = parseLogTime(c.time, now);
      if (t) r.time = t;
      return r;
    };
    if (c.family === 'prosody') {
      if (prosodyRelevant(c.source, c.message)) keep(prosodyEvents(c.source, c.message, ref()));
    } else if (ejabberdRelevant(c.where, c.message)) {
      keep(ejabberdEvents(c.pid, c.where, c.message, ref()));
    }
  };

  /** Cisco records count as xcp when an XCP process tag starts them (`XCP_CM2[pid]:`). */
  const ciscoFamily = (first: string): LogFamily =>
    first.lastIndexOf('XCP_', 120) >= 0 ? 'xcp' : 'expressway';
  const count = (family: LogFamily | 'cisco') => {
    if (!src) return;
    src.recognised++;
    const f: LogFamily = family === 'cisco' ? (pending?.xcp ? 'xcp' : 'expressway') : family;
    src.families[f] = (src.families[f] ?? 0) + 1;
  };

  await readInputs(
    o.paths,
    {
      beginSource(name) {
        src = {
          name,
          bytes: 0,
          lines: 0,
          recognised: 0,
          unmatched: 0,
          families: {},
          invalidUtf8: false,
          longLines: 0,
        };
      },
      line(text, lineNo) {
        if (!src) return;
        // An open Cisco value (or a trailing `Detail=`) continues on this line, whatever it looks like.
        if (pending?.family === 'cisco' && pending.open && pending.lines.length < MAX_RECORD_LINES) {
          const cls = classifyLine(text);
          const newRecord =
            (cls?.family === 'cisco' && startsCiscoRecord(text) && hasCiscoHeader(text)) ||
            cls?.family === 'prosody' ||
            cls?.family === 'ejabberd';
          if (!newRecord) {
            append(pending, text);
            pending.open = leavesOpen(text, true);
            count('cisco');
            return;
          }
        }
        const cls = classifyLine(text);
        if (cls === undefined) {
          src.unmatched++;
          return;
        }
        if (cls.family === 'continuation') {
          if (pending && pending.lines.length < MAX_RECORD_LINES) {
            if (pending.family === 'cisco') append(pending, text);
            count(pending.family === 'cisco' ? 'cisco' : pending.family);
          } else src.unmatched++;
          return;
        }
        if (cls.family === 'cisco') {
          if (
            pending?.family === 'cisco' &&
            !startsCiscoRecord(text) &&
            pending.lines.length < MAX_RECORD_LINES
          ) {
            append(pending, text);
            pending.open = leavesOpen(text, false);
            count('cisco');
            return;
          }
          flush();
          pending = {
            family: 'cisco',
            lines: [text],
            chars: text.length,
            lineNo,
            open: leavesOpen(text, false),
            xcp: ciscoFamily(text) === 'xcp',
          };
          count('cisco');
          return;
        }
        flush();
        pending = { family: cls.family, lines: [text], chars: text.length, lineNo, open: false, cls };
        count(cls.family);
      },
      endSource(stats: SourceStats) {
        flush();
        if (!src) return;
        src.bytes = stats.bytes;
        src.lines = stats.lines;
        src.invalidUtf8 = stats.invalidUtf8;
        src.longLines = stats.longLines;
        facts.sources.push(src);
        facts.totals.bytes += src.bytes;
        facts.totals.lines += src.lines;
        facts.totals.recognised += src.recognised;
        facts.totals.unmatched += src.unmatched;
        src = undefined;
      },
      problem(p: InputProblem) {
        facts.problems.push({ ...p, message: redactor.redact(p.message) });
      },
    },
    o.stdin,
  );

  facts.sessions = correlate(facts.events);
  if (o.domain) applyDomain(facts, o.domain.toLowerCase());
  facts.totals.events = facts.events.length;
  return facts;
}

/**
 * A copy of the event whose strings own their characters. Substrings of a decoded chunk keep the
 * whole 1 MiB chunk alive in V8 (sliced strings): a few hundred kept events held ~400 MB on the
 * 1 GiB bench before this.
 */
function detach(e: LogEvent): LogEvent {
  const own = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'utf8').toString('utf8') : v);
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(e)) out[k] = k === 'at' ? detachRef(v as LogRef, own) : own(v);
  return out as unknown as LogEvent;
}

function detachRef(r: LogRef, own: (v: unknown) => unknown): LogRef {
  const out = {} as Record<string, unknown>;
  for (const [k, v] of Object.entries(r)) out[k] = own(v);
  return out as unknown as LogRef;
}

function append(p: Pending, text: string): void {
  if (p.chars + text.length > MAX_RECORD_CHARS) return;
  p.lines.push(text);
  p.chars += text.length + 1;
}

// ---------------------------------------------------------------------------------------------
// Sessions

const STEP_ORDER: Record<DialbackStep, number> = {
  'result-sent': 0,
  'timeout-scheduled': 1,
  'result-received': 2,
  'callback-resolve': 3,
  'verify-sent': 4,
  'verify-received': 5,
  'verify-answer': 6,
  connected: 7,
};

/** Kinds that belong in a session (the rest, such as AXL, stand alone). */
const SESSION_KINDS = new Set([
  'dialback.step',
  'dialback.invalid',
  'dialback.failed',
  'dialback.timeout',
  'dns.failed',
  'connect.refused',
  'connect.timeout',
  's2s.failed',
  'cert.rejected',
  'cert.tolerated',
  'cert.missing',
  'tls.required',
  'tls.failed',
  's2s.established',
  'stream.seen',
]);

function tokensOf(e: LogEvent): string[] {
  const t: string[] = [];
  if (e.session) {
    // Cisco uuids and xcoders are unique across a deployment; Prosody and ejabberd ids only per log file.
    t.push(
      e.family === 'xcp' || e.family === 'expressway' ? `x:${e.session}` : `s:${e.at.file}:${e.session}`,
    );
  }
  if (e.streamId) t.push(`x:${e.streamId}`);
  if (e.key && e.key.length >= 16) t.push(`k:${e.key}`);
  return t;
}

/** Union-find over shared ids, then look-back attachment for lines without ids. */
export function correlate(events: LogEvent[]): LogSession[] {
  const parent: number[] = [];
  const find = (i: number): number => {
    let r = i;
    while (parent[r] !== r) r = parent[r] as number;
    let j = i;
    while (parent[j] !== r) {
      const next = parent[j] as number;
      parent[j] = r;
      j = next;
    }
    return r;
  };
  const union = (a: number, b: number) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent[Math.max(ra, rb)] = Math.min(ra, rb);
  };
  const owner = new Map<string, number>();
  const member: boolean[] = [];
  events.forEach((e, i) => {
    parent[i] = i;
    member[i] = SESSION_KINDS.has(e.kind);
    if (!member[i]) return;
    for (const t of tokensOf(e)) {
      const o = owner.get(t);
      if (o === undefined) owner.set(t, i);
      else union(o, i);
    }
  });
  // Lines without ids: attach to the nearest earlier session in the same file that names the domain.
  const LOOKBACK = 400;
  events.forEach((e, i) => {
    if (!member[i] || tokensOf(e).length > 0) return;
    const domain = e.from ?? e.peer;
    // First choice: the dialback exchange of that originating domain; then any session naming it.
    const tests: ((c: LogEvent) => boolean)[] =
      domain !== undefined
        ? [
            (c) =>
              c.kind === 'dialback.step' &&
              c.from === domain &&
              (c.step === 'verify-sent' || c.step === 'result-received'),
            (c) => c.from === domain || c.peer === domain,
          ]
        : [(c) => e.step === 'connected' && (c.step === 'result-sent' || c.step === 'timeout-scheduled')];
    for (const test of tests) {
      for (let j = i - 1; j >= 0 && j >= i - LOOKBACK; j--) {
        const c = events[j] as LogEvent;
        if (!member[j] || c.at.file !== e.at.file || tokensOf(c).length === 0) continue;
        if (test(c)) {
          union(j, i);
          return;
        }
      }
    }
  });
  const groups = new Map<number, number[]>();
  events.forEach((_e, i) => {
    if (!member[i]) return;
    const r = find(i);
    const g = groups.get(r);
    if (g) g.push(i);
    else groups.set(r, [i]);
  });
  const sessions: LogSession[] = [];
  for (const idx of groups.values()) {
    const evs = idx.map((i) => events[i] as LogEvent);
    if (!evs.some((e) => e.kind !== 'stream.seen')) continue;
    const n = sessions.length;
    for (const e of evs) e.sessionIndex = n;
    const dialbackLike = evs.find((e) => e.kind === 'dialback.step' && e.from && e.to);
    const any = dialbackLike ?? evs.find((e) => e.from && e.to);
    const ids = new Set<string>();
    for (const e of evs) {
      if (e.session) ids.add(e.session);
      if (e.streamId) ids.add(`id ${e.streamId}`);
      if (e.key) ids.add(`key ${e.key.slice(0, 12)}…`);
    }
    const steps = evs
      .filter((e) => e.kind === 'dialback.step' && e.step)
      .map((e, order) => ({ e, order }))
      .sort((a, b) => {
        const ta = a.e.at.time ?? '';
        const tb = b.e.at.time ?? '';
        if (ta && tb && ta !== tb) return ta < tb ? -1 : 1;
        // Without times (copied excerpts), the procedure's order; lines of one step in log order.
        return (
          STEP_ORDER[a.e.step as DialbackStep] - STEP_ORDER[b.e.step as DialbackStep] || a.order - b.order
        );
      })
      .map(({ e }) => ({
        step: e.step as DialbackStep,
        at: e.at,
        ...(stepDetail(e) ? { detail: stepDetail(e) } : {}),
      }));
    sessions.push({
      ...(any?.from ? { from: any.from } : {}),
      ...(any?.to ? { to: any.to } : {}),
      ids: [...ids].slice(0, 8),
      steps,
      outcome: outcomeOf(evs),
      families: [...new Set(evs.map((e) => e.family))],
    });
  }
  return sessions;
}

function stepDetail(e: LogEvent): string | undefined {
  const parts: string[] = [];
  if (e.answer) parts.push(`type=${e.answer}`);
  if (e.query) parts.push(e.query);
  if (e.status) parts.push(e.status);
  if (e.reason && e.step === 'timeout-scheduled') parts.push(`${e.reason} s`);
  if (e.streamId) parts.push(`id ${e.streamId}`);
  return parts.length ? parts.join(', ') : undefined;
}

function outcomeOf(evs: LogEvent[]): string {
  if (evs.some((e) => e.kind === 'dialback.invalid' || e.answer === 'invalid')) return 'invalid';
  if (
    evs.some((e) =>
      [
        'dns.failed',
        'connect.refused',
        'connect.timeout',
        's2s.failed',
        'tls.failed',
        'dialback.failed',
      ].includes(e.kind),
    )
  )
    return 'failed';
  if (evs.some((e) => e.kind === 'cert.rejected' || e.kind === 'cert.missing' || e.kind === 'tls.required'))
    return 'refused';
  if (evs.some((e) => e.kind === 'dialback.timeout')) return 'timeout';
  if (evs.some((e) => e.answer === 'valid' || e.step === 'connected' || e.kind === 's2s.established'))
    return 'established';
  return 'unknown';
}

/** --domain: keep sessions (and session-less events) that involve the domain. */
function applyDomain(facts: LogFacts, domain: string): void {
  const involves = (...ds: (string | undefined)[]) => ds.some((d) => d?.toLowerCase() === domain);
  const keepSessions = new Set<number>();
  facts.sessions.forEach((s, i) => {
    const evs = facts.events.filter((e) => e.sessionIndex === i);
    if (involves(s.from, s.to) || evs.some((e) => involves(e.from, e.to, e.peer))) keepSessions.add(i);
  });
  const before = facts.events.length;
  const remap = new Map<number, number>();
  facts.sessions = facts.sessions.filter((_s, i) => {
    if (!keepSessions.has(i)) return false;
    remap.set(i, remap.size);
    return true;
  });
  facts.events = facts.events.filter((e) => {
    if (e.sessionIndex !== undefined) {
      if (!remap.has(e.sessionIndex)) return false;
      e.sessionIndex = remap.get(e.sessionIndex);
      return true;
    }
    return involves(e.from, e.to, e.peer);
  });
  facts.window.outside += before - facts.events.length;
}
