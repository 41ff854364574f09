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
  /** Certificates as the peer sent them, leaf first. */
  chain: CertificateInfo[];
  /** Result of chain validation against the system store plus --ca files. */
  trust: { authorized: boolean; errorCode?: string; errorMessage?: string };
  /** When the facts were gathered (ISO 8601), so expiry rules are pure. */
  checkedAt: string;
  /** --warn-days. */
  warnDays: number;
  /** True when the user asked to skip certificate checks (axl-auth --insecure). */
  insecure?: boolean;
}
