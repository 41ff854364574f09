/**
 * Dialback key algorithms, pure: XEP-0185 §2 (HMAC-SHA256 keyed by the hex text of
 * SHA-256(secret), over "receiving originating stream-id") and the jabberd 1.x/2.x SHA-1
 * chain (sha1hex(sha1hex(sha1hex(secret) + receiving) + stream-id)), plus a comparison that
 * treats every key as an opaque token: the format is private to the authoritative server
 * (XEP-0220 §2.1.1), so length alone never makes a key wrong.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** The inputs of a dialback key (XEP-0185 §2; XEP-0220 §2.1.1). */
export interface KeyInput {
  /** The receiving (target) domain: `to` of db:result, `from` of db:verify. */
  receiving: string;
  /** The originating (sender) domain: `from` of db:result, `to` of db:verify. */
  originating: string;
  /** The id of the response stream header on which db:result was sent (the post-TLS id). */
  streamId: string;
}

function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

function sha1Hex(s: string): string {
  return createHash('sha1').update(s, 'utf8').digest('hex');
}

/**
 * XEP-0185 §2: key = HEX(HMAC-SHA256(HEX(SHA-256(secret)), receiving + ' ' + originating +
 * ' ' + id)). The HMAC key is the 64-character lowercase hex *text*, not the 32 raw bytes
 * (the spec's examples only reproduce that way; using raw bytes is a classic interop bug).
 */
export function xep0185Key(secret: string, k: KeyInput): string {
  return createHmac('sha256', Buffer.from(sha256Hex(secret), 'ascii'))
    .update(`${k.receiving} ${k.originating} ${k.streamId}`, 'utf8')
    .digest('hex');
}

/**
 * The jabberd SHA-1 chain (jabberd14 dialback_merlin, jabberd2 s2s_db_key): plain
 * concatenation, lowercase hex, 40 characters. The originating domain is not an input.
 */
export function jabberdKey(secret: string, k: Pick<KeyInput, 'receiving' | 'streamId'>): string {
  return sha1Hex(sha1Hex(sha1Hex(secret) + k.receiving) + k.streamId);
}

export type KeyAlgorithm = 'xep0185' | 'jabberd';

/** Every algorithm xfed knows, in the order they are tried. */
export function candidateKeys(secret: string, k: KeyInput): Record<KeyAlgorithm, string> {
  return { xep0185: xep0185Key(secret, k), jabberd: jabberdKey(secret, k) };
}

/**
 * Compares an observed key with a computed one in constant time. Keys are opaque tokens, but
 * the hex keys both algorithms produce are case-insensitive, and a key copied from a log
 * may carry surrounding white space; both are forgiven.
 */
export function keysEqual(observed: string, computed: string): boolean {
  const a = Buffer.from(normaliseKey(observed), 'utf8');
  const b = Buffer.from(normaliseKey(computed), 'utf8');
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}

export function normaliseKey(key: string): string {
  const t = key.trim();
  return /^[0-9a-fA-F]+$/.test(t) ? t.toLowerCase() : t;
}

/** Which algorithm produced `observed`, if any. */
export function matchKey(observed: string, secret: string, k: KeyInput): KeyAlgorithm | null {
  const c = candidateKeys(secret, k);
  for (const alg of ['xep0185', 'jabberd'] as const) if (keysEqual(observed, c[alg])) return alg;
  return null;
}

/** A fresh random dialback secret (XEP-0185 §3: random at start-up is fine), 32 bytes as hex. */
export function randomSecret(): string {
  return randomBytes(32).toString('hex');
}

/** A random token for stream ids, db:verify ids and probe keys (unpredictable, RFC 6120 §4.7.3). */
export function randomToken(bytes = 16): string {
  return randomBytes(bytes).toString('hex');
}
