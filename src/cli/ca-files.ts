/**
 * --ca files (and every other trust-anchor file the user names): read, bounded in size, and
 * checked to hold certificates before any traffic. A problem is a UsageError naming the file.
 * Lives in cli/ because it turns user input into PEM strings; protocol/tls/trust.ts only takes
 * the PEMs.
 */
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { UsageError } from './errors.js';

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
export async function loadCaFiles(paths: string[]): Promise<string[]> {
  const out: string[] = [];
  for (const path of paths) {
    let data: Buffer;
    try {
      data = await readFile(path);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? 'read error';
      throw new UsageError(
        `--ca ${path}: cannot read the file (${code}); expected a PEM or DER CA certificate`,
      );
    }
    if (data.length > MAX_CA_FILE_BYTES) {
      throw new UsageError(`--ca ${path}: file is larger than 8 MiB; expected a PEM or DER CA certificate`);
    }
    const blocks = data.toString('latin1').match(PEM_BLOCK) ?? [];
    const pems: string[] = [];
    if (blocks.length === 0) {
      try {
        pems.push(derToPem(new X509Certificate(data).raw));
      } catch {
        throw new UsageError(
          `--ca ${path}: no certificate found; expected a PEM (BEGIN CERTIFICATE) or DER file`,
        );
      }
    }
    for (const [i, block] of blocks.entries()) {
      try {
        new X509Certificate(block);
      } catch {
        throw new UsageError(`--ca ${path}: certificate #${i + 1} is not valid PEM/X.509`);
      }
      pems.push(`${block}\n`);
    }
    out.push(...pems);
  }
  return out;
}
