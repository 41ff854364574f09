/**
 * Trust anchors and chain-validation results (RFC 5280 §6 path validation, done by OpenSSL
 * through node:tls). Builds the trust store for tls.connect (a `ca` list or a
 * secure context), and turns a socket's authorization state into CertCheckFacts['trust'].
 */
import tls, { rootCertificates, type TLSSocket } from 'node:tls';
import type { CertCheckFacts } from '../../facts/cert.js';
import { registerCanonicalTrustAnchors, registerContextStore, registerTrustAnchors } from './certificate.js';

let rootsRegistered = false;

/** Lets peerChain mark Node's bundled roots and the given --ca certificates as local anchors. */
function registerAnchors(extraCaPems: string[]): void {
  if (!rootsRegistered) registerCanonicalTrustAnchors(rootCertificates);
  rootsRegistered = true;
  registerTrustAnchors(extraCaPems);
}

/**
 * The `ca` option for tls.connect: Node's bundled roots plus the user's --ca certificates
 * (the `ca` option replaces the default store, so the roots must be passed explicitly).
 * Also registers them so peerChain can tell which chain members are anchors.
 */
export function trustAnchors(extraCaPems: string[]): string[] {
  registerAnchors(extraCaPems);
  return [...rootCertificates, ...extraCaPems];
}

/**
 * A client secure context that trusts the system store (Node's roots plus NODE_EXTRA_CA_CERTS)
 * and the --ca anchors, and registers them for peerChain. Cheaper than `ca: trustAnchors(...)`:
 * that makes OpenSSL parse ~140 roots again for every context, while the default store is
 * built once; the --ca anchors go into this context's own copy of it (Node copies the shared
 * store before its first addCACert). Falls back to the documented `ca` option if the native
 * method is missing.
 */
export function secureContextWithAnchors(
  caPems: string[],
  options: tls.SecureContextOptions = {},
): tls.SecureContext {
  registerAnchors(caPems);
  const ctx = tls.createSecureContext(options);
  if (caPems.length > 0) {
    const native = (ctx as unknown as { context?: { addCACert?: (pem: string) => void } }).context;
    if (typeof native?.addCACert !== 'function')
      return tls.createSecureContext({ ...options, ca: trustAnchors(caPems) });
    for (const pem of caPems) native.addCACert(pem);
  }
  // Its store is the default one plus caPems (and not if `options` brings its own `ca`).
  if (options.ca === undefined) registerContextStore(ctx, caPems);
  return ctx;
}

/** OpenSSL's texts (X509_verify_cert_error_string) for the codes a peer commonly provokes. */
const VERIFY_MESSAGES: Record<string, string> = {
  UNABLE_TO_GET_ISSUER_CERT: 'unable to get issuer certificate',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'unable to get local issuer certificate',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'unable to verify the first certificate',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'self-signed certificate',
  SELF_SIGNED_CERT_IN_CHAIN: 'self-signed certificate in certificate chain',
  CERT_HAS_EXPIRED: 'certificate has expired',
  CERT_NOT_YET_VALID: 'certificate is not yet valid',
  CERT_SIGNATURE_FAILURE: 'certificate signature failure',
  CERT_REVOKED: 'certificate revoked',
  INVALID_CA: 'invalid CA certificate',
  INVALID_PURPOSE: 'unsupported certificate purpose',
  PATH_LENGTH_EXCEEDED: 'path length constraint exceeded',
  CERT_UNTRUSTED: 'certificate not trusted',
  CERT_REJECTED: 'certificate rejected',
  CA_MD_TOO_WEAK: 'CA signature digest algorithm too weak',
  CA_KEY_TOO_SMALL: 'CA certificate key too small',
  EE_KEY_TOO_SMALL: 'EE certificate key too small',
  UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY: 'unable to decode issuer public key',
};

/**
 * checkServerIdentity for connections whose identity the cert rules judge (DNS-ID, SRV-ID,
 * XmppAddr against the XMPP domain): Node's HTTPS-style check would only be thrown away.
 * XmppConnection.upgradeClient recognises it and spares node:tls the certificate object it
 * would build for it (see withoutIdentityCertificate).
 */
export function skipServerIdentity(): undefined {
  return undefined;
}

/**
 * After a trusted handshake Node's client calls getPeerCertificate(true) once, only to hand the
 * result to checkServerIdentity (_tls_wrap.js onConnectSecure): every certificate of the chain
 * converted to an object, about 1 ms of CPU per connection. With skipServerIdentity that object
 * is never read, so until the handshake has ended this socket answers that call with an empty
 * object; from 'secureConnect' (or a failed handshake) on, the real method is back.
 */
export function withoutIdentityCertificate(socket: TLSSocket): void {
  const shadow = (() => ({})) as TLSSocket['getPeerCertificate'];
  Object.defineProperty(socket, 'getPeerCertificate', { value: shadow, configurable: true, writable: true });
  const restore = () => {
    if (Object.hasOwn(socket, 'getPeerCertificate'))
      delete (socket as { getPeerCertificate?: unknown }).getPeerCertificate;
    socket.off('secureConnect', restore);
    socket.off('close', restore);
    socket.off('error', restore);
  };
  // prependListener: restored before any other 'secureConnect' listener looks at the certificate.
  socket.prependListener('secureConnect', restore);
  socket.prependListener('close', restore);
  socket.prependListener('error', restore);
}

/**
 * Chain-validation result of a socket connected with rejectUnauthorized:false (so the
 * certificate can still be inspected). Call after 'secureConnect' (client) or in the
 * 'secureConnection' handler (server, with requestCert:true). Passing
 * `checkServerIdentity: () => undefined` to tls.connect is recommended but not required.
 */
export function trustFromSocket(socket: TLSSocket): CertCheckFacts['trust'] {
  if (socket.authorized) return { authorized: true };
  const raw = socket.authorizationError as unknown;
  const code = typeof raw === 'string' ? raw : ((raw as { code?: string } | undefined)?.code ?? 'UNKNOWN');
  // Node runs its own host-name check (tls.checkServerIdentity) only after OpenSSL validated the
  // chain, and reports a failure here too. That check knows neither SRV-ID nor XmppAddr, so
  // identity is judged by identity.ts instead: for the chain, this code means "trusted".
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return { authorized: true };
  const message =
    raw instanceof Error ? raw.message : (VERIFY_MESSAGES[code] ?? code.toLowerCase().replace(/_/g, ' '));
  return { authorized: false, errorCode: code, errorMessage: message };
}
