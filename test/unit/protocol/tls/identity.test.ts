/** Unit tests for RFC 6125 / XEP-0178 identity matching (src/protocol/tls/identity.ts). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { CertificateInfo } from '../../../../src/facts/cert.js';
import {
  canonicalIp,
  dnsNameMatches,
  matchIdentity,
  presentedNames,
  toALabel,
} from '../../../../src/protocol/tls/identity.js';

type Ids = Pick<CertificateInfo, 'san' | 'commonNames'>;

function ids(p: Partial<CertificateInfo['san']> & { cn?: string[] } = {}): Ids {
  return {
    san: { dns: p.dns ?? [], srv: p.srv ?? [], xmppAddr: p.xmppAddr ?? [], uri: p.uri ?? [], ip: p.ip ?? [] },
    commonNames: p.cn ?? [],
  };
}

describe('dnsNameMatches (wildcards per XEP-0178 §3)', () => {
  const table: [string, string, boolean][] = [
    ['example.org', 'example.org', true],
    ['EXAMPLE.org.', 'example.ORG', true],
    ['*.example.org', 'chat.example.org', true],
    ['*.example.org', 'example.org', false],
    ['*.example.org', 'a.b.example.org', false],
    ['f*.example.org', 'foo.example.org', false],
    ['*oo.example.org', 'foo.example.org', false],
    ['chat.*.org', 'chat.example.org', false],
    ['*.org', 'example.org', false],
    ['*.*.example.org', 'a.b.example.org', false],
    ['xn--bcher-kva.example', 'bücher.example', true],
    ['*.xn--bcher-kva.example', 'chat.bücher.example', true],
  ];
  for (const [presented, ref, expected] of table) {
    it(`${presented} ${expected ? 'matches' : 'does not match'} ${ref}`, () => {
      assert.equal(dnsNameMatches(presented, ref).matched, expected);
    });
  }
});

describe('matchIdentity for xmpp-server', () => {
  it('reports a DNS-ID match and prefers an exact name over a wildcard', () => {
    // Given a certificate with both a wildcard and the exact domain
    const cert = ids({ dns: ['*.example.org', 'example.org'] });
    // When it is matched against the domain
    const m = matchIdentity('example.org', cert, 'xmpp-server');
    // Then the exact DNS-ID is reported
    assert.deepEqual(m, { matched: true, via: 'dns-id', value: 'example.org', wildcard: false });
  });

  it('reports a wildcard DNS-ID match for a subdomain', () => {
    assert.deepEqual(matchIdentity('chat.example.org', ids({ dns: ['*.example.org'] }), 'xmpp-server'), {
      matched: true,
      via: 'dns-id',
      value: '*.example.org',
      wildcard: true,
    });
  });

  it('matches an SRV-ID only with the _xmpp-server service label', () => {
    const good = ids({ srv: ['_xmpp-server.example.org'] });
    assert.deepEqual(matchIdentity('example.org', good, 'xmpp-server'), {
      matched: true,
      via: 'srv-id',
      value: '_xmpp-server.example.org',
      wildcard: false,
    });
    assert.equal(
      matchIdentity('example.org', ids({ srv: ['_xmpp-client.example.org'] }), 'xmpp-server').matched,
      false,
    );
    assert.equal(
      matchIdentity('example.org', ids({ srv: ['_xmpp-server.*.org'] }), 'xmpp-server').matched,
      false,
    );
  });

  it('matches a bare-domain XmppAddr but ignores JIDs and wildcards', () => {
    assert.equal(
      matchIdentity('example.org', ids({ xmppAddr: ['example.org'] }), 'xmpp-server').via,
      'xmppaddr',
    );
    assert.equal(
      matchIdentity('example.org', ids({ xmppAddr: ['admin@example.org'] }), 'xmpp-server').matched,
      false,
    );
    assert.equal(
      matchIdentity('example.org', ids({ xmppAddr: ['example.org/res'] }), 'xmpp-server').matched,
      false,
    );
    assert.equal(
      matchIdentity('chat.example.org', ids({ xmppAddr: ['*.example.org'] }), 'xmpp-server').matched,
      false,
    );
  });

  it('uses the CN only when there is no DNS, SRV, XmppAddr or URI SAN', () => {
    assert.equal(matchIdentity('example.org', ids({ cn: ['example.org'] }), 'xmpp-server').via, 'cn');
    // A SAN of any identity type disables the CN fallback (RFC 6125 §6.4.4).
    assert.equal(
      matchIdentity('example.org', ids({ cn: ['example.org'], dns: ['other.org'] }), 'xmpp-server').matched,
      false,
    );
    assert.equal(
      matchIdentity('example.org', ids({ cn: ['example.org'], xmppAddr: ['other.org'] }), 'xmpp-server')
        .matched,
      false,
    );
    assert.equal(
      matchIdentity('example.org', ids({ cn: ['example.org'], uri: ['xmpp:x.org'] }), 'xmpp-server').matched,
      false,
    );
  });

  it('compares internationalised domains on A-labels', () => {
    assert.equal(
      matchIdentity('Bücher.example', ids({ dns: ['xn--bcher-kva.example'] }), 'xmpp-server').matched,
      true,
    );
    assert.equal(
      matchIdentity('xn--bcher-kva.example', ids({ xmppAddr: ['bücher.example'] }), 'xmpp-server').matched,
      true,
    );
  });
});

describe('matchIdentity for https', () => {
  it('ignores SRV-ID and XmppAddr', () => {
    const cert = ids({ srv: ['_xmpp-server.cucm.example.org'], xmppAddr: ['cucm.example.org'] });
    assert.equal(matchIdentity('cucm.example.org', cert, 'https').matched, false);
  });

  it('matches IP references only against iPAddress SANs', () => {
    assert.deepEqual(matchIdentity('127.0.0.1', ids({ ip: ['127.0.0.1'] }), 'https'), {
      matched: true,
      via: 'ip',
      value: '127.0.0.1',
      wildcard: false,
    });
    assert.equal(matchIdentity('::1', ids({ ip: ['0:0:0:0:0:0:0:1'] }), 'https').via, 'ip');
    assert.equal(matchIdentity('127.0.0.1', ids({ dns: ['127.0.0.1'] }), 'https').matched, false);
  });

  it('falls back to the CN when there is no DNS or IP SAN', () => {
    assert.equal(matchIdentity('cucm.example.org', ids({ cn: ['cucm.example.org'] }), 'https').via, 'cn');
    // SRVName does not count as an identity SAN for https, so the CN fallback still applies.
    assert.equal(
      matchIdentity(
        'cucm.example.org',
        ids({ cn: ['cucm.example.org'], srv: ['_xmpp-server.x.org'] }),
        'https',
      ).via,
      'cn',
    );
  });
});

describe('helpers', () => {
  it('canonicalIp normalises addresses and rejects names', () => {
    assert.equal(canonicalIp('0:0:0:0:0:0:0:1'), '::1');
    assert.equal(canonicalIp('[2001:DB8::1]'), '2001:db8::1');
    assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
    assert.equal(canonicalIp('256.0.0.1'), '');
    assert.equal(canonicalIp('example.org'), '');
  });

  it('toALabel lower-cases, drops the root dot and keeps a wildcard label', () => {
    assert.equal(toALabel('Example.ORG.'), 'example.org');
    assert.equal(toALabel('*.Bücher.example'), '*.xn--bcher-kva.example');
  });

  it('presentedNames labels each identifier and lists the CN only when it counts', () => {
    assert.deepEqual(
      presentedNames(ids({ dns: ['a.org'], srv: ['_xmpp-server.a.org'], cn: ['a.org'] }), 'xmpp-server'),
      ['DNS:a.org', 'SRV:_xmpp-server.a.org'],
    );
    assert.deepEqual(presentedNames(ids({ cn: ['a.org'] }), 'xmpp-server'), ['CN:a.org']);
  });
});
