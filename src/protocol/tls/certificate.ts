/**
 * X.509 certificate extraction (RFC 5280) into verdict-free CertificateInfo facts, for RSA,
 * ECDSA and EdDSA certificates alike. node:crypto gives names, dates, fingerprints and key
 * details; a small bounded DER reader below gives what node:crypto does not expose: the
 * signature algorithm, SAN otherNames (id-on-xmppAddr 1.3.6.1.5.5.7.8.5, RFC 6120 §13.7.1.4;
 * id-on-dnsSRV 1.3.6.1.5.5.7.8.7, RFC 4985), extended key usage and key usage.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { CertificateInfo, SentCertificate, SentChain } from '../../facts/cert.js';
import { canonicalIp } from './identity.js';
import { capturedSecureContext, sentChainBytes } from './wire-chain.js';

// ---------------------------------------------------------------------------------------
// Minimal DER reader (X.690 §8, definite lengths only, as DER requires).

interface Tlv {
  /** Full identifier octet (class + constructed bit + tag number, low tag numbers only). */
  tag: number;
  /** Content octets. */
  body: Buffer;
  /** Offset just after this element in the buffer it was read from. */
  end: number;
}

/** The one error the DER reader throws on malformed input (anything else is a bug). */
export class DerError extends Error {}

function readTlv(buf: Buffer, offset: number): Tlv {
  if (offset + 2 > buf.length) throw new DerError('truncated DER element');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new DerError('high tag numbers are not used in certificates');
  let len = buf[offset + 1] as number;
  let pos = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || pos + n > buf.length) throw new DerError('bad DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (buf[pos + i] as number);
    pos += n;
  }
  if (pos + len > buf.length) throw new DerError('DER element runs past its container');
  return { tag, body: buf.subarray(pos, pos + len), end: pos + len };
}

/** The elements inside a constructed element's body. */
function children(body: Buffer): Tlv[] {
  const out: Tlv[] = [];
  let off = 0;
  while (off < body.length) {
    const t = readTlv(body, off);
    out.push(t);
    off = t.end;
  }
  return out;
}

function decodeOid(body: Buffer): string {
  if (body.length === 0) throw new DerError('empty OID');
  const first = body[0] as number;
  const parts: number[] = [first < 80 ? Math.floor(first / 40) : 2, first < 80 ? first % 40 : first - 80];
  let v = 0;
  for (let i = 1; i < body.length; i++) {
    const b = body[i] as number;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

/** Decodes the ASN.1 string types used in names (UTF8, Printable, IA5, T61, BMP, Universal). */
function decodeString(t: Tlv): string {
  switch (t.tag) {
    case 0x1e: {
      // BMPString: UTF-16BE, two octets a character.
      if (t.body.length % 2 !== 0) throw new DerError('BMPString of odd length');
      const swapped = Buffer.from(t.body);
      swapped.swap16();
      return swapped.toString('utf16le');
    }
    case 0x1c: {
      // UniversalString: UTF-32BE.
      let s = '';
      for (let i = 0; i + 3 < t.body.length; i += 4) {
        const cp = t.body.readUInt32BE(i);
        // Beyond Unicode's range: a replacement character, so the rest of the certificate still reads.
        s += String.fromCodePoint(cp <= 0x10ffff ? cp : 0xfffd);
      }
      return s;
    }
    case 0x14:
      return t.body.toString('latin1');
    default:
      return t.body.toString('utf8');
  }
}

// ---------------------------------------------------------------------------------------
// OIDs (RFC 5280 §4.2, RFC 3279, RFC 4055, RFC 5758, RFC 8410).

const OID_SAN = '2.5.29.17';
const OID_EKU = '2.5.29.37';
const OID_KEY_USAGE = '2.5.29.15';
const OID_AIA = '1.3.6.1.5.5.7.1.1';
const OID_CA_ISSUERS = '1.3.6.1.5.5.7.48.2';
const OID_CN = '2.5.4.3';
export const OID_XMPP_ADDR = '1.3.6.1.5.5.7.8.5';
export const OID_DNS_SRV = '1.3.6.1.5.5.7.8.7';

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  '1.2.840.113549.1.1.2': 'md2WithRSAEncryption',
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.10045.4.1': 'ecdsa-with-SHA1',
  '1.2.840.10045.4.3.1': 'ecdsa-with-SHA224',
  '1.2.840.10045.4.3.2': 'ecdsa-with-SHA256',
  '1.2.840.10045.4.3.3': 'ecdsa-with-SHA384',
  '1.2.840.10045.4.3.4': 'ecdsa-with-SHA512',
  '1.2.840.10040.4.3': 'dsa-with-sha1',
  '2.16.840.1.101.3.4.3.2': 'dsa-with-sha256',
  '1.3.101.112': 'ED25519',
  '1.3.101.113': 'ED448',
};

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
};

/** KeyUsage bit names in bit order (RFC 5280 §4.2.1.3). */
const KEY_USAGE_BITS = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
];

/** Key sizes of named curves, in bits. */
const CURVE_BITS: Record<string, number> = {
  prime192v1: 192,
  secp224r1: 224,
  prime256v1: 256,
  secp256k1: 256,
  secp384r1: 384,
  secp521r1: 521,
  brainpoolP256r1: 256,
  brainpoolP384r1: 384,
  brainpoolP512r1: 512,
};

/** What the DER reader extracts. */
export interface DerDetails {
  signatureAlgorithm: string;
  commonNames: string[];
  san: CertificateInfo['san'];
  extKeyUsage: string[] | null;
  keyUsage: string[] | null;
  /** AIA caIssuers URLs (RFC 5280 §4.2.2.1), where the issuer certificate can be downloaded. */
  caIssuers: string[];
}

function formatIp(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  if (bytes.length === 16) {
    const groups: string[] = [];
    for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
    return canonicalIp(groups.join(':')) || groups.join(':');
  }
  return bytes.toString('hex');
}

function parseGeneralNames(body: Buffer, san: CertificateInfo['san']): void {
  for (const gn of children(body)) {
    switch (gn.tag) {
      case 0xa0: {
        // otherName ::= SEQUENCE { type-id OID, value [0] EXPLICIT ANY } (IMPLICIT [0] tagging of the SEQUENCE)
        const [oid, wrapped] = children(gn.body);
        if (oid?.tag !== 0x06 || !wrapped || wrapped.tag !== 0xa0) break;
        const [inner] = children(wrapped.body);
        if (!inner) break;
        const id = decodeOid(oid.body);
        if (id === OID_XMPP_ADDR) san.xmppAddr.push(decodeString(inner));
        else if (id === OID_DNS_SRV) san.srv.push(decodeString(inner));
        break;
      }
      case 0x82:
        san.dns.push(gn.body.toString('latin1'));
        break;
      case 0x86:
        san.uri.push(gn.body.toString('latin1'));
        break;
      case 0x87:
        san.ip.push(formatIp(gn.body));
        break;
      default:
        // rfc822Name, directoryName, registeredID, ...: not server identities.
        break;
    }
  }
}

function parseName(body: Buffer): string[] {
  const cns: string[] = [];
  for (const rdn of children(body)) {
    for (const atv of children(rdn.body)) {
      const [oid, value] = children(atv.body);
      if (oid?.tag === 0x06 && value && decodeOid(oid.body) === OID_CN) cns.push(decodeString(value));
    }
  }
  return cns;
}

/** Parses the parts of a DER certificate that node:crypto does not expose. Throws on malformed DER. */
export function parseDerDetails(der: Buffer): DerDetails {
  const [tbs, sigAlg] = children(readTlv(der, 0).body);
  if (!tbs || !sigAlg) throw new DerError('not a certificate');
  const fields = children(tbs.body);
  // version [0] EXPLICIT is optional (v1 certificates omit it).
  let i = fields[0]?.tag === 0xa0 ? 1 : 0;
  i += 1; // serialNumber
  i += 1; // signature (inner AlgorithmIdentifier; must equal the outer one)
  i += 1; // issuer
  i += 1; // validity
  const subject = fields[i++];
  i += 1; // subjectPublicKeyInfo
  const [algOid] = children(sigAlg.body);
  const oid = algOid ? decodeOid(algOid.body) : '';
  const details: DerDetails = {
    signatureAlgorithm: SIGNATURE_ALGORITHMS[oid] ?? oid,
    commonNames: subject ? parseName(subject.body) : [],
    san: { dns: [], srv: [], xmppAddr: [], uri: [], ip: [] },
    extKeyUsage: null,
    keyUsage: null,
    caIssuers: [],
  };
  const extsWrapper = fields.slice(i).find((f) => f.tag === 0xa3);
  if (!extsWrapper) return details;
  const [exts] = children(extsWrapper.body);
  for (const ext of exts ? children(exts.body) : []) {
    const parts = children(ext.body);
    const extOid = parts[0] ? decodeOid(parts[0].body) : '';
    // extnValue is the last element; a BOOLEAN critical flag may sit in between.
    const value = parts[parts.length - 1];
    if (value?.tag !== 0x04) continue;
    // Other extensions stay opaque: a private extension in an encoding this reader does not
    // cover must not cost the SANs (and with them the identity check).
    if (extOid !== OID_SAN && extOid !== OID_EKU && extOid !== OID_KEY_USAGE && extOid !== OID_AIA) continue;
    const inner = readTlv(value.body, 0);
    if (extOid === OID_SAN) parseGeneralNames(inner.body, details.san);
    else if (extOid === OID_EKU) {
      details.extKeyUsage = children(inner.body).map((o) => {
        const d = decodeOid(o.body);
        return EKU_NAMES[d] ?? d;
      });
    } else if (extOid === OID_KEY_USAGE) {
      const unused = inner.body[0] ?? 0;
      const bits = inner.body.subarray(1);
      const names: string[] = [];
      for (let b = 0; b < bits.length * 8 - unused && b < KEY_USAGE_BITS.length; b++) {
        if (((bits[b >> 3] as number) >> (7 - (b & 7))) & 1) names.push(KEY_USAGE_BITS[b] as string);
      }
      details.keyUsage = names;
    } else if (extOid === OID_AIA) {
      for (const ad of children(inner.body)) {
        const [method, location] = children(ad.body);
        if (method && location?.tag === 0x86 && decodeOid(method.body) === OID_CA_ISSUERS) {
          details.caIssuers.push(location.body.toString('latin1'));
        }
      }
    }
  }
  return details;
}

// ---------------------------------------------------------------------------------------

function iso(date: string): string {
  const d = new Date(date);
  return Number.isNaN(d.getTime()) ? date : d.toISOString();
}

/** node:crypto prints names one attribute per line, and gives undefined for an empty Name. */
function distinguishedName(name: string | undefined): string {
  return (name ?? '').replace(/\n/g, ', ');
}

/**
 * Key type and size. node:crypto parses a certificate without decoding its key, and throws on
 * first use of a key it cannot decode (a hostile peer's extra certificate): that is 'unknown'.
 */
function publicKeyFacts(cert: X509Certificate): { keyType: string; keyBits?: number; curve?: string } {
  let key: X509Certificate['publicKey'];
  try {
    key = cert.publicKey;
  } catch {
    return { keyType: 'unknown' };
  }
  const keyType = key.asymmetricKeyType ?? 'unknown';
  const kd = key.asymmetricKeyDetails ?? {};
  let keyBits: number | undefined = kd.modulusLength;
  if (keyBits === undefined && kd.namedCurve) keyBits = CURVE_BITS[kd.namedCurve];
  if (keyBits === undefined && keyType === 'ed25519') keyBits = 256;
  if (keyBits === undefined && keyType === 'ed448') keyBits = 456;
  const out: { keyType: string; keyBits?: number; curve?: string } = { keyType };
  if (keyBits !== undefined) out.keyBits = keyBits;
  if (kd.namedCurve) out.curve = kd.namedCurve;
  return out;
}

/** Issuer equals subject and the certificate's signature verifies with its own key. */
function isSelfSigned(cert: X509Certificate): boolean {
  if (cert.issuer !== cert.subject) return false;
  try {
    return cert.verify(cert.publicKey);
  } catch {
    return false;
  }
}

/**
 * Verdict-free facts about one certificate. Async so a future extractor may load heavy
 * modules lazily; today everything comes from node:crypto and the DER reader above.
 */
export async function certificateInfo(cert: X509Certificate): Promise<CertificateInfo> {
  let details: DerDetails;
  try {
    details = parseDerDetails(cert.raw);
  } catch {
    // node:crypto accepted the certificate, so this is an encoding our reader does not
    // cover; keep what node:crypto knows rather than failing the whole probe.
    details = {
      signatureAlgorithm: 'unknown',
      commonNames: [],
      san: { dns: [], srv: [], xmppAddr: [], uri: [], ip: [] },
      // node:crypto's keyUsage is the extended key usage, as dotted OIDs.
      extKeyUsage: cert.keyUsage?.map((o) => EKU_NAMES[o] ?? o) ?? null,
      keyUsage: null,
      caIssuers: [],
    };
  }
  const { keyType, keyBits, curve } = publicKeyFacts(cert);
  const info: CertificateInfo = {
    subject: distinguishedName(cert.subject),
    issuer: distinguishedName(cert.issuer),
    serialNumber: cert.serialNumber,
    notBefore: iso(cert.validFrom),
    notAfter: iso(cert.validTo),
    fingerprint256: cert.fingerprint256,
    keyType,
    signatureAlgorithm: details.signatureAlgorithm,
    selfSigned: isSelfSigned(cert),
    isCA: cert.ca,
    san: details.san,
    commonNames: details.commonNames,
    extKeyUsage: details.extKeyUsage,
    keyUsage: details.keyUsage,
    pem: cert.toString(),
  };
  if (keyBits !== undefined) info.keyBits = keyBits;
  if (curve) info.curve = curve;
  if (details.caIssuers.length > 0) info.caIssuers = details.caIssuers;
  return info;
}

/**
 * Local trust anchors (system store and --ca), keyed by their DER in base64, so the chain can be
 * marked without hashing every root: comparing DER is the same test as comparing fingerprints.
 */
const knownAnchors = new Set<string>();

/** Node's bundled roots (tls.rootCertificates): part of the default store of every context. */
const bundledRoots = new Set<string>();

/** Base64 of a certificate's DER from its PEM; '' when the block holds no base64. */
function pemDerBase64(pem: string): string {
  const body = pem.replace(/-----[^-]+-----|\s/g, '');
  // Normalise (padding, stray characters) the way the DER itself would be printed.
  return Buffer.from(body, 'base64').toString('base64');
}

/** Called by trust.ts so peerChain can mark certificates that are local trust anchors. */
export function registerTrustAnchors(pems: Iterable<string>): void {
  for (const pem of pems) {
    const der = pemDerBase64(pem);
    if (der) knownAnchors.add(der);
  }
}

/**
 * Like registerTrustAnchors for PEMs that node:tls itself printed (tls.rootCertificates): their
 * body already is the canonical base64 of the DER, so only the armour and line breaks are
 * dropped, without decoding ~140 certificates at every start (3 ms of a probe's CPU).
 */
export function registerCanonicalTrustAnchors(pems: Iterable<string>): void {
  for (const pem of pems) {
    const der = canonicalAnchorKey(pem);
    if (!der) continue;
    knownAnchors.add(der);
    bundledRoots.add(der);
  }
}

/** The anchor key (DER in base64) of a PEM printed by node:tls: its body without armour. */
export function canonicalAnchorKey(pem: string): string {
  return pem.replace(/-----[^-]+-----|\n/g, '');
}

// ---------------------------------------------------------------------------------------
// Parsed certificates, shared by peerChain and sentChain and across probes of one process.
// new X509Certificate costs ~0.25 ms a certificate (OpenSSL 3's decoder), more than every
// accessor together, and a monitor sees the same leaves, intermediates and roots again and
// again; the facts of a certificate are a pure function of its DER, so they are kept too.

/** Certificates remembered (least recently used dropped first): a bound, not a working set. */
export const PARSED_CACHE_SIZE = 256;

interface Parsed {
  /** undefined: node:crypto cannot read these bytes as a certificate. */
  x509: X509Certificate | undefined;
  info?: CertificateInfo;
}

/** A Map that keeps its `size` most recently used entries. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}

  get(key: string, make: () => V): V {
    let v = this.map.get(key);
    if (v !== undefined)
      this.map.delete(key); // most recently used last
    else {
      v = make();
      if (this.map.size >= this.size) {
        const oldest = this.map.keys().next().value;
        if (oldest !== undefined) this.map.delete(oldest);
      }
    }
    this.map.set(key, v);
    return v;
  }
}

const parsedCache = new Lru<Parsed>(PARSED_CACHE_SIZE);

/** The certificate with DER `der` (base64 `key`), parsed at most once while it stays cached. */
function parsedCert(der: Buffer, key: string): Parsed {
  return parsedCache.get(key, () => {
    try {
      return { x509: new X509Certificate(der) };
    } catch {
      return { x509: undefined };
    }
  });
}

/** A fresh copy of the certificate's facts (callers may extend them, e.g. with trustAnchor). */
async function cachedInfo(p: Parsed & { x509: X509Certificate }): Promise<CertificateInfo> {
  if (!p.info) p.info = await certificateInfo(p.x509);
  return structuredClone(p.info);
}

// ---------------------------------------------------------------------------------------
// The verified chain as node:tls presents it.

/** A Name's canonical-enough key: attribute types with case- and space-folded string values. */
const STRING_TAGS = new Set([0x0c, 0x12, 0x13, 0x14, 0x16, 0x1a, 0x1c, 0x1e]);

/**
 * A key for a DER Name that is equal for any two names OpenSSL's X509_NAME_cmp calls equal
 * (its canonical form lower-cases ASCII, folds white space in string values, converts them to
 * UTF-8 whatever their string type and drops empty RDNs; this folds at least as much), so every
 * possible issuer of a certificate shares its issuer's key. Other values compare as DER.
 */
function nameKey(name: Tlv): string {
  return children(name.body)
    .filter((rdn) => rdn.body.length > 0) // an empty RDN has no place in the canonical form
    .map((rdn) =>
      children(rdn.body)
        .map((atv) => {
          const [oid, value] = children(atv.body);
          if (oid?.tag !== 0x06 || !value) throw new DerError('bad AttributeTypeAndValue');
          const v = STRING_TAGS.has(value.tag)
            ? `s:${decodeString(value).toLowerCase().replace(/\s+/g, ' ').trim()}`
            : `x:${value.tag}:${value.body.toString('hex')}`;
          return `${decodeOid(oid.body)}=${v}`;
        })
        .sort()
        .join('+'),
    )
    .join(',');
}

/** Issuer and subject Name keys of a DER certificate. Throws DerError on malformed DER. */
function nameKeys(der: Buffer): { issuer: string; subject: string } {
  const [tbs] = children(readTlv(der, 0).body);
  if (!tbs) throw new DerError('not a certificate');
  const fields = children(tbs.body);
  const i = fields[0]?.tag === 0xa0 ? 1 : 0;
  const issuer = fields[i + 2];
  const subject = fields[i + 4];
  if (issuer?.tag !== 0x30 || subject?.tag !== 0x30) throw new DerError('not a certificate');
  return { issuer: nameKey(issuer), subject: nameKey(subject) };
}

/** Certificates (base64 DER keys) of a trust store by subject Name key. */
interface NameIndex {
  bySubject: Map<string, string[]>;
  /** A member the DER reader could not read: its subject is unknown, so lookups are unsafe. */
  incomplete: boolean;
}

/** Adds one store member (base64 DER key) to an index. */
function indexKey(index: NameIndex, key: string): void {
  try {
    const { subject } = nameKeys(Buffer.from(key, 'base64'));
    const list = index.bySubject.get(subject);
    if (!list) index.bySubject.set(subject, [key]);
    else if (!list.includes(key)) list.push(key);
  } catch {
    index.incomplete = true;
  }
}

function nameIndex(keys: Iterable<string>): NameIndex {
  const index: NameIndex = { bySubject: new Map(), incomplete: false };
  for (const key of keys) indexKey(index, key);
  return index;
}

/** NODE_EXTRA_CA_CERTS files larger than this are left to node:tls. */
const MAX_EXTRA_CA_BYTES = 16 * 1024 * 1024;

/**
 * The certificates of the NODE_EXTRA_CA_CERTS file, which Node adds to its default store; undefined
 * when the file holds anything but CERTIFICATE blocks or cannot be read (node:tls answers then).
 */
function extraCaKeys(file: string): string[] | undefined {
  try {
    const st = statSync(file);
    if (!st.isFile() || st.size > MAX_EXTRA_CA_BYTES) return undefined;
    const text = readFileSync(file, 'latin1');
    const keys: string[] = [];
    for (const m of text.matchAll(/-----BEGIN ([^-]+)-----([^-]*)-----END ([^-]+)-----/g)) {
      if (m[1] !== 'CERTIFICATE' || m[3] !== 'CERTIFICATE') return undefined;
      const key = pemDerBase64(m[0]);
      if (!key) return undefined;
      keys.push(key);
    }
    return keys;
  } catch {
    return undefined;
  }
}

/** Store members indexed per event-loop turn while the default store is indexed. */
const INDEX_STEP = 16;

let defaultStore: NameIndex | undefined;
let indexing = false;

/**
 * Node's default store (the bundled roots and NODE_EXTRA_CA_CERTS), indexed once; undefined
 * until then. The first call starts the indexing in the background, INDEX_STEP certificates per
 * turn of the event loop (the whole store is 5-30 ms of CPU: in one piece it would stall every
 * connection in flight, e.g. the session-ticket wait of concurrent probes). Unreferenced, so it
 * never keeps a finishing process alive.
 */
function defaultStoreIndex(): NameIndex | undefined {
  if (defaultStore || indexing) return defaultStore;
  indexing = true;
  const index: NameIndex = { bySubject: new Map(), incomplete: bundledRoots.size === 0 };
  let keys: string[] = [...bundledRoots];
  let next = 0;
  const step = (): void => {
    if (next === 0) {
      const extraFile = process.env.NODE_EXTRA_CA_CERTS;
      const extra = extraFile ? extraCaKeys(extraFile) : [];
      if (!extra) index.incomplete = true;
      keys = [...new Set([...keys, ...(extra ?? [])])];
    }
    const end = Math.min(next + INDEX_STEP, keys.length);
    for (; next < end; next++) indexKey(index, keys[next] as string);
    if (next < keys.length) setImmediate(step).unref();
    else defaultStore = index;
  };
  setImmediate(step).unref();
  return undefined;
}

/** The --ca certificates each secureContextWithAnchors context added to the default store. */
const contextStores = new WeakMap<SecureContext, { keys: string[]; index?: NameIndex }>();

/**
 * Called by trust.ts for a context whose store is Node's default store plus `caPems`, so
 * peerChain can find the issuers OpenSSL appends from it. Contexts made otherwise (a `ca`
 * option replaces the default store) are unknown here and left to node:tls.
 */
export function registerContextStore(context: SecureContext, caPems: string[]): void {
  contextStores.set(context, { keys: caPems.map(pemDerBase64).filter((k) => k !== '') });
}

/** Issuer candidates for a Name key in the socket's store; undefined when the store is unknown. */
function storeLookup(socket: TLSSocket): ((nameKey: string) => string[]) | undefined {
  const context = capturedSecureContext(socket);
  const own = context ? contextStores.get(context) : undefined;
  if (!own) return undefined;
  // The system store (--use-openssl-ca, --use-system-ca) is not something we can list.
  const flags = `${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`;
  if (/--use-(openssl|system)-ca\b/.test(flags)) return undefined;
  const base = defaultStoreIndex();
  if (!base) return undefined;
  own.index ??= nameIndex(own.keys);
  if (base.incomplete || own.index.incomplete) return undefined;
  const ownIndex = own.index;
  return (key) => [...new Set([...(base.bySubject.get(key) ?? []), ...(ownIndex.bySubject.get(key) ?? [])])];
}

/** Chains a process takes from node:tls before it starts indexing the trust stores to rebuild them itself. */
export const REBUILD_AFTER_CHAINS = 8;
let chainsSeen = 0;

interface ChainCert {
  der: Buffer;
  key: string;
  parsed: Parsed & { x509: X509Certificate };
}

function chainCert(der: Buffer, key = der.toString('base64')): ChainCert | undefined {
  const parsed = parsedCert(der, key);
  return parsed.x509 ? { der, key, parsed: parsed as ChainCert['parsed'] } : undefined;
}

/**
 * Node's getPeerCertificate(true) order, rebuilt from the certificates as sent: the first one,
 * then repeatedly the first remaining sent certificate that issued the last (X509_check_issued),
 * then, until a certificate is self-issued, its issuer from the context's store (bundled roots,
 * NODE_EXTRA_CA_CERTS, the context's --ca list; OpenSSL's X509_STORE_CTX_get1_issuer).
 * undefined whenever the result could differ from Node's (chain not captured or unreadable, a
 * store we do not know, an ambiguous or unreadable store member): the caller asks node:tls.
 */
function chainFromSent(socket: TLSSocket): ChainCert[] | undefined {
  // Indexing the stores costs about as much as REBUILD_AFTER_CHAINS answers from node:tls
  // (names of ~140-300 certificates), so a single probe does not pay for it; until the index
  // is ready (a few turns of the event loop later) node:tls answers too.
  if (++chainsSeen <= REBUILD_AFTER_CHAINS) return undefined;
  const wire = sentChainBytes(socket);
  if (!wire.ok || wire.certificates.length === 0) return undefined;
  const lookup = storeLookup(socket);
  if (!lookup) return undefined;
  const rest: ChainCert[] = [];
  for (const der of wire.certificates) {
    const c = chainCert(der);
    if (!c) return undefined;
    rest.push(c);
  }
  let cur = rest.shift() as ChainCert;
  const out = [cur];
  for (;;) {
    const i = rest.findIndex((ca) => cur.parsed.x509.checkIssued(ca.parsed.x509));
    if (i < 0) break;
    cur = rest.splice(i, 1)[0] as ChainCert;
    out.push(cur);
  }
  for (let added = 0; !cur.parsed.x509.checkIssued(cur.parsed.x509); added++) {
    if (added >= 16) return undefined;
    let issuerKey: string;
    try {
      issuerKey = nameKeys(cur.der).issuer;
    } catch {
      return undefined;
    }
    const candidates = lookup(issuerKey);
    if (candidates.length === 0) break; // OpenSSL finds no issuer either: the chain ends here
    if (candidates.length > 1) return undefined; // OpenSSL's choice among several is its own
    const key = candidates[0] as string;
    // The certificate itself (a self-signed --ca leaf without keyCertSign): whether or not
    // OpenSSL appends it again, the chain ends with it.
    if (key === cur.key) break;
    const anchor = chainCert(Buffer.from(key, 'base64'), key);
    // OpenSSL's store lookup checks less than X509_check_issued (not the issuer's key usage).
    if (!anchor || !cur.parsed.x509.checkIssued(anchor.parsed.x509)) return undefined;
    out.push(anchor);
    cur = anchor;
  }
  return out;
}

interface DetailedCert {
  raw?: Buffer;
  issuerCertificate?: DetailedCert;
}

/** The chain from node:tls itself (getPeerCertificate(true): ~1 ms of CPU for three certificates). */
function chainFromNode(socket: TLSSocket): ChainCert[] {
  const out: ChainCert[] = [];
  let cur = socket.getPeerCertificate(true) as DetailedCert | null;
  // A root points at itself; peerChain also stops at any other repeat and after 16.
  for (let n = 0; cur?.raw && n < 17; n++) {
    const c = chainCert(cur.raw);
    if (!c) break;
    out.push(c);
    cur = cur.issuerCertificate === cur ? null : (cur.issuerCertificate ?? null);
  }
  return out;
}

/**
 * The peer's chain, leaf first. Node's getPeerCertificate(true) starts with the certificates
 * the peer sent (ordered by issuer links) and then appends issuers found in the local trust
 * store, so a certificate that is a registered local trust anchor is marked `trustAnchor: true`:
 * it may have been added locally rather than sent. Returns [] when the peer sent no certificate.
 * The same chain is rebuilt from the captured handshake when that is certain to match (see
 * chainFromSent), without node:tls converting every certificate to an object first.
 */
export async function peerChain(socket: TLSSocket): Promise<CertificateInfo[]> {
  const chain = chainFromSent(socket) ?? chainFromNode(socket);
  const out: CertificateInfo[] = [];
  const seen = new Set<string>();
  // Bounded: a chain longer than 16 is not something a TLS stack would build.
  for (const c of chain) {
    if (out.length >= 16 || seen.has(c.key)) break; // a root points at itself
    seen.add(c.key);
    const info = await cachedInfo(c.parsed);
    if (knownAnchors.has(c.key)) info.trustAnchor = true;
    out.push(info);
  }
  return out;
}

/** Whether `issuer` issued `cert`: names chain and the signature verifies with its key. */
function issued(cert: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return cert.checkIssued(issuer) && cert.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * The chain exactly as the peer sent it on `socket` (see wire-chain.ts), each certificate with
 * the positions of the sent certificates that issued it. Verdict-free.
 */
export function sentChain(socket: TLSSocket): SentChain {
  const wire = sentChainBytes(socket);
  if (!wire.ok) return { captured: false, reason: wire.reason, detail: wire.detail };
  const keys = wire.certificates.map((der) => der.toString('base64'));
  const certificates = sentCache.get(keys.join(' '), () => sentCertificates(wire.certificates, keys));
  return { captured: true, tlsVersion: wire.tlsVersion, certificates: structuredClone(certificates) };
}

/** Facts of chains as sent, by their certificates: a pure function of the DER list. */
const sentCache = new Lru<SentCertificate[]>(64);

function sentCertificates(ders: Buffer[], keys: string[]): SentCertificate[] {
  const parsed = ders.map((der, i) => parsedCert(der, keys[i] as string).x509);
  return parsed.map((c, position): SentCertificate => {
    if (!c) {
      return {
        position,
        subject: '(unreadable)',
        issuer: '',
        fingerprint256: '',
        notAfter: '',
        keyType: 'unknown',
        selfSigned: false,
        isCA: false,
        issuedBy: [],
        unreadable: true,
      };
    }
    const issuedBy: number[] = [];
    parsed.forEach((other, j) => {
      if (j !== position && other && other.fingerprint256 !== c.fingerprint256 && issued(c, other))
        issuedBy.push(j);
    });
    const { keyType, keyBits } = publicKeyFacts(c);
    const out: SentCertificate = {
      position,
      subject: distinguishedName(c.subject),
      issuer: distinguishedName(c.issuer),
      fingerprint256: c.fingerprint256,
      notAfter: iso(c.validTo),
      keyType,
      selfSigned: isSelfSigned(c),
      isCA: c.ca,
      issuedBy,
    };
    if (keyBits !== undefined) out.keyBits = keyBits;
    return out;
  });
}
