/**
 * The originating server's stream once it is open (and secured): sends <db:result/> with the
 * XEP-0185 key (XEP-0220 §2.1.1), waits for the receiving server's typed answer correlated by
 * from/to (§2.1.4; anything else is dropped, §2.3), then sends one XEP-0199 IQ ping. One
 * reader ("pump") owns the connection and hands each element to whoever waits for it, so the
 * ping reply may come either here or, as is normal without XEP-0288 bidi, on the peer's own
 * connection to our listener (`offer`).
 */
import type { StreamEvent, XmppConnection } from '../xmpp/connection.js';
import { isStreamError, NS_DIALBACK, NS_SERVER } from '../xmpp/features.js';
import { escapeXml, type XmlElement } from '../xmpp/xml.js';
import { randomToken } from './keys.js';
import { domainOfJid, sameDomain } from './names.js';

export type Delivery =
  | { kind: 'answer'; el: XmlElement; via: 'originating' | 'listener'; atMs: number }
  | { kind: 'failed'; event: StreamEvent; atMs: number }
  /** The run stopped the wait: the outcome was already known from elsewhere. */
  | { kind: 'stopped'; atMs: number };

interface Waiter {
  match(el: XmlElement, via: 'originating' | 'listener'): boolean;
  resolve(d: Delivery): void;
}

export class OriginatingStream {
  private waiters: Waiter[] = [];
  private terminal: StreamEvent | undefined;
  private closing = false;
  /** Set by stop(): every wait, present and future, ends at once. */
  private stopped = false;
  private readonly pumpDone: Promise<void>;
  /** Elements nobody waited for (uncorrelated answers, stray stanzas). */
  ignored = 0;

  constructor(
    private readonly conn: XmppConnection,
    private readonly our: string,
    private readonly peer: string,
    /** Longest silence the pump waits through before reading again (its own waits have timers). */
    private readonly idleMs: number,
    private readonly clock: () => number,
  ) {
    this.pumpDone = this.pump();
  }

  private async pump(): Promise<void> {
    for (;;) {
      const ev = await this.conn.read(this.idleMs, 'originating stream');
      if (ev.kind === 'element' && !isStreamError(ev.el)) {
        if (!this.deliver(ev.el, 'originating')) this.ignored++;
        continue;
      }
      if (ev.kind === 'timeout' && !this.closing) continue;
      this.terminal = ev;
      const ws = this.waiters;
      this.waiters = [];
      for (const w of ws) w.resolve({ kind: 'failed', event: ev, atMs: this.clock() });
      return;
    }
  }

  private deliver(el: XmlElement, via: 'originating' | 'listener'): boolean {
    const i = this.waiters.findIndex((w) => w.match(el, via));
    if (i < 0) return false;
    const [w] = this.waiters.splice(i, 1);
    w?.resolve({ kind: 'answer', el, via, atMs: this.clock() });
    return true;
  }

  /** An element that arrived on a listener stream (the peer's connection to us). */
  offer(el: XmlElement): boolean {
    return this.deliver(el, 'listener');
  }

  /** Registers a waiter, sends `xml`, and resolves with the matching element or the failure. */
  private request(xml: string, match: Waiter['match'], timeoutMs: number, step: string): Promise<Delivery> {
    return new Promise((resolve) => {
      if (this.stopped) {
        resolve({ kind: 'stopped', atMs: this.clock() });
        return;
      }
      if (this.terminal) {
        resolve({ kind: 'failed', event: this.terminal, atMs: this.clock() });
        return;
      }
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve({ kind: 'failed', event: { kind: 'timeout', step, timeoutMs }, atMs: this.clock() });
      }, timeoutMs);
      const w: Waiter = {
        match,
        resolve: (d) => {
          clearTimeout(timer);
          resolve(d);
        },
      };
      this.waiters.push(w);
      this.conn.send(xml);
    });
  }

  /** XEP-0220 §2.1.1: <db:result from=our to=peer>KEY</db:result>; the answer must come on this stream. */
  sendResult(key: string, timeoutMs: number): Promise<Delivery> {
    return this.request(
      `<db:result from='${escapeXml(this.our)}' to='${escapeXml(this.peer)}'>${escapeXml(key)}</db:result>`,
      (el, via) =>
        via === 'originating' &&
        el.ns === NS_DIALBACK &&
        el.local === 'result' &&
        el.attrs.type !== undefined &&
        sameDomain(el.attrs.from, this.peer) &&
        sameDomain(el.attrs.to, this.our),
      timeoutMs,
      'db:result answer',
    );
  }

  /**
   * XEP-0199 §4.1 server-to-server ping. Any <iq type='result'|'error'/> with our id from the
   * peer's domain is the reply, whichever connection it arrives on.
   */
  ping(timeoutMs: number): { id: string; reply: Promise<Delivery> } {
    const id = `xfed-ping-${randomToken(6)}`;
    const reply = this.request(
      `<iq type='get' from='${escapeXml(this.our)}' to='${escapeXml(this.peer)}' id='${id}'><ping xmlns='urn:xmpp:ping'/></iq>`,
      (el) =>
        el.local === 'iq' &&
        el.ns === NS_SERVER &&
        el.attrs.id === id &&
        (el.attrs.type === 'result' || el.attrs.type === 'error') &&
        sameDomain(domainOfJid(el.attrs.from), this.peer),
      timeoutMs,
      'ping reply',
    );
    return { id, reply };
  }

  /** Ends every wait (answer, ping) now and any later one at once: the run knows its outcome. */
  stop(): void {
    this.stopped = true;
    const ws = this.waiters;
    this.waiters = [];
    for (const w of ws) w.resolve({ kind: 'stopped', atMs: this.clock() });
  }

  /** Sends </stream:stream>, waits up to `waitMs` for the peer to close, then drops the socket. */
  async close(waitMs: number): Promise<void> {
    this.closing = true;
    if (!this.terminal) this.conn.send('</stream:stream>');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.pumpDone, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
    this.conn.destroy();
    await this.pumpDone;
  }
}
