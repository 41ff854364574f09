/**
 * Test PKI generator (RFC 5280 certificates built as DER and signed with node:crypto): a root
 * CA, an intermediate and leaves with any mix of RSA 1024/2048 or ECDSA P-256 keys, dNSName /
 * SRVName (RFC 4985) / XmppAddr (RFC 6120 §13.7.1.4) SANs, CN, validity window, EKU, SHA-1
 * signatures, AIA caIssuers and self-signed certificates. Offline and fast: keys are generated
 * once per process and slot, then reused.
 *
 *   const pki = testPki();
 *   const leaf = pki.leaf({ dns: ['example.org'], srv: ['_xmpp-server.example.org'] });
 *   tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem });   // client: ca: [pki.root.certPem]
 */
import {
  createHash,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type KeySpec = 'rsa2048' | 'rsa1024' | 'ec256';
export type EkuName = 'serverAuth' | 'clientAuth' | 'codeSigning' | 'emailProtection' | 'anyExtendedKeyUsage';

export interface CertOptions {
  /** Subject commonName; omitted means an empty subject (SAN then marked critical, RFC 5280 §4.2.1.6). */
  cn?: string;
  /** Subject organizationName. */
  org?: string;
  dns?: string[];
  /** SRVName otherName values, e.g. `_xmpp-server.example.org`. */
  srv?: string[];
  /** id-on-xmppAddr otherName values, e.g. `example.org`. */
  xmppAddr?: string[];
  uri?: string[];
  /** iPAddress SANs (IPv4 dotted or IPv6). */
  ip?: string[];
  /** Default rsa2048. */
  key?: KeySpec;
  /** Keys are cached per (spec, slot); give distinct slots for certificates that need distinct keys. */
  keySlot?: string;
  /** Default: one day ago. */
  notBefore?: Date;
  /** Default: 90 days from now. */
  notAfter?: Date;
  /** Extended key usage; null = no EKU extension (all purposes). Default for leaves: serverAuth + clientAuth. */
  eku?: (EkuName | string)[] | null;
  /** Signature hash; default sha256. */
  hash?: 'sha256' | 'sha1';
  /** Issuing CA; default: the process-wide test intermediate (for leaves). Ignored when selfSigned. */
  issuer?: Issued;
  /** Sign the certificate with its own key (issuer = subject). */
  selfSigned?: boolean;
  /** basicConstraints cA=TRUE (default false; the extension is always present). */
  ca?: boolean;
  /** AIA caIssuers URLs. */
  caIssuers?: string[];
  /** More extensions, their extnValue contents given as raw bytes (e.g. a private, oddly encoded one). */
  extraExtensions?: { oid: string; critical?: boolean; value: Buffer }[];
}

export interface Issued {
  cert: X509Certificate;
  certPem: string;
  keyPem: string;
  key: KeyObject;
  /** DER of the subject Name, used as issuer Name of the certificates it signs. */
  subjectDer: Buffer;
  /** SHA-1 of the SPKI, used as subjectKeyIdentifier / authorityKeyIdentifier. */
  keyId: Buffer;
  selfSigned: boolean;
  /** Intermediates between this certificate and its root, nearest first (excludes the root). */
  intermediates: Issued[];
  /** The self-signed root this certificate chains to (itself for a root). */
  root: Issued | undefined;
  /** What a correctly configured server sends: this certificate and its intermediates, not the root. */
  chainPem: string;
  /** chainPem followed by the root (what Prosody sends when its cafile contains the root). */
  fullChainPem: string;
  /** The root certificate that validates this certificate: the `ca` of a verifying client. */
  caPem: string;
}

// ---------------------------------------------------------------------------------------
// DER encoding (X.690).

function tlv(tag: number, ...parts: Buffer[]): Buffer {
  const body = Buffer.concat(parts);
  const n = body.length;
  let len: Buffer;
  if (n < 0x80) len = Buffer.from([n]);
  else if (n < 0x100) len = Buffer.from([0x81, n]);
  else if (n < 0x10000) len = Buffer.from([0x82, n >> 8, n & 0xff]);
  else len = Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, body]);
}
const seq = (...p: Buffer[]) => tlv(0x30, ...p);
const set = (...p: Buffer[]) => tlv(0x31, ...p);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const ia5 = (s: string) => tlv(0x16, Buffer.from(s, 'latin1'));
const octet = (b: Buffer) => tlv(0x04, b);
const NULL = Buffer.from([0x05, 0x00]);
const TRUE = Buffer.from([0x01, 0x01, 0xff]);

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number) as [number, number, ...number[]];
  const bytes = [a * 40 + b];
  for (const n of rest) {
    const enc = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) enc.unshift((v & 0x7f) | 0x80);
    bytes.push(...enc);
  }
  return tlv(0x06, Buffer.from(bytes));
}

function integer(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && ((v[1] as number) & 0x80) === 0) v = v.subarray(1);
  if (((v[0] as number) & 0x80) !== 0) v = Buffer.concat([Buffer.from([0]), v]);
  return tlv(0x02, v);
}

function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  return tlv(0x03, Buffer.from([unusedBits]), bytes);
}

function time(d: Date): Buffer {
  const iso = d.toISOString();
  const digits = iso.slice(0, 19).replace(/[-T:]/g, '');
  // RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050.
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`))
    : tlv(0x18, Buffer.from(`${digits}Z`));
}

function name(cn: string | undefined, org: string | undefined): Buffer {
  const rdns: Buffer[] = [];
  if (org) rdns.push(set(seq(oid('2.5.4.10'), utf8(org))));
  if (cn) rdns.push(set(seq(oid('2.5.4.3'), utf8(cn))));
  return seq(...rdns);
}

function ipBytes(ip: string): Buffer {
  if (ip.includes('.') && !ip.includes(':')) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  for (const [i, g] of groups.entries()) out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  return out;
}

const EKU_OIDS: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  anyExtendedKeyUsage: '2.5.29.37.0',
};

function ext(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? seq(oid(id), TRUE, octet(value)) : seq(oid(id), octet(value));
}

function keyUsage(bits: number[]): Buffer {
  // DER: named bit list without trailing zero bits (X.690 §11.2.2).
  const max = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] = (bytes[b >> 3] as number) | (0x80 >> (b & 7));
  return bitString(bytes, 7 - (max & 7));
}

// ---------------------------------------------------------------------------------------
// Keys, cached per process: RSA generation is the slow part.

const keyCache = new Map<string, { privateKey: KeyObject; publicKey: KeyObject }>();

function keyPair(spec: KeySpec, slot: string): { privateKey: KeyObject; publicKey: KeyObject } {
  const cacheKey = `${spec}/${slot}`;
  let pair = keyCache.get(cacheKey);
  if (!pair) {
    pair =
      spec === 'ec256'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('rsa', { modulusLength: spec === 'rsa1024' ? 1024 : 2048 });
    keyCache.set(cacheKey, pair);
  }
  return pair;
}

function signatureAlgorithm(key: KeyObject, hash: 'sha256' | 'sha1'): Buffer {
  if (key.asymmetricKeyType === 'ec')
    return seq(oid(hash === 'sha1' ? '1.2.840.10045.4.1' : '1.2.840.10045.4.3.2'));
  return seq(oid(hash === 'sha1' ? '1.2.840.113549.1.1.5' : '1.2.840.113549.1.1.11'), NULL);
}

const DAY_MS = 86_400_000;

/** A date `days` days from now (negative: in the past). */
export function daysFromNow(days: number): Date {
  return new Date(Date.now() + days * DAY_MS);
}

/** Issues one certificate. Leaves default to the process-wide test intermediate as issuer. */
export function issueCert(opts: CertOptions = {}): Issued {
  const spec = opts.key ?? 'rsa2048';
  const pair = keyPair(spec, opts.keySlot ?? (opts.ca ? `ca:${opts.cn ?? ''}` : 'leaf'));
  const selfSigned = opts.selfSigned ?? false;
  const issuer = selfSigned ? undefined : (opts.issuer ?? testPki().intermediate);
  const signingKey = issuer ? issuer.key : pair.privateKey;
  const hash = opts.hash ?? 'sha256';
  const sigAlg = signatureAlgorithm(signingKey, hash);
  const spki = pair.publicKey.export({ type: 'spki', format: 'der' });
  const keyId = createHash('sha1').update(spki).digest();
  const subjectDer = name(opts.cn, opts.org);

  const exts: Buffer[] = [ext('2.5.29.19', true, seq(...(opts.ca ? [TRUE] : [])))];
  exts.push(
    ext(
      '2.5.29.15',
      true,
      opts.ca ? keyUsage([5, 6]) : keyUsage(pair.publicKey.asymmetricKeyType === 'ec' ? [0] : [0, 2]),
    ),
  );
  exts.push(ext('2.5.29.14', false, octet(keyId)));
  exts.push(ext('2.5.29.35', false, seq(tlv(0x80, issuer ? issuer.keyId : keyId))));
  const names: Buffer[] = [
    ...(opts.dns ?? []).map((d) => tlv(0x82, Buffer.from(d, 'latin1'))),
    ...(opts.srv ?? []).map((s) => tlv(0xa0, oid('1.3.6.1.5.5.7.8.7'), tlv(0xa0, ia5(s)))),
    ...(opts.xmppAddr ?? []).map((x) => tlv(0xa0, oid('1.3.6.1.5.5.7.8.5'), tlv(0xa0, utf8(x)))),
    ...(opts.uri ?? []).map((u) => tlv(0x86, Buffer.from(u, 'latin1'))),
    ...(opts.ip ?? []).map((a) => tlv(0x87, ipBytes(a))),
  ];
  if (names.length > 0) exts.push(ext('2.5.29.17', !opts.cn && !opts.org, seq(...names)));
  const eku = opts.eku === undefined ? (opts.ca ? null : ['serverAuth', 'clientAuth']) : opts.eku;
  if (eku) exts.push(ext('2.5.29.37', false, seq(...eku.map((e) => oid(EKU_OIDS[e] ?? e)))));
  if (opts.caIssuers?.length) {
    exts.push(
      ext(
        '1.3.6.1.5.5.7.1.1',
        false,
        seq(
          ...opts.caIssuers.map((u) => seq(oid('1.3.6.1.5.5.7.48.2'), tlv(0x86, Buffer.from(u, 'latin1')))),
        ),
      ),
    );
  }

  for (const x of opts.extraExtensions ?? []) exts.push(ext(x.oid, x.critical ?? false, x.value));

  const serial = randomBytes(16);
  serial[0] = (serial[0] as number) & 0x7f;
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    sigAlg,
    issuer ? issuer.subjectDer : subjectDer,
    seq(time(opts.notBefore ?? daysFromNow(-1)), time(opts.notAfter ?? daysFromNow(90))),
    subjectDer,
    spki,
    tlv(0xa3, seq(...exts)),
  );
  const signature = sign(hash, tbs, signingKey);
  const der = seq(tbs, sigAlg, bitString(signature));
  const cert = new X509Certificate(der);
  const certPem = cert.toString();
  const intermediates = issuer && !issuer.selfSigned ? [issuer, ...issuer.intermediates] : [];
  const root = issuer ? (issuer.root ?? issuer) : undefined;
  const chainPem = [certPem, ...intermediates.map((i) => i.certPem)].join('');
  const self: Issued = {
    cert,
    certPem,
    keyPem: pair.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    key: pair.privateKey,
    subjectDer,
    keyId,
    selfSigned,
    intermediates,
    root,
    chainPem,
    fullChainPem: root ? chainPem + root.certPem : chainPem,
    caPem: root ? root.certPem : certPem,
  };
  if (selfSigned) self.root = self;
  return self;
}

/** A self-signed root CA. Distinct `cn`s get distinct keys. */
export function createRoot(opts: Omit<CertOptions, 'selfSigned' | 'ca' | 'issuer'> = {}): Issued {
  return issueCert({
    cn: 'xfed Test Root CA',
    org: 'xfed tests',
    notBefore: daysFromNow(-30),
    notAfter: daysFromNow(3650),
    ...opts,
    ca: true,
    selfSigned: true,
  });
}

/** An intermediate CA issued by `root`; `ca: false` makes a broken "intermediate" without CA rights. */
export function createIntermediate(
  root: Issued,
  opts: Omit<CertOptions, 'issuer' | 'selfSigned'> = {},
): Issued {
  return issueCert({
    cn: 'xfed Test Intermediate CA',
    org: 'xfed tests',
    notBefore: daysFromNow(-30),
    notAfter: daysFromNow(1825),
    ca: true,
    ...opts,
    keySlot:
      opts.keySlot ?? `ca:${opts.cn ?? 'xfed Test Intermediate CA'}:${opts.ca === false ? 'noca' : ''}`,
    issuer: root,
  });
}

export interface TestPki {
  root: Issued;
  intermediate: Issued;
  /** A leaf issued by the intermediate (override `issuer` to use another CA). */
  leaf(opts?: CertOptions): Issued;
}

let shared: TestPki | undefined;

/** The process-wide test PKI (root + intermediate), created on first use. */
export function testPki(): TestPki {
  if (!shared) {
    const root = createRoot();
    const intermediate = createIntermediate(root);
    shared = { root, intermediate, leaf: (opts = {}) => issueCert({ issuer: intermediate, ...opts }) };
  }
  return shared;
}

/** Files for a real server (Prosody, ejabberd): certificate, key, chain, full chain and CA. */
export interface PkiFiles {
  certFile: string;
  keyFile: string;
  chainFile: string;
  fullChainFile: string;
  caFile: string;
  /** Certificate chain followed by the key, as ejabberd's certfiles accepts in one file. */
  combinedFile: string;
}

/** Writes an issued certificate's PEMs into `dir` as <base>.crt, .key, .chain.pem, .fullchain.pem, .ca.pem, .combined.pem. */
export function writePki(dir: string, issued: Issued, base = 'server'): PkiFiles {
  mkdirSync(dir, { recursive: true });
  const files: PkiFiles = {
    certFile: join(dir, `${base}.crt`),
    keyFile: join(dir, `${base}.key`),
    chainFile: join(dir, `${base}.chain.pem`),
    fullChainFile: join(dir, `${base}.fullchain.pem`),
    caFile: join(dir, `${base}.ca.pem`),
    combinedFile: join(dir, `${base}.combined.pem`),
  };
  writeFileSync(files.certFile, issued.certPem);
  writeFileSync(files.keyFile, issued.keyPem, { mode: 0o600 });
  writeFileSync(files.chainFile, issued.chainPem);
  writeFileSync(files.fullChainFile, issued.fullChainPem);
  writeFileSync(files.caFile, issued.caPem);
  writeFileSync(files.combinedFile, issued.chainPem + issued.keyPem, { mode: 0o600 });
  return files;
}
