/** Unit tests for certificate extraction (src/protocol/tls/certificate.ts): RSA, ECDSA, otherName SANs, EKU. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { certificateInfo, parseDerDetails } from '../../../../src/protocol/tls/certificate.js';
import { createRoot, daysFromNow, issueCert, testPki } from '../../../helpers/test-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'xfed-cert-unit-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Makes a self-signed certificate with the openssl CLI: an encoder independent of test-ca.ts. */
function opensslCert(keyArgs: string[], extra: string[]): X509Certificate {
  const certFile = join(dir, `c${Math.random().toString(16).slice(2)}.pem`);
  const res = spawnSync(
    'openssl',
    [
      'req',
      '-x509',
      '-nodes',
      ...keyArgs,
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      certFile,
      '-days',
      '30',
      ...extra,
    ],
    { encoding: 'utf8' },
  );
  assert.equal(res.status, 0, res.stderr);
  return new X509Certificate(readFileSync(certFile));
}

describe('certificateInfo', () => {
  it('reads every SAN type, EKU and key usage from an ECDSA certificate made by openssl', async () => {
    // Given an ECDSA P-256 certificate with DNS, SRVName, XmppAddr, IP and URI SANs
    const cert = opensslCert(
      ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
      [
        '-subj',
        '/O=Example/CN=example.org',
        '-addext',
        'subjectAltName=DNS:example.org,DNS:*.example.org,otherName:1.3.6.1.5.5.7.8.5;UTF8:example.org,otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.example.org,IP:::1,IP:127.0.0.1,URI:xmpp:example.org',
        '-addext',
        'extendedKeyUsage=serverAuth,clientAuth',
        '-addext',
        'keyUsage=critical,digitalSignature,keyAgreement',
      ],
    );
    // When it is extracted
    const info = await certificateInfo(cert);
    // Then node:crypto and the DER reader agree with what openssl wrote
    assert.deepEqual(info.san, {
      dns: ['example.org', '*.example.org'],
      srv: ['_xmpp-server.example.org'],
      xmppAddr: ['example.org'],
      uri: ['xmpp:example.org'],
      ip: ['::1', '127.0.0.1'],
    });
    assert.deepEqual(info.commonNames, ['example.org']);
    assert.deepEqual(info.extKeyUsage, ['serverAuth', 'clientAuth']);
    assert.deepEqual(info.keyUsage, ['digitalSignature', 'keyAgreement']);
    assert.equal(info.keyType, 'ec');
    assert.equal(info.keyBits, 256);
    assert.equal(info.curve, 'prime256v1');
    assert.equal(info.signatureAlgorithm, 'ecdsa-with-SHA256');
    assert.equal(info.selfSigned, true);
    assert.equal(info.subject, 'O=Example, CN=example.org');
    assert.match(info.notAfter, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000Z$/);
    assert.equal(info.fingerprint256, cert.fingerprint256);
    assert.equal(info.caIssuers, undefined);
  });

  it('reads an RSA certificate with a SHA-1 signature and no EKU extension made by openssl', async () => {
    const cert = opensslCert(['-newkey', 'rsa:2048', '-sha1'], ['-subj', '/CN=legacy.example.org']);
    const info = await certificateInfo(cert);
    assert.equal(info.keyType, 'rsa');
    assert.equal(info.keyBits, 2048);
    assert.equal(info.signatureAlgorithm, 'sha1WithRSAEncryption');
    assert.equal(info.extKeyUsage, null);
    assert.deepEqual(info.san, { dns: [], srv: [], xmppAddr: [], uri: [], ip: [] });
    assert.deepEqual(info.commonNames, ['legacy.example.org']);
  });

  it('reads test-ca leaves: issuer chain, validity, AIA, empty subject', async () => {
    // Given a leaf from the test PKI with an empty subject and an AIA caIssuers URL
    const pki = testPki();
    const leaf = pki.leaf({
      dns: ['example.org'],
      srv: ['_xmpp-server.example.org'],
      xmppAddr: ['example.org'],
      eku: ['serverAuth'],
      caIssuers: ['http://ca.example.test/inter.der'],
      notBefore: new Date('2026-01-01T00:00:00Z'),
      notAfter: new Date('2051-06-30T12:00:00Z'),
    });
    // When it is extracted
    const info = await certificateInfo(leaf.cert);
    // Then
    assert.equal(info.subject, '');
    assert.equal(info.issuer, 'O=xfed tests, CN=xfed Test Intermediate CA');
    assert.equal(info.selfSigned, false);
    assert.equal(info.isCA, false);
    assert.equal(info.notBefore, '2026-01-01T00:00:00.000Z');
    // GeneralizedTime from 2050 on (RFC 5280 §4.1.2.5)
    assert.equal(info.notAfter, '2051-06-30T12:00:00.000Z');
    assert.deepEqual(info.caIssuers, ['http://ca.example.test/inter.der']);
    assert.deepEqual(info.extKeyUsage, ['serverAuth']);
    assert.deepEqual(info.keyUsage, ['digitalSignature', 'keyEncipherment']);
    assert.deepEqual(info.san.srv, ['_xmpp-server.example.org']);
    assert.deepEqual(info.san.xmppAddr, ['example.org']);
    assert.ok(leaf.cert.checkIssued(pki.intermediate.cert));
    assert.ok(leaf.cert.verify(pki.intermediate.cert.publicKey));
  });

  it('reports key size and SHA-1 for RSA 1024 and ECDSA test-ca leaves', async () => {
    const weak = await certificateInfo(
      testPki().leaf({ cn: 'weak.example.org', key: 'rsa1024', hash: 'sha1' }).cert,
    );
    assert.equal(weak.keyBits, 1024);
    assert.equal(weak.signatureAlgorithm, 'sha1WithRSAEncryption');
    // An EC root signing with SHA-1 gives ecdsa-with-SHA1.
    const ecRoot = createRoot({ cn: 'xfed EC Root', key: 'ec256', hash: 'sha1' });
    const ecInfo = await certificateInfo(ecRoot.cert);
    assert.equal(ecInfo.signatureAlgorithm, 'ecdsa-with-SHA1');
    assert.equal(ecInfo.isCA, true);
    assert.equal(ecInfo.selfSigned, true);
    assert.deepEqual(ecInfo.keyUsage, ['keyCertSign', 'cRLSign']);
  });

  it('does not call a certificate self-signed when only the names are equal', async () => {
    // Given a certificate whose issuer name equals its subject but which another key signed
    const root = createRoot({ cn: 'Same Name', keySlot: 'a' });
    const imposter = issueCert({
      cn: 'Same Name',
      org: 'xfed tests',
      issuer: root,
      keySlot: 'b',
      notAfter: daysFromNow(9),
    });
    const info = await certificateInfo(imposter.cert);
    assert.equal(info.issuer, info.subject);
    assert.equal(info.selfSigned, false);
  });
});

describe('parseDerDetails', () => {
  it('rejects truncated and non-certificate input instead of reading past the buffer', () => {
    const der = testPki().root.cert.raw;
    assert.throws(() => parseDerDetails(der.subarray(0, der.length - 10)));
    assert.throws(() => parseDerDetails(Buffer.from([0x30, 0x84, 0xff, 0xff, 0xff, 0xff])));
    assert.throws(() => parseDerDetails(Buffer.alloc(0)));
  });
});

describe('certificateInfo with extensions the DER reader does not cover', () => {
  it('keeps the SANs when a private extension has an encoding the reader would reject', async () => {
    // Given a leaf with a non-critical private extension whose value uses a 5-byte length
    const leaf = issueCert({
      dns: ['example.org'],
      extraExtensions: [{ oid: '1.3.6.1.4.1.55555.1', value: Buffer.from([0x30, 0x85, 0, 0, 0, 0, 1, 0]) }],
    });
    // When it is extracted
    const info = await certificateInfo(leaf.cert);
    // Then the identity and the signature algorithm are still read
    assert.deepEqual(info.san.dns, ['example.org']);
    assert.equal(info.signatureAlgorithm, 'sha256WithRSAEncryption');
  });

  it('names the extended key usages from node:crypto when the reader gives up', async () => {
    // Given a leaf whose AIA extension (read by the DER reader, not by node:crypto) is malformed
    const leaf = issueCert({
      dns: ['example.org'],
      extraExtensions: [{ oid: '1.3.6.1.5.5.7.1.1', value: Buffer.from([0x30, 0x85, 0, 0, 0, 0, 1, 0]) }],
    });
    assert.throws(() => parseDerDetails(leaf.cert.raw));
    // When it is extracted
    const info = await certificateInfo(leaf.cert);
    // Then the fallback still says serverAuth and clientAuth, not their OIDs
    assert.equal(info.signatureAlgorithm, 'unknown');
    assert.deepEqual(info.extKeyUsage, ['serverAuth', 'clientAuth']);
  });
});
