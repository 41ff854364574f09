/**
 * --ca files (and every other trust-anchor file the user names): read, bounded in size, and
 * checked to hold certificates before any traffic. A problem is a UsageError naming the file.
 * Lives in cli/ because it turns user input into PEM strings; protocol/tls/trust.ts only takes
 * the PEMs.
 */
import { X509Certificate } from 'node:crypto';
import { UsageError } from './errors.js';
import { type CaSource, readBoundedFile, shown } from './file-input.js';

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
/** A CA bundle larger than this is not a CA bundle. */
const MAX_CA_FILE_BYTES = 8 * 1024 * 1024;

function derToPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${b64}-----END CERTIFICATE-----\n`;
}

/**
 * Reads --ca files: PEM bundles (one or more CERTIFICATE blocks) or a single DER certificate
 * (as Cisco OS Administration exports them). An unreadable file, or one without a valid
 * certificate, is a usage error naming the file.
 */
export async function loadCaFiles(ca: CaSource | string[], timeoutMs?: number): Promise<string[]> {
  const { paths, flag } = Array.isArray(ca) ? { paths: ca, flag: '--ca' } : ca;
  const out: string[] = [];
  for (const file of paths) {
    const data = await readBoundedFile(file, {
      flag,
      what: 'a PEM or DER CA certificate',
      maxBytes: MAX_CA_FILE_BYTES,
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    });
    const path = shown(file);
    const blocks = data.toString('latin1').match(PEM_BLOCK) ?? [];
    const pems: string[] = [];
    if (blocks.length === 0) {
      try {
        pems.push(derToPem(new X509Certificate(data).raw));
      } catch {
        throw new UsageError(
          `${flag} ${path}: no certificate found; expected a PEM (BEGIN CERTIFICATE) or DER file`,
        );
      }
    }
    for (const [i, block] of blocks.entries()) {
      try {
        new X509Certificate(block);
      } catch {
        throw new UsageError(`${flag} ${path}: certificate #${i + 1} is not valid PEM/X.509`);
      }
      pems.push(`${block}\n`);
    }
    out.push(...pems);
  }
  return out;
}
