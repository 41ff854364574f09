/**
 * The certificate chain exactly as the peer sent it: the certificate_list of the TLS
 * Certificate message, in wire order, with extra or misordered certificates kept.
 *
 * Why not node:tls: getPeerCertificate(true) rebuilds the chain by issuer links (it reorders,
 * drops certificates that are not on the path and appends local trust anchors), and Node has
 * no API for the list as received. So the client side of a handshake runs over a small tap
 * that keeps a bounded copy of the bytes the peer sent until the handshake ends, and the
 * Certificate message is read from them:
 * - TLS 1.2 (RFC 5246 §7.4.2): the message is in clear in the handshake records.
 * - TLS 1.3 (RFC 8446 §4.4.2): it is encrypted with the server handshake traffic key; Node
 *   hands the secret to the 'keylog' listener (as SSLKEYLOGFILE would), and the records are
 *   decrypted with it (RFC 8446 §5.2, §7.1, §7.3). The secret is held only in memory until
 *   the message is read and never recorded.
 * Every length is checked against the bytes present; nothing here throws to the caller.
 */
import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import type { SecureContext, TLSSocket } from 'node:tls';

/** A chain message larger than this is not something a server sends; capture stops there. */
export const MAX_CAPTURE_BYTES = 256 * 1024;
/** More certificates than this in one message are not read. */
export const MAX_SENT_CERTIFICATES = 32;

export type WireChainFailure =
  | 'not-captured'
  | 'too-large'
  | 'no-secret'
  | 'undecryptable'
  | 'malformed'
  | 'unsupported';

export type WireChain =
  | { ok: true; tlsVersion: 'TLSv1.2' | 'TLSv1.3'; certificates: Buffer[] }
  | { ok: false; reason: WireChainFailure; detail: string };

class WireError extends Error {
  constructor(
    readonly reason: WireChainFailure,
    detail: string,
  ) {
    super(detail);
  }
}

// ---------------------------------------------------------------------------------------
// Record and handshake layer.

const CT_CHANGE_CIPHER_SPEC = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPLICATION_DATA = 23;
const HS_SERVER_HELLO = 2;
const HS_CERTIFICATE = 11;
const EXT_SUPPORTED_VERSIONS = 43;
/** RFC 8446 §4.1.3: the ServerHello.random of a HelloRetryRequest. */
const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest();

interface Suite {
  cipher: 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305' | 'aes-128-ccm';
  keyLen: number;
  tagLen: number;
  hash: 'sha256' | 'sha384';
}

/** TLS 1.3 cipher suites (RFC 8446 §B.4). */
const TLS13_SUITES: Record<number, Suite> = {
  4865: { cipher: 'aes-128-gcm', keyLen: 16, tagLen: 16, hash: 'sha256' },
  4866: { cipher: 'aes-256-gcm', keyLen: 32, tagLen: 16, hash: 'sha384' },
  4867: { cipher: 'chacha20-poly1305', keyLen: 32, tagLen: 16, hash: 'sha256' },
  4868: { cipher: 'aes-128-ccm', keyLen: 16, tagLen: 16, hash: 'sha256' },
  4869: { cipher: 'aes-128-ccm', keyLen: 16, tagLen: 8, hash: 'sha256' },
};

function u24(b: Buffer, at: number): number {
  return ((b[at] as number) << 16) | ((b[at + 1] as number) << 8) | (b[at + 2] as number);
}

function need(b: Buffer, at: number, n: number, what: string): void {
  if (at + n > b.length) throw new WireError('malformed', `${what} runs past its message`);
}

/** HKDF-Expand-Label (RFC 8446 §7.1) with an empty context. */
function expandLabel(hash: Suite['hash'], secret: Buffer, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.concat([
    Buffer.from([length >> 8, length & 0xff, full.length]),
    full,
    Buffer.from([0]),
  ]);
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1, got = 0; got < length; i++) {
    prev = createHmac(hash, secret)
      .update(Buffer.concat([prev, info, Buffer.from([i])]))
      .digest();
    out.push(prev);
    got += prev.length;
  }
  return Buffer.concat(out).subarray(0, length);
}

function decryptRecord(
  suite: Suite,
  key: Buffer,
  iv: Buffer,
  seq: number,
  header: Buffer,
  body: Buffer,
): Buffer {
  if (body.length < suite.tagLen + 1) throw new WireError('undecryptable', 'encrypted record too short');
  const nonce = Buffer.from(iv);
  // The 64-bit record sequence number, left-padded and XORed into the IV (RFC 8446 §5.3).
  for (let i = 0, s = seq; i < 6; i++, s = Math.floor(s / 256)) {
    nonce[11 - i] = (nonce[11 - i] as number) ^ (s & 0xff);
  }
  const ct = body.subarray(0, body.length - suite.tagLen);
  const tag = body.subarray(body.length - suite.tagLen);
  try {
    if (suite.cipher === 'aes-128-ccm') {
      const d = createDecipheriv('aes-128-ccm', key, nonce, { authTagLength: suite.tagLen });
      d.setAuthTag(tag);
      d.setAAD(header, { plaintextLength: ct.length });
      return Buffer.concat([d.update(ct), d.final()]);
    }
    if (suite.cipher === 'chacha20-poly1305') {
      const d = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: suite.tagLen });
      d.setAAD(header, { plaintextLength: ct.length });
      d.setAuthTag(tag);
      return Buffer.concat([d.update(ct), d.final()]);
    }
    const d = createDecipheriv(suite.cipher, key, nonce, { authTagLength: suite.tagLen });
    d.setAAD(header);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(ct), d.final()]);
  } catch {
    throw new WireError('undecryptable', `record ${seq} does not decrypt with the handshake key`);
  }
}

/** The certificate_list of a Certificate message body (RFC 5246 §7.4.2, RFC 8446 §4.4.2). */
function certificateList(body: Buffer, tls13: boolean): Buffer[] {
  let at = 0;
  if (tls13) {
    need(body, at, 1, 'certificate_request_context');
    at += 1 + (body[at] as number);
  }
  need(body, at, 3, 'certificate_list');
  const listLen = u24(body, at);
  at += 3;
  need(body, at, listLen, 'certificate_list');
  const end = at + listLen;
  const out: Buffer[] = [];
  while (at < end) {
    if (out.length >= MAX_SENT_CERTIFICATES)
      throw new WireError('too-large', `more than ${MAX_SENT_CERTIFICATES} certificates`);
    need(body, at, 3, 'cert_data length');
    const len = u24(body, at);
    at += 3;
    if (len === 0 || at + len > end) throw new WireError('malformed', 'cert_data runs past the list');
    out.push(Buffer.from(body.subarray(at, at + len)));
    at += len;
    if (tls13) {
      if (at + 2 > end) throw new WireError('malformed', 'CertificateEntry extensions run past the list');
      at += 2 + body.readUInt16BE(at);
      if (at > end) throw new WireError('malformed', 'CertificateEntry extensions run past the list');
    }
  }
  return out;
}

/** Version and suite chosen by a ServerHello body; null for a HelloRetryRequest. */
function serverHello(body: Buffer): { tls13: boolean; suite: number } | null {
  need(body, 0, 35, 'ServerHello');
  if (body.subarray(2, 34).equals(HRR_RANDOM)) return null;
  let at = 34;
  at += 1 + (body[at] as number); // legacy_session_id_echo
  need(body, at, 3, 'ServerHello');
  const suite = body.readUInt16BE(at);
  at += 3; // cipher_suite, legacy_compression_method
  let tls13 = false;
  if (at + 2 <= body.length) {
    const extEnd = Math.min(body.length, at + 2 + body.readUInt16BE(at));
    at += 2;
    while (at + 4 <= extEnd) {
      const type = body.readUInt16BE(at);
      const len = body.readUInt16BE(at + 2);
      at += 4;
      if (type === EXT_SUPPORTED_VERSIONS && len === 2 && at + 2 <= extEnd)
        tls13 = body.readUInt16BE(at) === 0x0304;
      at += len;
    }
  }
  return { tls13, suite };
}

/**
 * Reads the server's Certificate message from the bytes the server sent (records from the
 * start of the handshake). `serverHandshakeSecret` is needed for TLS 1.3 only. Pure.
 */
export function readWireChain(bytes: Buffer, serverHandshakeSecret?: Buffer): WireChain {
  try {
    return { ok: true, ...parse(bytes, serverHandshakeSecret) };
  } catch (e) {
    if (e instanceof WireError) return { ok: false, reason: e.reason, detail: e.message };
    return { ok: false, reason: 'malformed', detail: e instanceof Error ? e.message : String(e) };
  }
}

function parse(
  bytes: Buffer,
  secret: Buffer | undefined,
): { tlsVersion: 'TLSv1.2' | 'TLSv1.3'; certificates: Buffer[] } {
  let hs = Buffer.alloc(0);
  let hello: { tls13: boolean; suite: number } | undefined;
  let keys: { suite: Suite; key: Buffer; iv: Buffer; seq: number } | undefined;
  let at = 0;
  while (at + 5 <= bytes.length) {
    const type = bytes[at] as number;
    const len = bytes.readUInt16BE(at + 3);
    if (at + 5 + len > bytes.length) break;
    const header = bytes.subarray(at, at + 5);
    const body = bytes.subarray(at + 5, at + 5 + len);
    at += 5 + len;
    if (type === CT_CHANGE_CIPHER_SPEC) {
      // TLS 1.2: after the server's ChangeCipherSpec everything is encrypted, and the
      // Certificate message came long before. TLS 1.3: a compatibility no-op (§D.4).
      if (hello && !hello.tls13) break;
      continue;
    }
    if (type === CT_ALERT) throw new WireError('malformed', 'the peer sent an alert before its certificate');
    let fragment: Buffer;
    if (type === CT_HANDSHAKE) fragment = body;
    else if (type === CT_APPLICATION_DATA && hello?.tls13) {
      if (!keys) {
        const suite = TLS13_SUITES[hello.suite];
        if (!suite) throw new WireError('unsupported', `cipher suite 0x${hello.suite.toString(16)}`);
        if (!secret) throw new WireError('no-secret', 'the TLS 1.3 handshake secret was not made available');
        keys = {
          suite,
          key: expandLabel(suite.hash, secret, 'key', suite.keyLen),
          iv: expandLabel(suite.hash, secret, 'iv', 12),
          seq: 0,
        };
      }
      const plain = decryptRecord(keys.suite, keys.key, keys.iv, keys.seq++, header, body);
      // TLSInnerPlaintext: content, the real content type, then zero padding (RFC 8446 §5.2).
      let end = plain.length - 1;
      while (end >= 0 && plain[end] === 0) end--;
      if (end < 0) throw new WireError('malformed', 'encrypted record without a content type');
      if (plain[end] !== CT_HANDSHAKE) continue;
      fragment = plain.subarray(0, end);
    } else {
      throw new WireError('malformed', `record type ${type} before the certificate`);
    }
    hs = Buffer.concat([hs, fragment]);
    // Every complete handshake message in the buffer.
    while (hs.length >= 4) {
      const msgLen = u24(hs, 1);
      if (hs.length < 4 + msgLen) break;
      const msgType = hs[0] as number;
      const msg = hs.subarray(4, 4 + msgLen);
      hs = hs.subarray(4 + msgLen);
      if (msgType === HS_SERVER_HELLO) {
        hello = serverHello(msg) ?? undefined;
      } else if (msgType === HS_CERTIFICATE) {
        if (!hello) throw new WireError('malformed', 'Certificate before ServerHello');
        return {
          tlsVersion: hello.tls13 ? 'TLSv1.3' : 'TLSv1.2',
          certificates: certificateList(msg, hello.tls13),
        };
      }
    }
  }
  throw new WireError('malformed', 'no Certificate message in the handshake');
}

// ---------------------------------------------------------------------------------------
// Capture on a live connection.

const captured = new WeakMap<TLSSocket, () => WireChain>();
/** The secure context a captured handshake ran with (its trust store decides the verified chain). */
const capturedContexts = new WeakMap<TLSSocket, SecureContext>();

/**
 * Taps the bytes a TLS server sends over `raw` during the handshake. Pass `stream` to
 * tls.connect({ socket }) instead of `raw`, then call `attach` with the TLS socket before the
 * handshake starts; `sentChainBytes(tlsSocket)` reads the chain afterwards. The tap forwards
 * everything unchanged in both directions (end, errors and close included); it stops copying
 * when the handshake ends or MAX_CAPTURE_BYTES were seen.
 */
export class HandshakeCapture {
  readonly stream: Duplex;
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private recording = true;
  private overflow = false;
  private secret: Buffer | undefined;

  constructor(raw: net.Socket) {
    const onData = (b: Buffer) => {
      this.record(b);
      if (!this.stream.push(b)) raw.pause();
    };
    this.stream = new Duplex({
      read: () => {
        raw.resume();
      },
      write: (chunk: Buffer, _enc, cb) => {
        raw.write(chunk, (err) => cb(err ?? null));
      },
      final: (cb) => {
        raw.end(() => cb());
      },
      destroy: (err, cb) => {
        raw.off('data', onData);
        // The error (if any) belongs to the TLS side; the TCP socket just closes.
        raw.destroy();
        cb(err);
      },
    });
    raw.on('data', onData);
    raw.once('end', () => this.stream.push(null));
    // `on`, not `once`: a second error from the TCP socket must never go unhandled.
    raw.on('error', (err) => this.stream.destroy(err));
    raw.once('close', () => this.stream.destroy());
  }

  private record(b: Buffer): void {
    if (!this.recording) return;
    if (this.size + b.length > MAX_CAPTURE_BYTES) {
      this.overflow = true;
      this.recording = false;
      return;
    }
    this.chunks.push(b);
    this.size += b.length;
  }

  /**
   * Listens for the TLS 1.3 server handshake secret and registers the result for `socket`;
   * `secureContext`, the one passed to tls.connect, is kept for capturedSecureContext.
   */
  attach(socket: TLSSocket, secureContext?: SecureContext): void {
    if (secureContext) capturedContexts.set(socket, secureContext);
    const onKeylog = (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]+ ([0-9a-f]+)\s*$/i.exec(line.toString('latin1'));
      if (m?.[1]) this.secret = Buffer.from(m[1], 'hex');
    };
    socket.on('keylog', onKeylog);
    const stop = () => {
      this.recording = false;
      socket.off('keylog', onKeylog);
    };
    socket.once('secureConnect', stop);
    socket.once('secure', stop);
    socket.once('close', stop);
    let result: WireChain | undefined;
    captured.set(socket, () => {
      if (!result) {
        result = this.overflow
          ? {
              ok: false,
              reason: 'too-large',
              detail: `more than ${MAX_CAPTURE_BYTES} bytes before the certificate`,
            }
          : readWireChain(Buffer.concat(this.chunks), this.secret);
        // Done with the secret and the copy of the handshake.
        this.secret = undefined;
        this.chunks.length = 0;
      }
      return result;
    });
  }
}

/** The DER certificates the server sent on `socket`, in wire order; or why they are unknown. */
export function sentChainBytes(socket: TLSSocket): WireChain {
  const read = captured.get(socket);
  return read
    ? read()
    : { ok: false, reason: 'not-captured', detail: 'the handshake was not captured on this connection' };
}

/** The secure context given to HandshakeCapture.attach for `socket`, if any. */
export function capturedSecureContext(socket: TLSSocket): SecureContext | undefined {
  return capturedContexts.get(socket);
}
