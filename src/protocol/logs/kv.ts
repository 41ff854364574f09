/**
 * Tokenizer for Cisco Expressway / VCS / IM and Presence (XCP) log lines: an optional syslog
 * header (timestamp, host, `proc[pid]:`) followed by `Key="value"` pairs (reference
 * cisco-and-peers.md §3.2). Tolerates what real and copied lines contain: `Level="INFO":` with
 * a colon, padded levels, whitespace around `=`, duplicate keys (all kept, in order), `UTCTime`
 * anywhere, `..` elisions, typographic quotes, and a last value whose closing quote is on a later
 * line (`open`). Never throws; work is linear in the line length (each closing-quote candidate
 * looks ahead at most MAX_KEY characters), and at most MAX_PAIRS pairs are kept.
 */

export interface KvPair {
  key: string;
  value: string;
}

export interface KvLine {
  /** Text before the first pair (syslog timestamp, host, process tag), trimmed. */
  header: string;
  /** Syslog timestamp from the header (ISO 8601 or `Mon DD HH:MM:SS`), when present. */
  time?: string;
  /** Process tag from the header without the pid, e.g. `tvcs`, `XCP_CM2`. */
  proc?: string;
  pid?: string;
  pairs: KvPair[];
  /** The last value has no closing quote: the record continues on the next line. */
  open: boolean;
}

export const MAX_PAIRS = 256;
const MAX_KEY = 64;

const OPEN_QUOTES = new Set([0x22, 0x201c, 0x201d]); // " “ ”
const CLOSE_QUOTES = OPEN_QUOTES;

function isKeyStart(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f; // A-Z a-z _
}

function isKeyChar(c: number): boolean {
  return isKeyStart(c) || (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2e; // 0-9 - .
}

/** Space, tab and the line breaks of an assembled multi-line record. */
function isWordChar(c: number): boolean {
  return isKeyStart(c) || (c >= 0x30 && c <= 0x39);
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** True when `s[at..]` is `Key WS* = WS* <quote>` (a following pair). */
function pairStartsAt(s: string, at: number): boolean {
  const n = s.length;
  let i = at;
  if (i >= n || !isKeyStart(s.charCodeAt(i))) return false;
  const limit = Math.min(n, at + MAX_KEY);
  while (i < limit && isKeyChar(s.charCodeAt(i))) i++;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  if (s.charCodeAt(i) !== 0x3d) return false;
  i++;
  while (i < n && isSpace(s.charCodeAt(i))) i++;
  return i < n && OPEN_QUOTES.has(s.charCodeAt(i));
}

/**
 * Index of the quote that closes a value starting at `from`, or -1. A quote closes the value
 * when the line ends there, or a `:`/`,` follows, or whitespace and then the end or another pair
 * follows; any other quote is part of the value.
 */
function closingQuote(s: string, from: number): number {
  const n = s.length;
  for (let j = from; j < n; j++) {
    if (!CLOSE_QUOTES.has(s.charCodeAt(j))) continue;
    const next = j + 1;
    if (next >= n) return j;
    const c = s.charCodeAt(next);
    if (c === 0x3a || c === 0x2c) return j; // : ,
    if (isSpace(c)) {
      let k = next;
      while (k < n && isSpace(s.charCodeAt(k))) k++;
      if (k >= n || pairStartsAt(s, k) || s.charCodeAt(k) === 0x3a) return j;
    }
  }
  return -1;
}

const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:[.,]\d+)?(?:Z|[+-]\d\d:?\d\d)?$/;
const PROC = /^([A-Za-z_][\w.-]*?)(?:\[(\d+)\])?:?(?:\.\.+)?$/;

function parseHeader(header: string, out: KvLine): void {
  const words = header.split(/\s+/).filter(Boolean);
  let i = 0;
  const w0 = words[0];
  if (w0 && ISO_TIME.test(w0)) {
    out.time = w0;
    i = 1;
  } else if (words.length >= 3 && /^[A-Z][a-z]{2}$/.test(w0 ?? '') && /^\d\d?$/.test(words[1] ?? '')) {
    out.time = `${words[0]} ${words[1]} ${words[2]}`;
    i = 3;
  }
  // The process tag is the last word that looks like `proc[pid]:` or `proc:`; earlier words are the host.
  for (let j = words.length - 1; j >= i; j--) {
    const w = words[j] as string;
    const m = PROC.exec(w);
    if (m && (w.includes(':') || w.includes('['))) {
      out.proc = m[1];
      if (m[2]) out.pid = m[2];
      return;
    }
  }
}

/** Splits one line (or an assembled multi-line record) into header and pairs. */
export function tokenizeKv(line: string): KvLine {
  const out: KvLine = { header: '', pairs: [], open: false };
  const n = line.length;
  let i = 0;
  let firstPair = -1;
  while (i < n && out.pairs.length < MAX_PAIRS) {
    const eq = line.indexOf('=', i);
    if (eq < 0) break;
    let k = eq - 1;
    while (k >= i && isSpace(line.charCodeAt(k))) k--;
    let ks = k;
    while (ks >= i && k - ks < MAX_KEY && isKeyChar(line.charCodeAt(ks))) ks--;
    ks++;
    // A key starts with a letter or `_`: dots, dashes and digits before it (`XCP_CM2[1]:..Level`) are not part of it.
    while (ks <= k && !isKeyStart(line.charCodeAt(ks))) ks++;
    let v = eq + 1;
    while (v < n && isSpace(line.charCodeAt(v))) v++;
    const keyOk =
      ks <= k &&
      isKeyStart(line.charCodeAt(ks)) &&
      (ks === 0 || !isWordChar(line.charCodeAt(ks - 1))) &&
      v < n &&
      OPEN_QUOTES.has(line.charCodeAt(v));
    if (!keyOk) {
      i = eq + 1;
      continue;
    }
    if (firstPair < 0) firstPair = ks;
    const key = line.slice(ks, k + 1);
    const close = closingQuote(line, v + 1);
    if (close < 0) {
      out.pairs.push({ key, value: line.slice(v + 1) });
      out.open = true;
      break;
    }
    out.pairs.push({ key, value: line.slice(v + 1, close) });
    i = close + 1;
  }
  out.header = (firstPair < 0 ? line : line.slice(0, firstPair)).trim();
  if (out.header) parseHeader(out.header, out);
  return out;
}

/** First value of `key` (keys compare case-sensitively, as logged). */
export function kvGet(l: KvLine, key: string): string | undefined {
  for (const p of l.pairs) if (p.key === key) return p.value;
  return undefined;
}

/** Every value of `key`, in order (Cisco repeats keys such as `Node`). */
export function kvAll(l: KvLine, key: string): string[] {
  return l.pairs.filter((p) => p.key === key).map((p) => p.value);
}
