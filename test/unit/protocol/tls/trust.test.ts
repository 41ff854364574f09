/** Unit tests for --ca loading and trust anchors (src/protocol/tls/trust.ts). */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { rootCertificates } from 'node:tls';
import { UsageError } from '../../../../src/cli/errors.js';
import { loadCaFiles, trustAnchors } from '../../../../src/protocol/tls/trust.js';
import { testPki } from '../../../helpers/test-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-trust-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCaFiles', () => {
  it('returns every certificate of a PEM bundle and of a DER file, in order', async () => {
    // Given a PEM bundle (root + intermediate) and a DER copy of the root
    const pki = testPki();
    const bundle = join(dir, 'bundle.pem');
    writeFileSync(bundle, `# comment\n${pki.root.certPem}\n${pki.intermediate.certPem}`);
    const der = join(dir, 'root.der');
    writeFileSync(der, pki.root.cert.raw);
    // When they are loaded
    const pems = await loadCaFiles([bundle, der]);
    // Then three PEM certificates come back with the right fingerprints
    const fps = pems.map((p) => new X509Certificate(p).fingerprint256);
    assert.deepEqual(fps, [
      pki.root.cert.fingerprint256,
      pki.intermediate.cert.fingerprint256,
      pki.root.cert.fingerprint256,
    ]);
  });

  it('throws a UsageError naming a missing file', async () => {
    const missing = join(dir, 'nope.pem');
    await assert.rejects(loadCaFiles([missing]), (e: unknown) => {
      assert.ok(e instanceof UsageError);
      assert.match(e.message, /nope\.pem/);
      assert.match(e.message, /ENOENT/);
      return true;
    });
  });

  it('throws a UsageError naming a file without a certificate', async () => {
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate\n');
    await assert.rejects(
      loadCaFiles([junk]),
      (e: unknown) => e instanceof UsageError && /junk\.pem/.test(e.message),
    );
  });

  it('throws a UsageError for a damaged PEM block', async () => {
    const bad = join(dir, 'bad.pem');
    writeFileSync(bad, '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
    await assert.rejects(
      loadCaFiles([bad]),
      (e: unknown) => e instanceof UsageError && /bad\.pem.*#1/.test(e.message),
    );
  });
});

describe('trustAnchors', () => {
  it('keeps the bundled roots and appends the extra CAs (the ca option replaces the default store)', () => {
    const extra = testPki().root.certPem;
    const anchors = trustAnchors([extra]);
    assert.equal(anchors.length, rootCertificates.length + 1);
    assert.equal(anchors[anchors.length - 1], extra);
  });
});
