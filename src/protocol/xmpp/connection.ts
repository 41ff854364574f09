/**
 * One XMPP s2s connection (RFC 6120 §4, §5): TCP or TLS socket, a bounded streaming parser,
 * an event queue read with deadlines, STARTTLS upgrade on either side, stream restart and a
 * polite close. Records everything in the transcript. Knows nothing of findings or the CLI.
 */
import net from 'node:net';
import tls from 'node:tls';
import type { FailureReason } from '../../facts/attempt.js';
import { reasonFromErrno } from '../../facts/attempt.js';
import type { Transcript } from '../../transcript/recorder.js';
import { skipServerIdentity, withoutIdentityCertificate } from '../tls/trust.js';
import { HandshakeCapture } from '../tls/wire-chain.js';
import { NS_DIALBACK, NS_SERVER } from './features.js';
import { escapeXml, NS_STREAM, type XmlElement, type XmlEvent, XmlStreamParser } from './xml.js';

export type StreamEvent =
  | XmlEvent
  | { kind: 'eof' }
  | { kind: 'socket-error'; reason: FailureReason; code?: string; message: string }
  | { kind: 'timeout'; step: string; timeoutMs: number };

export interface ConnectionOptions {
  transcript?: Transcript;
  maxStanzaBytes?: number;
  /** Prefix for transcript notes, e.g. "xmpp.example.org:5269". */
  label?: string;
}

/** Stream header attributes as received. */
export interface StreamHeader {
  from?: string;
  to?: string;
  id?: string;
  version?: string;
  lang?: string;
  /** Whether xmlns:db='jabber:server:dialback' was declared (legacy dialback signal). */
  dialbackNs: boolean;
  /** Default namespace declared on the header. */
  contentNs?: string;
}

export function headerInfo(el: XmlElement): StreamHeader {
  const h: StreamHeader = { dialbackNs: el.attrs['xmlns:db'] === NS_DIALBACK };
  if (el.attrs.from !== undefined) h.from = el.attrs.from;
  if (el.attrs.to !== undefined) h.to = el.attrs.to;
  if (el.attrs.id !== undefined) h.id = el.attrs.id;
  if (el.attrs.version !== undefined) h.version = el.attrs.version;
  if (el.attrs['xml:lang'] !== undefined) h.lang = el.attrs['xml:lang'];
  if (el.attrs.xmlns !== undefined) h.contentNs = el.attrs.xmlns;
  return h;
}

/** Builds an s2s stream header (jabber:server, dialback namespace declared, version 1.0). */
export function streamHeader(attrs: { to?: string; from?: string; id?: string; version?: string }): string {
  const parts = [
    `<?xml version='1.0'?>`,
    `<stream:stream xmlns='${NS_SERVER}' xmlns:stream='${NS_STREAM}' xmlns:db='${NS_DIALBACK}'`,
  ];
  let tag = parts[1] as string;
  for (const k of ['from', 'to', 'id'] as const) {
    const v = attrs[k];
    if (v !== undefined) tag += ` ${k}='${escapeXml(v)}'`;
  }
  tag += ` version='${attrs.version ?? '1.0'}'>`;
  return `${parts[0]}${tag}`;
}

export class XmppConnection {
  private parser!: XmlStreamParser;
  private queue: StreamEvent[] = [];
  private waiter: ((ev: StreamEvent) => void) | undefined;
  private ended = false;
  private ignoredBytes = 0;
  private readonly onData = (chunk: Buffer) => {
    if (this.parser.hasFailed) {
      // The stream is unusable once the parser failed: record no more input (a hostile peer
      // could otherwise fill the transcript), just note the first ignored chunk.
      if (this.ignoredBytes === 0) this.options.transcript?.note('further input ignored after the XML error');
      this.ignoredBytes += chunk.length;
      return;
    }
    this.options.transcript?.in(printable(chunk));
    this.parser.write(chunk);
  };
  private readonly onEnd = () => this.push({ kind: 'eof' });
  private readonly onError = (err: NodeJS.ErrnoException) =>
    this.push({
      kind: 'socket-error',
      reason: reasonFromErrno(err.code),
      code: err.code,
      message: err.message,
    });

  constructor(
    public socket: net.Socket,
    private readonly options: ConnectionOptions = {},
  ) {
    this.attach(socket);
  }

  get label(): string {
    return this.options.label ?? `${this.socket.remoteAddress}:${this.socket.remotePort}`;
  }

  get encrypted(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  private attach(socket: net.Socket): void {
    this.socket = socket;
    this.resetParser();
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onEnd);
    socket.on('error', this.onError);
  }

  private detach(): void {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
  }

  /** Starts a fresh XML document (stream restart after TLS or SASL, RFC 6120 §5.4.3.3). */
  private resetParser(): void {
    this.queue = this.queue.filter((e) => e.kind === 'eof' || e.kind === 'socket-error');
    this.parser = new XmlStreamParser((ev) => this.push(ev), { maxStanzaBytes: this.options.maxStanzaBytes });
  }

  private push(ev: StreamEvent): void {
    if (ev.kind === 'eof') {
      if (this.ended) return;
      this.ended = true;
    }
    const w = this.waiter;
    if (w) {
      this.waiter = undefined;
      w(ev);
    } else {
      this.queue.push(ev);
    }
  }

  send(xml: string): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.options.transcript?.out(xml);
    this.socket.write(xml);
  }

  /** Next event, or a timeout event after `timeoutMs`. Never throws. */
  read(timeoutMs: number, step: string): Promise<StreamEvent> {
    const queued = this.queue.shift();
    if (queued) return Promise.resolve(queued);
    if (this.ended) return Promise.resolve({ kind: 'eof' });
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        this.options.transcript?.note(`${step}: nothing received within ${timeoutMs} ms`);
        resolve({ kind: 'timeout', step, timeoutMs });
      }, timeoutMs);
      this.waiter = (ev) => {
        clearTimeout(timer);
        resolve(ev);
      };
    });
  }

  /** Client side of TLS: after <proceed/>, or right after connect for direct TLS (XEP-0368). */
  async upgradeClient(opts: tls.ConnectionOptions, timeoutMs: number): Promise<TlsResult> {
    this.detach();
    const raw = this.socket;
    // The handshake runs over a tap so the chain can be read exactly as the peer sent it.
    const capture = new HandshakeCapture(raw);
    const sock = tls.connect({ ...opts, socket: capture.stream });
    if (opts.checkServerIdentity === skipServerIdentity) withoutIdentityCertificate(sock);
    capture.attach(sock, opts.secureContext);
    const res = await tlsHandshake(sock, timeoutMs, 'secureConnect');
    if (res.ok) this.attach(sock);
    else raw.destroy();
    return res;
  }

  /** Server side of TLS after we sent <proceed/>. */
  async upgradeServer(opts: tls.TLSSocketOptions, timeoutMs: number): Promise<TlsResult> {
    this.detach();
    const raw = this.socket;
    const sock = new tls.TLSSocket(raw, { ...opts, isServer: true });
    const res = await tlsHandshake(sock, timeoutMs, 'secure');
    if (res.ok) this.attach(sock);
    else raw.destroy();
    return res;
  }

  /** Sends </stream:stream>, waits briefly for the peer's close, then destroys the socket. */
  async close(waitMs = 1000): Promise<void> {
    if (!this.socket.destroyed) {
      this.send('</stream:stream>');
      const deadline = Date.now() + waitMs;
      while (!this.ended && Date.now() < deadline) {
        const ev = await this.read(Math.max(1, deadline - Date.now()), 'stream close');
        if (ev.kind === 'close' || ev.kind === 'eof' || ev.kind === 'timeout' || ev.kind === 'socket-error')
          break;
      }
    }
    this.destroy();
  }

  destroy(): void {
    this.socket.destroy();
  }
}

export type TlsResult =
  | {
      ok: true;
      socket: tls.TLSSocket;
      protocol: string | null;
      cipher: string | undefined;
      alpn: string | false | null;
      durationMs: number;
    }
  | { ok: false; reason: FailureReason; code?: string; message: string; alert?: string; durationMs: number };

function tlsHandshake(
  sock: tls.TLSSocket,
  timeoutMs: number,
  event: 'secureConnect' | 'secure',
): Promise<TlsResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const done = (r: TlsResult) => {
      clearTimeout(timer);
      sock.off(event, onOk);
      sock.off('error', onErr);
      sock.off('close', onClose);
      resolve(r);
    };
    const onOk = () =>
      done({
        ok: true,
        socket: sock,
        protocol: sock.getProtocol(),
        cipher: sock.getCipher()?.name,
        alpn: sock.alpnProtocol,
        durationMs: Date.now() - started,
      });
    const onErr = (err: NodeJS.ErrnoException) => {
      const alert = /alert ([a-z ]+)|SSL alert number (\d+)|TLSV1_ALERT_([A-Z_]+)/i.exec(
        `${err.code ?? ''} ${err.message}`,
      );
      const r: TlsResult = {
        ok: false,
        reason: err.code?.startsWith('ERR_SSL')
          ? alert
            ? 'tls-alert'
            : 'tls-error'
          : reasonFromErrno(err.code),
        message: err.message,
        durationMs: Date.now() - started,
      };
      if (err.code) r.code = err.code;
      if (alert) r.alert = (alert[1] ?? alert[2] ?? alert[3] ?? '').toLowerCase().replace(/_/g, ' ');
      sock.destroy();
      done(r);
    };
    const onClose = () =>
      done({
        ok: false,
        reason: 'closed',
        message: 'connection closed during the TLS handshake',
        durationMs: Date.now() - started,
      });
    const timer = setTimeout(() => {
      sock.destroy();
      done({
        ok: false,
        reason: 'timeout',
        message: `TLS handshake not finished within ${timeoutMs} ms`,
        durationMs: Date.now() - started,
      });
    }, timeoutMs);
    sock.once(event, onOk);
    sock.once('error', onErr);
    sock.once('close', onClose);
  });
}

export type ConnectResult =
  | { ok: true; socket: net.Socket; durationMs: number }
  | { ok: false; reason: FailureReason; code?: string; message: string; durationMs: number };

/** TCP connect with a deadline; refused, timeout and unreachable stay distinct. */
export function connectTcp(host: string, port: number, timeoutMs: number): Promise<ConnectResult> {
  const started = Date.now();
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve({
        ok: false,
        reason: 'timeout',
        message: `no TCP connection to ${host}:${port} within ${timeoutMs} ms`,
        durationMs: Date.now() - started,
      });
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.off('error', onErr);
      resolve({ ok: true, socket: sock, durationMs: Date.now() - started });
    });
    const onErr = (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      const r: ConnectResult = {
        ok: false,
        reason: reasonFromErrno(err.code),
        message: err.message,
        durationMs: Date.now() - started,
      };
      if (err.code) r.code = err.code;
      resolve(r);
    };
    sock.once('error', onErr);
  });
}

/** Keeps transcript text readable when a peer sends binary (e.g. TLS records). */
function printable(chunk: Buffer): string {
  const s = chunk.toString('utf8');
  if (!/[\x00-\x08\x0e-\x1f]/.test(s)) return s;
  return `[${chunk.length} bytes binary: ${chunk.subarray(0, 32).toString('hex')}${chunk.length > 32 ? '…' : ''}]`;
}
