/** Rule tests for certificate findings (src/judge/rules/cert.ts): facts in, exact ids out. */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CertCheckFacts, CertificateInfo } from '../../../../src/facts/cert.js';
import { judge } from '../../../../src/judge/judge.js';
import { certRules, expectedSan, judgeCert } from '../../../../src/judge/rules/cert.js';
import { certificateInfo } from '../../../../src/protocol/tls/certificate.js';
import {
  type CertOptions,
  createIntermediate,
  daysFromNow,
  issueCert,
  testPki,
} from '../../../helpers/test-ca.js';

const CHECKED_AT = new Date().toISOString();

let inter: CertificateInfo;
let root: CertificateInfo;

before(async () => {
  const pki = testPki();
  inter = await certificateInfo(pki.intermediate.cert);
  root = { ...(await certificateInfo(pki.root.cert)), trustAnchor: true };
});

async function leaf(opts: CertOptions): Promise<CertificateInfo> {
  return certificateInfo(testPki().leaf(opts).cert);
}

function facts(chain: CertificateInfo[], over: Partial<CertCheckFacts> = {}): CertCheckFacts {
  return {
    referenceName: 'example.org',
    service: 'xmpp-server',
    endpoint: 'xmpp.example.org:5269',
    chain,
    trust: { authorized: true },
    checkedAt: CHECKED_AT,
    warnDays: 14,
    ...over,
  };
}

const ids = (f: CertCheckFacts) => judge(f, certRules).map((x) => x.id);
const GOOD = { dns: ['example.org'] };

describe('cert rules', () => {
  it('no certificate at all gives only cert.peer.missing', () => {
    assert.deepEqual(ids(facts([], { trust: { authorized: false, errorCode: 'UNKNOWN' } })), [
      'cert.peer.missing',
    ]);
  });

  it('cert.check.ok carries the matched identifier and the expiry date', async () => {
    const l = await leaf({ srv: ['_xmpp-server.example.org'] });
    const [ok] = judgeCert(facts([l, inter, root]));
    assert.equal(ok?.id, 'cert.check.ok');
    assert.equal(ok?.evidence.matchedVia, 'srv-id');
    assert.equal(ok?.evidence.matchedValue, '_xmpp-server.example.org');
    assert.equal(ok?.evidence.notAfter, l.notAfter);
  });

  it('an unexplained UNSPECIFIED verify error gives cert.chain.invalid', async () => {
    const f = facts([await leaf(GOOD), inter, root], {
      trust: { authorized: false, errorCode: 'UNSPECIFIED' },
    });
    assert.deepEqual(ids(f), ['cert.chain.invalid']);
  });

  it('an expired local trust anchor is not blamed on the peer but the chain still fails', async () => {
    const oldRoot = { ...root, notAfter: '2020-01-01T00:00:00.000Z' };
    const f = facts([await leaf(GOOD), inter, oldRoot], {
      trust: { authorized: false, errorCode: 'CERT_HAS_EXPIRED', errorMessage: 'certificate has expired' },
    });
    assert.deepEqual(ids(f), ['cert.chain.invalid']);
  });

  it('an expired intermediate gives cert.validity.expired for the intermediate', async () => {
    const pki = testPki();
    const oldInter = createIntermediate(pki.root, {
      cn: 'Old Intermediate',
      notBefore: daysFromNow(-400),
      notAfter: daysFromNow(-1),
    });
    const l = await certificateInfo(issueCert({ ...GOOD, issuer: oldInter }).cert);
    const f = facts([l, await certificateInfo(oldInter.cert), root], {
      trust: { authorized: false, errorCode: 'CERT_HAS_EXPIRED' },
    });
    const found = judgeCert(f);
    assert.deepEqual(
      found.map((h) => [h.id, h.evidence.role]),
      [['cert.validity.expired', 'intermediate']],
    );
  });

  it('--warn-days 0 turns the expiry warning off', async () => {
    const l = await leaf({ ...GOOD, notAfter: daysFromNow(2) });
    assert.deepEqual(ids(facts([l, inter, root], { warnDays: 0 })), ['cert.check.ok']);
    assert.deepEqual(ids(facts([l, inter, root], { warnDays: 3 })), [
      'cert.validity.expires-soon',
      'cert.check.ok',
    ]);
  });

  it('a connect host equal to the domain gives a plain name mismatch', async () => {
    const l = await leaf({ dns: ['other.example.net'] });
    assert.deepEqual(ids(facts([l, inter, root], { connectHost: 'EXAMPLE.org' })), ['cert.name.mismatch']);
  });

  it('anyExtendedKeyUsage satisfies both purposes', async () => {
    const l = await leaf({ ...GOOD, eku: ['anyExtendedKeyUsage'] });
    assert.deepEqual(ids(facts([l, inter, root])), ['cert.check.ok']);
  });

  it('https does not ask for clientAuth but still needs serverAuth', async () => {
    const serverOnly = await leaf({ dns: ['cucm.example.org'], eku: ['serverAuth'] });
    const clientOnly = await leaf({ dns: ['cucm.example.org'], eku: ['clientAuth'] });
    const https = {
      referenceName: 'cucm.example.org',
      service: 'https' as const,
      endpoint: 'cucm.example.org:8443',
    };
    assert.deepEqual(ids(facts([serverOnly, inter, root], https)), ['cert.check.ok']);
    assert.deepEqual(ids(facts([clientOnly, inter, root], https)), ['cert.eku.no-server-auth']);
  });

  it('--insecure with a healthy certificate still reports cert.check.ok and nothing else', async () => {
    assert.deepEqual(ids(facts([await leaf(GOOD), inter, root], { insecure: true })), ['cert.check.ok']);
  });

  it('--insecure names the softened problem in the warning title', async () => {
    const l = await leaf({ dns: ['other.example.net'] });
    const [f] = judge(facts([l, inter, root], { insecure: true }), certRules);
    assert.equal(f?.id, 'cert.check.insecure-skipped');
    assert.equal(f?.evidence.skippedId, 'cert.name.mismatch');
    assert.match(
      f?.title ?? '',
      /--insecure: Certificate of xmpp\.example\.org:5269 does not match example\.org/,
    );
  });

  it('a weak intermediate key is reported with its role', async () => {
    const weakInter = { ...inter, keyBits: 1024 };
    const found = judgeCert(facts([await leaf(GOOD), weakInter, root]));
    assert.deepEqual(
      found.map((h) => [h.id, h.evidence.role]),
      [['cert.key.weak', 'intermediate']],
    );
  });

  it('an EC key below 256 bits is weak', async () => {
    const l = { ...(await leaf({ ...GOOD, key: 'ec256' })), keyBits: 224, curve: 'secp224r1' };
    assert.deepEqual(ids(facts([l, inter, root])), ['cert.key.weak']);
  });

  it('a self-signed leaf pinned with --ca is still judged for expiry and key size', async () => {
    // Given the user trusts a self-signed 1024-bit certificate that expired, by passing it with --ca
    const pinned = issueCert({
      selfSigned: true,
      cn: 'example.org',
      ...GOOD,
      key: 'rsa1024',
      keySlot: 'pinned',
      notBefore: daysFromNow(-30),
      notAfter: daysFromNow(-1),
    });
    const l = { ...(await certificateInfo(pinned.cert)), trustAnchor: true };
    // Then the leaf's own problems are reported although it is a trust anchor
    const f = facts([l], { trust: { authorized: false, errorCode: 'CERT_HAS_EXPIRED' } });
    assert.deepEqual(ids(f), ['cert.validity.expired', 'cert.key.weak']);
  });

  it('expectedSan proposes dNSName and SRVName for XMPP, dNSName or IP for HTTPS', () => {
    assert.deepEqual(expectedSan('Example.org', 'xmpp-server'), [
      'DNS:example.org',
      'otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.example.org',
    ]);
    assert.deepEqual(expectedSan('cucm.example.org', 'https'), ['DNS:cucm.example.org']);
    assert.deepEqual(expectedSan('10.0.0.5', 'https'), ['IP:10.0.0.5']);
  });

  it('a *.domain wildcard presented for the bare domain gives cert.name.wildcard-bare-domain, naming the wildcard', async () => {
    // Given a certificate for *.example.org only, checked for example.org
    const l = await leaf({ dns: ['*.example.org'] });
    const [f, ...rest] = judge(facts([l, inter, root]), certRules);
    // Then one finding says the wildcard does not cover the bare domain (not only "name missing")
    assert.deepEqual([f?.id, ...rest.map((x) => x.id)], ['cert.name.wildcard-bare-domain']);
    assert.equal(f?.evidence.wildcard, '*.example.org');
    assert.match(f?.title ?? '', /\*\.example\.org, which does not cover example\.org itself/);
    assert.match(f?.fix ?? '', /DNS:example\.org/);
  });

  it('the wildcard finding wins over "matches the SRV target only" when *.domain covers the target', async () => {
    const l = await leaf({ dns: ['*.example.org'] });
    assert.deepEqual(ids(facts([l, inter, root], { connectHost: 'xmpp.example.org' })), [
      'cert.name.wildcard-bare-domain',
    ]);
  });

  it('a wildcard in a CN-only certificate for the bare domain is the wildcard finding too', async () => {
    const l = await leaf({ cn: '*.example.org' });
    assert.deepEqual(ids(facts([l, inter, root])), ['cert.name.wildcard-bare-domain']);
  });

  it('--insecure softens the wildcard finding like any name finding', async () => {
    const l = await leaf({ dns: ['*.example.org'] });
    const [f] = judge(facts([l, inter, root], { insecure: true }), certRules);
    assert.equal(f?.id, 'cert.check.insecure-skipped');
    assert.equal(f?.evidence.skippedId, 'cert.name.wildcard-bare-domain');
  });

  it('a CN-only certificate is one finding: cert.name.cn-only, without a cert.check.ok beside it', async () => {
    const l = await leaf({ cn: 'example.org' });
    assert.deepEqual(ids(facts([l, inter, root])), ['cert.name.cn-only']);
  });

  it('an expired certificate says which peers fail and that dialback peers still federate', async () => {
    const l = await leaf({ ...GOOD, notBefore: daysFromNow(-30), notAfter: daysFromNow(-1) });
    const found = judge(
      facts([l, inter, root], { trust: { authorized: false, errorCode: 'CERT_HAS_EXPIRED' } }),
      certRules,
    );
    assert.deepEqual(
      found.map((x) => x.id),
      ['cert.validity.expired'],
    );
    const symptom = found[0]?.symptom ?? '';
    assert.doesNotMatch(symptom, /every peer/i);
    assert.match(symptom, /SASL EXTERNAL/);
    assert.match(symptom, /s2s_secure_auth/);
    assert.match(
      symptom,
      /dialback \(Prosody and jabberd2 in their default configuration\) still federate with example\.org/,
    );
  });

  it('a wrong-name certificate says which peers reject it and that dialback peers may still federate', async () => {
    const l = await leaf({ dns: ['other.example.net'] });
    for (const over of [{}, { connectHost: 'other.example.net' }]) {
      const found = judge(facts([l, inter, root], over), certRules);
      assert.equal(found.length, 1);
      assert.match(found[0]?.id ?? '', /^cert\.name\.(mismatch|matches-srv-target-only)$/);
      const symptom = found[0]?.symptom ?? '';
      assert.doesNotMatch(symptom, /^Peers reject the (connection|certificate)/);
      assert.match(symptom, /require certificate authentication or use SASL EXTERNAL/);
      assert.match(symptom, /still federate with example\.org over this TLS connection/);
    }
  });
});
