/** Validates JUnit XML with xmllint (Debian libxml2-utils) against the shipped JUnit schema. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const JUNIT_XSD = fileURLToPath(new URL('../fixtures/junit/junit-10.xsd', import.meta.url));

/** Why xmllint cannot run here, or undefined. Under CI a missing xmllint is a failure, not a skip. */
export function xmllintMissing(): string | undefined {
  const r = spawnSync('xmllint', ['--version'], { encoding: 'utf8' });
  if (r.status === 0) return undefined;
  if (process.env.CI === 'true')
    throw new Error('xmllint is missing (Debian libxml2-utils; .ci/run installs it)');
  return 'xmllint not installed (apt-get install libxml2-utils)';
}

export function assertValidJunit(xml: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-junit-'));
  try {
    const file = join(dir, 'report.xml');
    writeFileSync(file, xml);
    const r = spawnSync('xmllint', ['--noout', '--nonet', '--schema', JUNIT_XSD, file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `JUnit XML does not validate against junit-10.xsd:\n${r.stderr}\n${xml}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
