/**
 * The receiving server's half of XEP-0220 §2.1.2-§2.1.3 on an open stream to an authoritative
 * server: send <db:verify from to id>KEY</db:verify> and read until the correlated answer
 * (same from/to swapped, same id) or a failure. Used by `xfed dialback verify` with a random
 * key (a healthy peer answers 'invalid') and by the listener to check a peer's own key.
 * Answers that do not correlate are dropped, as XEP-0220 §2.3 requires.
 */
import type { StreamEvent, XmppConnection } from '../xmpp/connection.js';
import { isStreamError, NS_DIALBACK, stanzaErrorCondition } from '../xmpp/features.js';
import { escapeXml, type XmlElement } from '../xmpp/xml.js';
import { randomToken } from './keys.js';
import { sameDomain } from './names.js';

export interface VerifyRequest {
  /** The receiving domain (ours). */
  from: string;
  /** The domain whose authoritative server answers. */
  to: string;
  /** The stream id the key is bound to. */
  id: string;
  key: string;
}

/** What came back: the correlated answer element, or the event that ended the wait. */
export interface ExchangeResult {
  answer?: XmlElement;
  failure?: StreamEvent;
  /** Elements that did not answer the request (uncorrelated dialback answers, stanzas). */
  ignored: number;
  durationMs: number;
}

/** The answer's meaning (XEP-0220 §2.1.3 type; §2.4 error child). */
export interface ParsedAnswer {
  type: 'valid' | 'invalid' | 'error' | 'other';
  condition?: string;
  errorType?: string;
  text?: string;
  /** The answer carried key text (Prosody and Cisco echo it; ejabberd sends none). */
  keyEchoed: boolean;
}

export function parseDialbackAnswer(el: XmlElement): ParsedAnswer {
  const t = el.attrs.type;
  const type = t === 'valid' || t === 'invalid' || t === 'error' ? t : 'other';
  const p: ParsedAnswer = { type, keyEchoed: el.text.trim().length > 0 };
  if (type === 'error') {
    const e = stanzaErrorCondition(el);
    p.condition = e?.condition ?? 'undefined-condition';
    if (e?.type) p.errorType = e.type;
    if (e?.text) p.text = e.text;
  }
  return p;
}

/** A random db:verify for the safe probe: nobody issued this key, so the answer must be 'invalid'. */
export function randomVerifyRequest(from: string, to: string): VerifyRequest {
  return { from, to, id: randomToken(8), key: randomToken(32) };
}

/**
 * Reads events until `match` accepts an element or the deadline passes. Stream errors,
 * closes, parse errors and the deadline end the wait as `failure`.
 */
export async function awaitElement(
  conn: XmppConnection,
  match: (el: XmlElement) => boolean,
  timeoutMs: number,
  step: string,
): Promise<ExchangeResult> {
  const started = Date.now();
  let ignored = 0;
  for (;;) {
    const left = timeoutMs - (Date.now() - started);
    const ev: StreamEvent = left <= 0 ? { kind: 'timeout', step, timeoutMs } : await conn.read(left, step);
    const durationMs = Date.now() - started;
    if (ev.kind === 'element' && !isStreamError(ev.el)) {
      if (match(ev.el)) return { answer: ev.el, ignored, durationMs };
      ignored++;
      continue;
    }
    return { failure: ev, ignored, durationMs };
  }
}

/** Sends the db:verify and waits for its correlated answer. */
export function exchangeVerify(
  conn: XmppConnection,
  req: VerifyRequest,
  timeoutMs: number,
): Promise<ExchangeResult> {
  conn.send(
    `<db:verify from='${escapeXml(req.from)}' to='${escapeXml(req.to)}' id='${escapeXml(req.id)}'>${escapeXml(req.key)}</db:verify>`,
  );
  return awaitElement(
    conn,
    (el) =>
      el.ns === NS_DIALBACK &&
      el.local === 'verify' &&
      el.attrs.type !== undefined &&
      sameDomain(el.attrs.from, req.to) &&
      sameDomain(el.attrs.to, req.from) &&
      // XEP-0220 §2.3: the answer is matched by the whole (from, to, id) triple; one without
      // our id (or with another) answers nothing we asked, and is dropped like a spoof.
      el.attrs.id === req.id,
    timeoutMs,
    'db:verify answer',
  );
}
