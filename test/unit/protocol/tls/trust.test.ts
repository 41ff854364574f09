/** Unit tests for --ca loading (src/cli/ca-files.ts) and trust anchors (src/protocol/tls/trust.ts). */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import tls, { rootCertificates } from 'node:tls';
import { loadCaFiles } from '../../../../src/cli/ca-files.js';
import { UsageError } from '../../../../src/cli/errors.js';
import { canonicalAnchorKey } from '../../../../src/protocol/tls/certificate.js';
import {
  secureContextWithAnchors,
  trustAnchors,
  trustFromSocket,
} from '../../../../src/protocol/tls/trust.js';
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

describe('secureContextWithAnchors', () => {
  /** Serves the test PKI's leaf + intermediate and returns the client's validation result. */
  async function validate(ctx: tls.SecureContext): Promise<ReturnType<typeof trustFromSocket>> {
    const leaf = testPki().leaf({ cn: 'example.org', dns: ['example.org'] });
    const server = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const socket = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'example.org',
      secureContext: ctx,
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      });
      return trustFromSocket(socket);
    } finally {
      socket.destroy();
      server.close();
    }
  }

  it('adds the --ca anchors to the trust store of the context it builds', async () => {
    // Given a private root passed as --ca, and a context built without it
    const withCa = secureContextWithAnchors([testPki().root.certPem]);
    const without = secureContextWithAnchors([]);
    // When a server sends a chain issued under that root
    // Then only the context with the anchor trusts it
    assert.deepEqual(await validate(withCa), { authorized: true });
    assert.equal((await validate(without)).authorized, false);
  });
});

describe('bundled roots as anchors (registerCanonicalTrustAnchors)', () => {
  it("keys every bundled root by its DER's base64 without decoding it, as the --ca path does", () => {
    // registerCanonicalTrustAnchors drops only the armour and line breaks of tls.rootCertificates;
    // peerChain looks chain members up by their DER in base64: both must be the same string.
    assert.ok(rootCertificates.length > 50);
    for (const pem of rootCertificates) {
      assert.equal(canonicalAnchorKey(pem), new X509Certificate(pem).raw.toString('base64'));
    }
  });
});
