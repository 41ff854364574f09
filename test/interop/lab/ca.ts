/**
 * The lab's test PKI, made with the `openssl` CLI at set-up: a root CA (the only trust anchor
 * the lab's servers and xfed are given), an intermediate, and leaf certificates per scenario.
 * Leaf identities follow RFC 6120 §13.7.1.4 / RFC 6125 / XEP-0178: dNSName for normal leaves,
 * and for the "srvid-only" profile only id-on-xmppAddr (1.3.6.1.5.5.7.8.5) and SRVName
 * (RFC 4985, 1.3.6.1.5.5.7.8.7) otherNames.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mustExec } from './exec.js';

/** What kind of certificate a scenario's server presents. */
export type CertProfile =
  /** RSA 2048 leaf for the domain, signed by the intermediate, served with the intermediate. */
  | 'valid'
  /** Like valid, but its validity ended long ago. */
  | 'expired'
  /** Like valid (EC P-256 leaf), but its validity starts 30 days from now. */
  | 'not-yet-valid'
  /** Valid chain, but it names other.test instead of the domain. */
  | 'wrong-name'
  /** Signed by its own key; not issued by the lab CA. */
  | 'self-signed'
  /** ECDSA P-256 leaf, otherwise like valid. */
  | 'ecdsa'
  /** Identities only as XmppAddr + SRVName otherNames: no dNSName, CN is not a domain. */
  | 'srvid-only'
  /** Valid leaf signed by the intermediate, but the server sends the leaf alone. */
  | 'no-intermediate'
  /** Like valid (EC P-256 leaf), but the chain file is leaf, root, intermediate: issuers out of order. */
  | 'misordered'
  /** Like valid (EC P-256 leaf), plus a third certificate that is no part of the chain (an unrelated CA). */
  | 'extra-cert';

export interface LeafCert {
  profile: CertProfile;
  /** The XMPP domain this certificate was made for (not necessarily the name inside it). */
  domain: string;
  /** The leaf certificate alone (PEM). */
  certFile: string;
  /** Private key (PEM, unencrypted). */
  keyFile: string;
  /** What the server presents: leaf + intermediate, or the leaf alone (self-signed, no-intermediate). */
  chainFile: string;
  /** chainFile followed by the key, for servers that want one PEM (ejabberd `certfiles`). */
  bundleFile: string;
  /** ISO 8601 UTC. */
  notBefore: string;
  /** ISO 8601 UTC. */
  notAfter: string;
  /** subjectAltName dNSName values. */
  dnsNames: string[];
  /** XmppAddr otherName values. */
  xmppAddrs: string[];
  /** SRVName otherName values (e.g. _xmpp-server.example.org). */
  srvNames: string[];
  keyType: 'rsa' | 'ec';
  /** Number of certificates in chainFile (in the order the server sends them). */
  chainLength: number;
}

export interface LabCa {
  dir: string;
  /** The root CA certificate: the one trust anchor of the lab. */
  rootFile: string;
  rootPem: string;
  intermediateFile: string;
  intermediatePem: string;
  /** Issues (or self-signs) a leaf for `domain` with the given profile into dir/leaves/<domain>/. */
  issue(domain: string, profile: CertProfile): Promise<LeafCert>;
}

const DAY_MS = 86_400_000;
/** Leaf lifetime: longer than xfed's default --warn-days (30), so healthy scenarios stay quiet. */
const LEAF_DAYS = 90;

/** openssl ca -startdate/-enddate format (ASN.1 GeneralizedTime). */
function asn1Time(ms: number): string {
  return `${new Date(ms).toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
}

const REQ_CONFIG = `# xfed interop lab: openssl req/x509 config (generated)
[ req ]
distinguished_name = dn
prompt = no
[ dn ]
CN = placeholder
[ root_ext ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[ intermediate_ext ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
`;

function keyArgs(type: 'rsa' | 'ec', out: string): string[] {
  return type === 'rsa'
    ? ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', out]
    : ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out];
}

interface Identity {
  cn: string;
  dnsNames: string[];
  xmppAddrs: string[];
  srvNames: string[];
}

function identityFor(domain: string, profile: CertProfile): Identity {
  if (profile === 'wrong-name')
    return { cn: 'other.test', dnsNames: ['other.test'], xmppAddrs: [], srvNames: [] };
  if (profile === 'srvid-only') {
    return {
      cn: 'xfed lab srvid-only',
      dnsNames: [],
      xmppAddrs: [domain],
      srvNames: [`_xmpp-server.${domain}`],
    };
  }
  return { cn: domain, dnsNames: [domain], xmppAddrs: [], srvNames: [] };
}

function leafExtensions(id: Identity, keyType: 'rsa' | 'ec', selfSigned: boolean): string {
  const san = [
    ...id.dnsNames.map((d) => `DNS:${d}`),
    ...id.xmppAddrs.map((x) => `otherName:1.3.6.1.5.5.7.8.5;UTF8:${x}`),
    ...id.srvNames.map((s) => `otherName:1.3.6.1.5.5.7.8.7;IA5STRING:${s}`),
  ].join(', ');
  // keyEncipherment only makes sense for RSA keys (RFC 5480 §3 for EC keys).
  const ku = keyType === 'rsa' ? 'digitalSignature, keyEncipherment' : 'digitalSignature';
  return [
    '[ leaf_ext ]',
    'basicConstraints = critical, CA:FALSE',
    `keyUsage = critical, ${ku}`,
    // s2s certificates authenticate both directions of a federation link.
    'extendedKeyUsage = serverAuth, clientAuth',
    'subjectKeyIdentifier = hash',
    ...(selfSigned ? [] : ['authorityKeyIdentifier = keyid:always']),
    `subjectAltName = ${san}`,
    '',
  ].join('\n');
}

function caConfig(dir: string): string {
  return `# xfed interop lab: openssl ca config for one leaf (generated)
[ ca ]
default_ca = lab
[ lab ]
database = ${dir}/index.txt
new_certs_dir = ${dir}
serial = ${dir}/serial
default_md = sha256
policy = any_name
unique_subject = no
copy_extensions = none
[ any_name ]
organizationName = optional
commonName = supplied
`;
}

/** Creates the root and intermediate. Takes about half a second (two RSA keys). */
export async function createLabCa(dir: string): Promise<LabCa> {
  mkdirSync(join(dir, 'leaves'), { recursive: true });
  const cnf = join(dir, 'req.cnf');
  writeFileSync(cnf, REQ_CONFIG);
  const rootKey = join(dir, 'root.key');
  const rootFile = join(dir, 'root.pem');
  const interKey = join(dir, 'intermediate.key');
  const interCsr = join(dir, 'intermediate.csr');
  const intermediateFile = join(dir, 'intermediate.pem');
  await Promise.all([
    mustExec('openssl', keyArgs('rsa', rootKey)),
    mustExec('openssl', keyArgs('rsa', interKey)),
  ]);
  await mustExec('openssl', [
    'req',
    '-x509',
    '-config',
    cnf,
    '-extensions',
    'root_ext',
    '-key',
    rootKey,
    '-subj',
    '/O=xfed interop lab/CN=xfed lab root CA',
    '-days',
    '365',
    '-sha256',
    '-out',
    rootFile,
  ]);
  await mustExec('openssl', [
    'req',
    '-new',
    '-config',
    cnf,
    '-key',
    interKey,
    '-subj',
    '/O=xfed interop lab/CN=xfed lab intermediate CA',
    '-out',
    interCsr,
  ]);
  await mustExec('openssl', [
    'x509',
    '-req',
    '-in',
    interCsr,
    '-CA',
    rootFile,
    '-CAkey',
    rootKey,
    '-set_serial',
    `0x${randomBytes(8).toString('hex')}`,
    '-days',
    '365',
    '-sha256',
    '-extfile',
    cnf,
    '-extensions',
    'intermediate_ext',
    '-out',
    intermediateFile,
  ]);
  const rootPem = readFileSync(rootFile, 'utf8');
  const intermediatePem = readFileSync(intermediateFile, 'utf8');

  /** A self-signed CA certificate of no relation to the lab CA (EC key: cheap to make). */
  let unrelatedPem: string | undefined;
  async function unrelated(): Promise<string> {
    if (unrelatedPem) return unrelatedPem;
    const key = join(dir, 'unrelated.key');
    const file = join(dir, 'unrelated.pem');
    await mustExec('openssl', keyArgs('ec', key));
    await mustExec('openssl', [
      'req',
      '-x509',
      '-config',
      cnf,
      '-extensions',
      'root_ext',
      '-key',
      key,
      '-subj',
      '/O=xfed interop lab/CN=xfed lab unrelated CA',
      '-days',
      '365',
      '-sha256',
      '-out',
      file,
    ]);
    unrelatedPem = readFileSync(file, 'utf8');
    return unrelatedPem;
  }

  async function issue(domain: string, profile: CertProfile): Promise<LeafCert> {
    const ldir = join(dir, 'leaves', domain);
    mkdirSync(ldir, { recursive: true });
    // EC keys take milliseconds, RSA keys up to seconds on a busy machine: the chain-order
    // profiles (where the key does not matter) use EC too, to keep the lab's start-up short.
    const keyType =
      profile === 'ecdsa' ||
      profile === 'misordered' ||
      profile === 'extra-cert' ||
      profile === 'not-yet-valid'
        ? 'ec'
        : 'rsa';
    const keyFile = join(ldir, 'key.pem');
    const certFile = join(ldir, 'cert.pem');
    const extFile = join(ldir, 'ext.cnf');
    const id = identityFor(domain, profile);
    const selfSigned = profile === 'self-signed';
    writeFileSync(extFile, leafExtensions(id, keyType, selfSigned));
    await mustExec('openssl', keyArgs(keyType, keyFile));
    const now = Date.now();
    // Start an hour back so a slightly skewed clock never makes a fresh leaf "not yet valid".
    const [start, end] =
      profile === 'expired'
        ? [now - 400 * DAY_MS, now - 35 * DAY_MS]
        : profile === 'not-yet-valid'
          ? [now + 30 * DAY_MS, now + (30 + LEAF_DAYS) * DAY_MS]
          : [now - 3_600_000, now + LEAF_DAYS * DAY_MS];
    const subj = `/O=xfed interop lab/CN=${id.cn}`;
    if (selfSigned) {
      // req -x509 takes its extensions from -config: the req config plus this leaf's section.
      writeFileSync(join(ldir, 'self.cnf'), `${REQ_CONFIG}\n${leafExtensions(id, keyType, true)}`);
      await mustExec('openssl', [
        'req',
        '-x509',
        '-config',
        join(ldir, 'self.cnf'),
        '-extensions',
        'leaf_ext',
        '-key',
        keyFile,
        '-subj',
        subj,
        '-days',
        String(LEAF_DAYS),
        '-sha256',
        '-out',
        certFile,
      ]);
    } else {
      const csr = join(ldir, 'leaf.csr');
      await mustExec('openssl', ['req', '-new', '-config', cnf, '-key', keyFile, '-subj', subj, '-out', csr]);
      const ccnf = join(ldir, 'ca.cnf');
      writeFileSync(ccnf, caConfig(ldir));
      writeFileSync(join(ldir, 'index.txt'), '');
      writeFileSync(join(ldir, 'serial'), `${randomBytes(8).toString('hex').toUpperCase()}\n`);
      await mustExec('openssl', [
        'ca',
        '-batch',
        '-notext',
        '-config',
        ccnf,
        '-cert',
        intermediateFile,
        '-keyfile',
        interKey,
        '-in',
        csr,
        '-out',
        certFile,
        '-startdate',
        asn1Time(start),
        '-enddate',
        asn1Time(end),
        '-extfile',
        extFile,
        '-extensions',
        'leaf_ext',
      ]);
    }
    const leafPem = readFileSync(certFile, 'utf8');
    const sendsIntermediate = !selfSigned && profile !== 'no-intermediate';
    // The chain file as an admin might have written it; servers send it in this order.
    const parts = !sendsIntermediate
      ? [leafPem]
      : profile === 'misordered'
        ? [leafPem, rootPem, intermediatePem]
        : profile === 'extra-cert'
          ? [leafPem, intermediatePem, await unrelated()]
          : [leafPem, intermediatePem];
    const chainPem = `${parts.map((p) => p.trimEnd()).join('\n')}\n`;
    const chainFile = join(ldir, 'chain.pem');
    const bundleFile = join(ldir, 'bundle.pem');
    writeFileSync(chainFile, chainPem);
    writeFileSync(bundleFile, `${chainPem.trimEnd()}\n${readFileSync(keyFile, 'utf8')}`);
    const { X509Certificate } = await import('node:crypto');
    const x = new X509Certificate(leafPem);
    return {
      profile,
      domain,
      certFile,
      keyFile,
      chainFile,
      bundleFile,
      notBefore: new Date(x.validFrom).toISOString(),
      notAfter: new Date(x.validTo).toISOString(),
      dnsNames: id.dnsNames,
      xmppAddrs: id.xmppAddrs,
      srvNames: id.srvNames,
      keyType,
      chainLength: parts.length,
    };
  }

  return { dir, rootFile, rootPem, intermediateFile, intermediatePem, issue };
}
