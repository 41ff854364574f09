/**
 * Reading stream features and stream errors (RFC 6120 §4.3, §4.9, §5; XEP-0220 §2.4.2;
 * XEP-0288; XEP-0478). Order of features is never relied upon.
 */
import { NS_STREAM, type XmlElement } from './xml.js';

export const NS_SERVER = 'jabber:server';
export const NS_DIALBACK = 'jabber:server:dialback';
export const NS_TLS = 'urn:ietf:params:xml:ns:xmpp-tls';
export const NS_SASL = 'urn:ietf:params:xml:ns:xmpp-sasl';
export const NS_STREAMS_ERR = 'urn:ietf:params:xml:ns:xmpp-streams';
export const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';
export const NS_FEATURE_DIALBACK = 'urn:xmpp:features:dialback';
export const NS_FEATURE_BIDI = 'urn:xmpp:features:bidi';
export const NS_LIMITS = 'urn:xmpp:stream-limits:0';

/** What a <stream:features/> element offers. */
export interface StreamFeatures {
  starttls: { offered: boolean; required: boolean };
  /** XEP-0220 dialback feature; `errors` = the peer handles dialback errors. */
  dialback: { offered: boolean; errors: boolean };
  /** SASL mechanisms offered, or null when no <mechanisms/> element was sent. */
  saslMechanisms: string[] | null;
  bidi: boolean;
  limits?: { maxBytes?: number; idleSeconds?: number };
  /** Every feature as {namespace}local, in the order sent (for the report). */
  all: string[];
}

export function parseFeatures(el: XmlElement): StreamFeatures {
  const f: StreamFeatures = {
    starttls: { offered: false, required: false },
    dialback: { offered: false, errors: false },
    saslMechanisms: null,
    bidi: false,
    all: [],
  };
  for (const c of el.children) {
    f.all.push(`{${c.ns}}${c.local}`);
    if (c.local === 'starttls' && c.ns === NS_TLS) {
      f.starttls = { offered: true, required: c.children.some((r) => r.local === 'required') };
    } else if (c.local === 'dialback' && c.ns === NS_FEATURE_DIALBACK) {
      f.dialback = { offered: true, errors: c.children.some((r) => r.local === 'errors') };
    } else if (c.local === 'mechanisms' && c.ns === NS_SASL) {
      f.saslMechanisms = c.children.filter((m) => m.local === 'mechanism').map((m) => m.text.trim());
    } else if (c.local === 'bidi' && c.ns === NS_FEATURE_BIDI) {
      f.bidi = true;
    } else if (c.local === 'limits' && c.ns === NS_LIMITS) {
      const num = (name: string) => {
        const v = c.children.find((x) => x.local === name)?.text.trim();
        return v && /^\d+$/.test(v) ? Number(v) : undefined;
      };
      f.limits = { maxBytes: num('max-bytes'), idleSeconds: num('idle-seconds') };
    }
  }
  return f;
}

export function isFeatures(el: XmlElement): boolean {
  return el.local === 'features' && el.ns === NS_STREAM;
}

/** A stream error (RFC 6120 §4.9). */
export interface StreamErrorInfo {
  condition: string;
  text?: string;
  /** For see-other-host: the host (and port) the peer redirects to. */
  otherHost?: string;
  /** Application-specific condition elements, as {namespace}local. */
  app: string[];
}

export function isStreamError(el: XmlElement): boolean {
  return el.local === 'error' && el.ns === NS_STREAM;
}

export function parseStreamError(el: XmlElement): StreamErrorInfo {
  const cond = el.children.find((c) => c.ns === NS_STREAMS_ERR && c.local !== 'text');
  const text = el.children.find((c) => c.ns === NS_STREAMS_ERR && c.local === 'text')?.text.trim();
  const info: StreamErrorInfo = {
    condition: cond?.local ?? 'undefined-condition',
    app: el.children.filter((c) => c.ns !== NS_STREAMS_ERR).map((c) => `{${c.ns}}${c.local}`),
  };
  if (text) info.text = text;
  if (cond?.local === 'see-other-host' && cond.text.trim()) info.otherHost = cond.text.trim();
  return info;
}

/** A stanza-level error condition (first child of <error/> in the stanzas namespace). */
export function stanzaErrorCondition(
  el: XmlElement,
): { type?: string; condition: string; text?: string } | undefined {
  const err = el.children.find((c) => c.local === 'error');
  if (!err) return undefined;
  const cond = err.children.find((c) => c.ns === NS_STANZAS && c.local !== 'text');
  const text = err.children.find((c) => c.ns === NS_STANZAS && c.local === 'text')?.text.trim();
  const out: { type?: string; condition: string; text?: string } = {
    condition: cond?.local ?? 'undefined-condition',
  };
  if (err.attrs.type) out.type = err.attrs.type;
  if (text) out.text = text;
  return out;
}
