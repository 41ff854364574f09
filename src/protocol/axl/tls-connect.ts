/**
 * The TLS connection axl-auth opens first, only to read and judge the server certificate
 * before any credential is sent. Verification is deliberately off here (rejectUnauthorized:
 * false) so an untrusted, expired or misnamed certificate becomes facts, not an exception.
 * SNI is the host name (RFC 6066 §3: never an IP literal).
 */
import { isIP, type LookupFunction } from 'node:net';
import { connect, type TLSSocket } from 'node:tls';
import type { FailureReason } from '../../facts/attempt.js';
import { reasonFromErrno } from '../../facts/attempt.js';
import { DeadlineError, withDeadline } from '../deadline.js';

export interface TlsConnectOptions {
  host: string;
  port: number;
  /** Trust anchors (PEM) for the `authorized` verdict; the system store when absent. */
  ca?: string[];
  timeoutMs: number;
  lookup?: LookupFunction;
}

export type TlsConnectResult =
  | { ok: true; socket: TLSSocket; durationMs: number }
  | {
      ok: false;
      reason: FailureReason;
      message: string;
      /** Which part did not finish: the TCP connect or the TLS handshake. */
      step: 'TCP connect' | 'TLS handshake';
      durationMs: number;
    };

function tlsReason(code: string | undefined, tcpUp: boolean): FailureReason {
  const r = reasonFromErrno(code);
  if (r !== 'other') return r === 'reset' && tcpUp ? 'tls-error' : r;
  return tcpUp || /^ERR_(SSL|TLS)_/.test(code ?? '') ? 'tls-error' : 'other';
}

export async function connectTls(o: TlsConnectOptions): Promise<TlsConnectResult> {
  const started = Date.now();
  let tcpUp = false;
  const socket = connect({
    host: o.host,
    port: o.port,
    ...(isIP(o.host) ? {} : { servername: o.host }),
    ...(o.ca ? { ca: o.ca } : {}),
    ...(o.lookup ? { lookup: o.lookup } : {}),
    rejectUnauthorized: false,
    // Node folds the host-name check into `authorized`; CertCheckFacts.trust is the chain
    // verdict alone (the certificate rules judge the name), so the name check is left out here.
    checkServerIdentity: () => undefined,
    ALPNProtocols: ['http/1.1'],
  });
  socket.once('connect', () => {
    tcpUp = true;
  });
  // A late error after a timeout or a failed handshake must not become an uncaught exception.
  socket.on('error', () => undefined);
  const handshake = new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', () => resolve());
    socket.once('error', reject);
    socket.once('close', () =>
      reject(Object.assign(new Error('connection closed during the TLS handshake'), { code: 'ECONNRESET' })),
    );
  });
  try {
    await withDeadline(handshake, o.timeoutMs, 'TLS connect', () => socket.destroy());
    return { ok: true, socket, durationMs: Date.now() - started };
  } catch (err) {
    socket.destroy();
    const e = err as { code?: string; message?: string };
    const step = tcpUp ? 'TLS handshake' : 'TCP connect';
    const durationMs = Date.now() - started;
    if (err instanceof DeadlineError) {
      return {
        ok: false,
        reason: 'timeout',
        message: `no answer within ${o.timeoutMs} ms`,
        step,
        durationMs,
      };
    }
    return {
      ok: false,
      reason: tlsReason(e.code, tcpUp),
      message: String(e.message ?? err),
      step,
      durationMs,
    };
  }
}
