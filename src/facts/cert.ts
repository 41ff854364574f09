/**
 * Certificate facts: the contract between the TLS probes (probe tls, axl-auth, dialback)
 * that gather certificates and the certificate rules that judge them. Verdict-free.
 */

/** One certificate as parsed with node:crypto plus a small bounded DER reader (otherName SANs, EKU). */
export interface CertificateInfo {
  subject: string;
  issuer: string;
  serialNumber: string;
  /** ISO 8601 UTC. */
  notBefore: string;
  /** ISO 8601 UTC. */
  notAfter: string;
  /** SHA-256 fingerprint, colon-separated hex as node:crypto prints it. */
  fingerprint256: string;
  /** 'rsa' | 'ec' | 'ed25519' | 'ed448' | 'dsa' | other key type names from node:crypto. */
  keyType: string;
  /** Key size in bits (RSA modulus length, EC curve size). */
  keyBits?: number;
  /** Named curve for EC keys, e.g. prime256v1. */
  curve?: string;
  /** Signature algorithm, e.g. sha256WithRSAEncryption, ecdsa-with-SHA256. */
  signatureAlgorithm: string;
  /** Issuer equals subject and the signature verifies with its own key. */
  selfSigned: boolean;
  /** basicConstraints cA=true. */
  isCA: boolean;
  /** subjectAltName entries by type. srv holds SRVName values (e.g. _xmpp-server.example.org). */
  san: { dns: string[]; srv: string[]; xmppAddr: string[]; uri: string[]; ip: string[] };
  /** Subject commonName values. */
  commonNames: string[];
  /** Extended key usage purposes as names ('serverAuth', 'clientAuth', ...) or dotted OIDs; null when the extension is absent. */
  extKeyUsage: string[] | null;
  /** Key usage bits as names ('digitalSignature', 'keyEncipherment', ...); null when absent. */
  keyUsage: string[] | null;
  pem: string;
  /** AIA caIssuers URLs (RFC 5280 §4.2.2.1): where the issuer's certificate can be downloaded. Absent when none. */
  caIssuers?: string[];
  /**
   * True when this certificate is one of the local trust anchors (system store or --ca): it may
   * have been appended locally by the TLS stack rather than sent by the peer.
   */
  trustAnchor?: boolean;
}

/**
 * One certificate of the chain exactly as the peer sent it (the TLS Certificate message, RFC
 * 8446 §4.4.2 / RFC 5246 §7.4.2), in wire order, whether or not it is on the verified path.
 */
export interface SentCertificate {
  /** Position in the chain as sent; 0 is the first, which TLS makes the peer's own certificate. */
  position: number;
  subject: string;
  issuer: string;
  fingerprint256: string;
  notAfter: string;
  keyType: string;
  keyBits?: number;
  selfSigned: boolean;
  isCA: boolean;
  /**
   * Positions of the other sent certificates that issued this one (name chaining and a signature
   * that verifies with their key). Empty when none of the sent certificates did.
   */
  issuedBy: number[];
  /** Set when node:crypto could not read the bytes at this position as a certificate. */
  unreadable?: boolean;
}

/** The chain as sent, read from the handshake; or why it could not be read. */
export type SentChain =
  | { captured: true; tlsVersion: 'TLSv1.2' | 'TLSv1.3'; certificates: SentCertificate[] }
  | {
      captured: false;
      /** not-captured (this connection had no capture), too-large, no-secret, undecryptable, malformed, unsupported. */
      reason: string;
      detail: string;
    };

/** Everything the certificate rules need about one TLS endpoint. */
export interface CertCheckFacts {
  /** The reference identifier: the XMPP domain (probe tls, dialback) or the HTTPS host (axl-auth). */
  referenceName: string;
  /** Which identity rules apply: XMPP server (DNS-ID, SRV-ID, XmppAddr; CN fallback) or plain HTTPS (DNS-ID, IP). */
  service: 'xmpp-server' | 'https';
  /** Host actually connected to (an SRV target), for the "matches only the SRV target" check. */
  connectHost?: string;
  /** host:port, for the finding text. */
  endpoint: string;
  /**
   * The verified path as node:tls built it, leaf first: the sent certificates linked by issuer
   * (reordered, certificates not on the path dropped), then issuers appended from the local
   * trust store (marked trustAnchor). Not the chain as sent: see `sent`.
   */
  chain: CertificateInfo[];
  /** The chain exactly as the peer sent it (order, extras, count). Absent where not gathered. */
  sent?: SentChain;
  /** Result of chain validation against the system store plus --ca files. */
  trust: { authorized: boolean; errorCode?: string; errorMessage?: string };
  /** When the facts were gathered (ISO 8601), so expiry rules are pure. */
  checkedAt: string;
  /** --warn-days. */
  warnDays: number;
  /** True when the user asked to skip certificate checks (axl-auth --insecure). */
  insecure?: boolean;
}
