/**
 * The certificate block of the probe tls text report (src/report/tls-text.ts): the chain as
 * sent and the verified path are shown apart, and the validation line agrees with the
 * certificate findings of the same endpoint.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CertCheckFacts, CertificateInfo, SentChain } from '../../../src/facts/cert.js';
import { judge } from '../../../src/judge/judge.js';
import { certRules } from '../../../src/judge/rules/cert.js';
import { certificateInfo } from '../../../src/protocol/tls/certificate.js';
import { certLines } from '../../../src/report/tls-text.js';
import { testPki } from '../../helpers/test-ca.js';

let inter: CertificateInfo;
let root: CertificateInfo;
before(async () => {
  const pki = testPki();
  inter = await certificateInfo(pki.intermediate.cert);
  root = { ...(await certificateInfo(pki.root.cert)), trustAnchor: true };
});

function facts(chain: CertificateInfo[], over: Partial<CertCheckFacts> = {}): CertCheckFacts {
  return {
    referenceName: 'example.org',
    service: 'xmpp-server',
    endpoint: 'xmpp.example.org:5269',
    chain,
    trust: { authorized: true },
    checkedAt: new Date().toISOString(),
    warnDays: 14,
    ...over,
  };
}

const lines = (f: CertCheckFacts) => certLines(f, judge(f, certRules));

describe('tls text: certificate block', () => {
  it('a weak key and a SHA-1 signature on a path OpenSSL accepted do not read "validation: ok"', async () => {
    // Given a leaf with a 1024-bit key signed with SHA-1, on a path that builds to a trusted root
    const leaf = await certificateInfo(
      testPki().leaf({ cn: 'example.org', dns: ['example.org'], key: 'rsa1024', hash: 'sha1' }).cert,
    );
    const f = facts([leaf, inter, root]);
    assert.deepEqual(
      judge(f, certRules).map((x) => x.id),
      ['cert.key.weak', 'cert.signature.sha1'],
    );
    // Then the text says the validation failed, naming the findings
    const out = lines(f);
    assert.ok(!out.includes('validation: ok'), out.join('\n'));
    assert.ok(
      out.includes(
        'validation: failed: cert.key.weak, cert.signature.sha1 (the path builds to a trusted root)',
      ),
      out.join('\n'),
    );
  });

  it('a healthy certificate reads ok; warnings are named', async () => {
    const good = await certificateInfo(testPki().leaf({ dns: ['example.org'] }).cert);
    assert.equal(lines(facts([good, inter, root])).at(-1), 'validation: ok');
    const cnOnly = await certificateInfo(testPki().leaf({ cn: 'example.org' }).cert);
    assert.equal(
      lines(facts([cnOnly, inter, root])).at(-1),
      'validation: ok, with warnings: cert.name.cn-only',
    );
  });

  it('shows the chain as sent (wire order, with extras) apart from the verified path', async () => {
    const leaf = await certificateInfo(testPki().leaf({ cn: 'example.org', dns: ['example.org'] }).cert);
    const sent: SentChain = {
      captured: true,
      tlsVersion: 'TLSv1.3',
      certificates: [leaf, root, inter].map((c, position) => ({
        position,
        subject: c.subject,
        issuer: c.issuer,
        fingerprint256: c.fingerprint256,
        notAfter: c.notAfter,
        keyType: c.keyType,
        selfSigned: c.selfSigned,
        isCA: c.isCA,
        issuedBy: position === 0 ? [2] : position === 2 ? [1] : [],
      })),
    };
    const out = lines(facts([leaf, inter, root], { sent }));
    const at = (prefix: string) => out.findIndex((l) => l.startsWith(prefix));
    assert.equal(out[at('chain as sent')], 'chain as sent (3, TLSv1.3 Certificate message):');
    assert.match(out[at('chain as sent') + 2] ?? '', /^ {2}1\. .*CN=xfed Test Root CA \(issuer/);
    assert.equal(out[at('verified path')], 'verified path (3):');
    assert.match(out[at('verified path') + 3] ?? '', /^ {2}2\. .*Root CA.*\[local trust anchor\]$/);
    assert.equal(out.at(-1), 'validation: ok, with warnings: cert.chain.misordered');
  });

  it('says when the chain as sent could not be read, and escapes certificate text', async () => {
    const leaf = await certificateInfo(testPki().leaf({ dns: ['example.org'] }).cert);
    const hostile = { ...leaf, subject: 'CN=evil\x1b]0;PASS\x07' };
    const out = lines(
      facts([hostile, inter, root], {
        sent: { captured: false, reason: 'too-large', detail: 'more than 262144 bytes' },
      }),
    );
    assert.equal(out[0], 'chain as sent: not read (too-large: more than 262144 bytes)');
    assert.match(out[2] ?? '', /CN=evil\\x1b\]0;PASS\\x07/);
  });
});
