/**
 * SASL EXTERNAL for server-to-server streams (XEP-0178 §4, RFC 6120 §6): after TLS with a
 * client certificate, the initiating server sends <auth mechanism='EXTERNAL'> carrying its own
 * domain as the authorization identity (base64; XEP-0178 says SHOULD, for servers that need
 * it) and reads <success/> or <failure/> with its condition and text. Returns what happened as
 * data; nothing throws for the peer's behaviour.
 */
import type { StreamEvent, XmppConnection } from './connection.js';
import { isStreamError, NS_SASL, parseStreamError, type StreamErrorInfo } from './features.js';

export type SaslExternalResult =
  | { outcome: 'success'; durationMs: number }
  | { outcome: 'failure'; condition: string; text?: string; durationMs: number }
  | { outcome: 'stream-error'; error: StreamErrorInfo; durationMs: number }
  /** No answer, a close, or an element other than success/failure. */
  | { outcome: 'no-answer'; event: StreamEvent; durationMs: number };

/** Sends <auth mechanism='EXTERNAL'> with `authzid` (our domain) and reads the answer. */
export async function saslExternal(
  conn: XmppConnection,
  authzid: string,
  timeoutMs: number,
): Promise<SaslExternalResult> {
  const started = Date.now();
  const payload = authzid === '' ? '=' : Buffer.from(authzid, 'utf8').toString('base64');
  conn.send(`<auth xmlns='${NS_SASL}' mechanism='EXTERNAL'>${payload}</auth>`);
  const ev = await conn.read(timeoutMs, 'SASL EXTERNAL answer');
  const durationMs = Date.now() - started;
  if (ev.kind === 'element' && ev.el.ns === NS_SASL) {
    if (ev.el.local === 'success') return { outcome: 'success', durationMs };
    if (ev.el.local === 'failure') {
      const cond = ev.el.children.find((c) => c.ns === NS_SASL && c.local !== 'text');
      const text = ev.el.children.find((c) => c.ns === NS_SASL && c.local === 'text')?.text.trim();
      return {
        outcome: 'failure',
        condition: cond?.local ?? 'undefined-condition',
        ...(text ? { text } : {}),
        durationMs,
      };
    }
  }
  if (ev.kind === 'element' && isStreamError(ev.el)) {
    return { outcome: 'stream-error', error: parseStreamError(ev.el), durationMs };
  }
  return { outcome: 'no-answer', event: ev, durationMs };
}
