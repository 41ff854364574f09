/**
 * Bounded streaming XML for XMPP (RFC 6120 §4.2, §11): parses the unending <stream:stream>
 * document into a header event and one complete element per top-level child. Rejects what
 * RFC 6120 §11.1 forbids on a stream (DTDs and so entity declarations, processing
 * instructions other than the XML declaration) and never buffers more than `maxStanzaBytes`
 * between two top-level elements.
 */
import { SaxesParser, type SaxesTagNS } from 'saxes';

export const NS_STREAM = 'http://etherx.jabber.org/streams';

/** A parsed element. `name` is the qualified name as written; `ns` the resolved namespace URI. */
export interface XmlElement {
  name: string;
  local: string;
  ns: string;
  /** Attributes by qualified name as written (namespace declarations included). */
  attrs: Record<string, string>;
  children: XmlElement[];
  /** Concatenated character data directly inside this element. */
  text: string;
}

export type XmlEvent =
  | { kind: 'header'; el: XmlElement }
  | { kind: 'element'; el: XmlElement }
  | { kind: 'close' }
  | { kind: 'error'; code: XmlErrorCode; message: string };

/** Why the input is not an acceptable XMPP stream. */
export type XmlErrorCode =
  | 'not-well-formed'
  | 'restricted-xml'
  | 'limit'
  | 'not-xmpp-http'
  | 'not-xmpp-tls'
  | 'not-xmpp-ssh'
  | 'not-xmpp-smtp'
  | 'not-xmpp'
  | 'invalid-utf8';

export interface XmlStreamOptions {
  /** Largest amount of input accepted between two top-level elements (default 512 KiB, Prosody's stanza limit). */
  maxStanzaBytes?: number;
  /** Deepest nesting accepted (default 64). */
  maxDepth?: number;
}

/**
 * Feed bytes in with `write`; events come out through `onEvent`. After an error event the
 * parser ignores further input.
 */
export class XmlStreamParser {
  private readonly parser = new SaxesParser({ xmlns: true, position: false });
  // fatal: invalid UTF-8 is a protocol violation to report (RFC 6120 §11.6), not to patch over.
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private readonly maxStanzaBytes: number;
  private readonly maxDepth: number;
  private stack: XmlElement[] = [];
  private header: XmlElement | undefined;
  private pendingBytes = 0;
  private sawAnyByte = false;
  private failed = false;

  constructor(
    private readonly onEvent: (ev: XmlEvent) => void,
    opts: XmlStreamOptions = {},
  ) {
    this.maxStanzaBytes = opts.maxStanzaBytes ?? 512 * 1024;
    this.maxDepth = opts.maxDepth ?? 64;
    const p = this.parser;
    p.on('doctype', () =>
      this.fail(
        'restricted-xml',
        'the peer sent a DOCTYPE (DTDs and entity declarations are forbidden on XMPP streams)',
      ),
    );
    p.on('processinginstruction', (pi) =>
      this.fail('restricted-xml', `the peer sent a processing instruction <?${pi.target}?>`),
    );
    p.on('error', (err) => this.fail('not-well-formed', err.message.replace(/^undefined:/, '').trim()));
    p.on('opentag', (tag) => this.openTag(tag as SaxesTagNS));
    p.on('closetag', () => this.closeTag());
    p.on('text', (t) => this.addText(t));
    p.on('cdata', (t) => this.addText(t));
  }

  get hasFailed(): boolean {
    return this.failed;
  }

  write(chunk: Buffer | string): void {
    if (this.failed) return;
    const buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    if (!this.sawAnyByte && buf.length > 0) {
      this.sawAnyByte = true;
      const sniff = sniffNonXmpp(buf);
      if (sniff) return this.fail(sniff.code, sniff.message);
    }
    this.pendingBytes += buf.length;
    if (this.pendingBytes > this.maxStanzaBytes) {
      return this.fail(
        'limit',
        `more than ${this.maxStanzaBytes} bytes without a complete top-level element`,
      );
    }
    let text: string;
    try {
      text = this.decoder.decode(buf, { stream: true });
    } catch {
      // What came before the bad bytes still counts (e.g. the header in the same packet).
      const bad = invalidUtf8(buf);
      try {
        this.parser.write(new TextDecoder('utf-8').decode(buf.subarray(0, bad.start)));
      } catch {
        // a parse error there has already been reported by the 'error' handler
      }
      return this.fail('invalid-utf8', bad.message);
    }
    try {
      this.parser.write(text);
    } catch (err) {
      this.fail('not-well-formed', (err as Error).message);
    }
  }

  private fail(code: XmlErrorCode, message: string): void {
    if (this.failed) return;
    this.failed = true;
    this.onEvent({ kind: 'error', code, message });
  }

  private openTag(tag: SaxesTagNS): void {
    if (this.failed) return;
    const attrs: Record<string, string> = {};
    for (const [k, a] of Object.entries(tag.attributes)) attrs[k] = a.value;
    const el: XmlElement = { name: tag.name, local: tag.local, ns: tag.uri, attrs, children: [], text: '' };
    if (!this.header) {
      if (tag.local !== 'stream' || tag.uri !== NS_STREAM) {
        return this.fail(
          'not-xmpp',
          `the first element is <${tag.name}> in namespace "${tag.uri}", not <stream:stream>`,
        );
      }
      this.header = el;
      this.pendingBytes = 0;
      this.onEvent({ kind: 'header', el });
      return;
    }
    if (this.stack.length >= this.maxDepth)
      return this.fail('limit', `elements nested deeper than ${this.maxDepth}`);
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(el);
    this.stack.push(el);
  }

  private closeTag(): void {
    if (this.failed) return;
    const el = this.stack.pop();
    if (!el) {
      // The stream element itself closed: </stream:stream>.
      this.onEvent({ kind: 'close' });
      return;
    }
    if (this.stack.length === 0) {
      this.pendingBytes = 0;
      this.onEvent({ kind: 'element', el });
    }
  }

  private addText(t: string): void {
    const top = this.stack[this.stack.length - 1];
    if (top) top.text += t;
  }
}

/** Recognises services that are not XMPP from their first bytes. */
function sniffNonXmpp(buf: Buffer): { code: XmlErrorCode; message: string } | undefined {
  if (buf[0] === 0x16 && buf[1] === 0x03) {
    return {
      code: 'not-xmpp-tls',
      message: 'the peer answered with a TLS record: this port expects TLS first (direct TLS), not STARTTLS',
    };
  }
  if (buf[0] === 0x15 && buf[1] === 0x03) {
    return {
      code: 'not-xmpp-tls',
      message: 'the peer answered with a TLS alert: this port speaks TLS first',
    };
  }
  const head = buf.subarray(0, 16).toString('latin1');
  if (/^HTTP\/\d/.test(head))
    return {
      code: 'not-xmpp-http',
      message: `the peer answered like an HTTP server ("${head.split('\r')[0]}")`,
    };
  if (head.startsWith('SSH-'))
    return { code: 'not-xmpp-ssh', message: 'the peer answered with an SSH banner' };
  // SMTP (RFC 5321 §4.2) greets with "220 " or "220-", and so do FTP servers.
  const line = buf.subarray(0, 80).toString('latin1').split(/\r?\n/)[0] ?? '';
  if (/^(220|421|554)[ -]/.test(line))
    return {
      code: 'not-xmpp-smtp',
      message: `the peer greeted like a mail (SMTP) server ("${line.replace(/[^\x20-\x7e]/g, '?')}")`,
    };
  return undefined;
}

/** Where in `buf` the first invalid UTF-8 sequence starts, and a message naming it. */
function invalidUtf8(buf: Buffer): { start: number; message: string } {
  const strict = new TextDecoder('utf-8', { fatal: true });
  let lo = 0;
  let hi = buf.length;
  // The longest prefix that still decodes (a sequence cut at the end is not an error yet).
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    try {
      strict.decode(buf.subarray(0, mid), { stream: true });
      lo = mid;
    } catch {
      hi = mid - 1;
    }
  }
  // The prefix may end inside the bad sequence (its lead byte looked like a cut sequence).
  let start = lo;
  let k = lo;
  while (k > 0 && lo - k < 3 && ((buf[k - 1] as number) & 0xc0) === 0x80) k--;
  if (k > 0 && (buf[k - 1] as number) >= 0xc0) start = k - 1;
  const bad = buf.subarray(start, Math.max(lo + 1, start + 1)).toString('hex');
  return {
    start,
    message: `the bytes are not valid UTF-8 (at byte ${start} of this chunk: 0x${bad}); XMPP streams must be UTF-8`,
  };
}

const ESC_ATTR: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  "'": '&apos;',
  '"': '&quot;',
};

export function escapeXml(s: string): string {
  return s.replace(/[&<>'"]/g, (c) => ESC_ATTR[c] as string);
}

/** Serialises an element (for transcripts and tests). */
export function serialize(el: XmlElement): string {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}='${escapeXml(v)}'`)
    .join('');
  if (el.children.length === 0 && el.text === '') return `<${el.name}${attrs}/>`;
  return `<${el.name}${attrs}>${escapeXml(el.text)}${el.children.map(serialize).join('')}</${el.name}>`;
}
