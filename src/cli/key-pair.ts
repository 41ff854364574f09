/**
 * --cert/--key: our server's certificate (chain) and private key, presented in TLS handshakes
 * as a sending server does. Both or neither; they must form a usable TLS key pair. Read with a
 * size cap before any traffic; a problem is a UsageError naming the file.
 */
import { X509Certificate } from 'node:crypto';
import tls from 'node:tls';
import type { PresentedCertFacts } from '../facts/tls.js';
import { parseDerDetails } from '../protocol/tls/certificate.js';
import { UsageError } from './errors.js';
import { readBoundedFile, shown } from './file-input.js';

const MAX_PEM_BYTES = 1024 * 1024;

export interface KeyPair {
  cert: string;
  key: string;
  subject: string;
  file: string;
}

async function readPem(path: string, flag: string, what: string, timeoutMs?: number): Promise<string> {
  const data = await readBoundedFile(path, {
    flag,
    what: `a PEM ${what}`,
    maxBytes: MAX_PEM_BYTES,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
  });
  return data.toString('utf8');
}

/** Loads --cert/--key (both or neither) for `domain`; undefined when neither was given. */
export async function loadKeyPair(
  f: { cert?: string | undefined; key?: string | undefined },
  domain: string,
  timeoutMs?: number,
): Promise<KeyPair | undefined> {
  if (f.cert === undefined && f.key === undefined) return undefined;
  if (f.cert === undefined || f.key === undefined) {
    throw new UsageError(`give both --cert and --key (PEM) for ${domain}, or neither`);
  }
  const cert = await readPem(f.cert, '--cert', 'certificate (chain)', timeoutMs);
  const key = await readPem(f.key, '--key', 'private key', timeoutMs);
  let subject: string;
  try {
    subject = new X509Certificate(cert).subject.replace(/\n/g, ', ');
  } catch {
    throw new UsageError(`--cert ${shown(f.cert)}: no valid PEM certificate found`);
  }
  try {
    tls.createSecureContext({ cert, key });
  } catch (e) {
    throw new UsageError(
      `--cert/--key: ${shown(f.cert)} and ${shown(f.key)} do not form a usable key pair (${shown((e as Error).message)})`,
    );
  }
  return { cert, key, subject, file: f.cert };
}

/** Facts about the certificate we present (names, clientAuth, expiry), for the report. */
export function clientCertFacts(pair: KeyPair): PresentedCertFacts {
  const x = new X509Certificate(pair.cert);
  const f: PresentedCertFacts = {
    file: pair.file,
    subject: pair.subject,
    dnsNames: [],
    clientAuth: true,
    notAfter: new Date(x.validTo).toISOString(),
  };
  try {
    const d = parseDerDetails(x.raw);
    f.dnsNames = d.san.dns;
    f.clientAuth = d.extKeyUsage === null || d.extKeyUsage.includes('clientAuth');
  } catch {
    // OpenSSL loaded it; names stay unknown rather than failing the run.
  }
  return f;
}
