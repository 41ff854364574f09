/** probe tls rules as tables: attempt facts in, exact finding ids out (TCP, STARTTLS, handshake, failover). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AttemptFacts, FeatureFacts, HandshakeFacts, TlsProbeFacts } from '../../../../src/facts/tls.js';
import { judge } from '../../../../src/judge/judge.js';
import { attemptHits, tlsProbeRules } from '../../../../src/judge/rules/tls.js';

const DOMAIN = 'example.org';

function feats(starttls: { offered: boolean; required: boolean }): FeatureFacts {
  return {
    starttls,
    dialback: { offered: true, errors: false },
    saslMechanisms: null,
    bidi: false,
    all: ['{urn:xmpp:features:dialback}dialback'],
  };
}

function attempt(p: Partial<AttemptFacts> = {}): AttemptFacts {
  return {
    host: 'xmpp.example.org',
    ip: '192.0.2.10',
    port: 5269,
    endpoint: 'xmpp.example.org:5269',
    directTls: false,
    source: 'xmpp-server',
    connect: { ok: true, durationMs: 1 },
    tlsEstablished: false,
    ...p,
  };
}

function facts(attempts: AttemptFacts[]): TlsProbeFacts {
  return {
    target: DOMAIN,
    kind: 'domain',
    domain: DOMAIN,
    resolution: {
      method: 'srv',
      targets: attempts.map((a) => ({
        host: a.host,
        ip: a.ip,
        port: a.port,
        directTls: a.directTls,
        source: a.source,
      })),
    },
    attempts,
    allTargets: false,
    timeoutMs: 1000,
    checkedAt: '2026-11-26T10:00:00.000Z',
  };
}

const stream = (f: FeatureFacts) => ({
  sent: { to: DOMAIN },
  header: { dialbackNs: true, version: '1.0', from: DOMAIN },
  features: f,
  durationMs: 1,
});
const tlsOk = (protocol = 'TLSv1.3'): HandshakeFacts => ({
  ok: true,
  sni: DOMAIN,
  protocol,
  cipher: 'X',
  durationMs: 1,
});
const secure = {
  sent: { to: DOMAIN },
  header: { dialbackNs: true, version: '1.0' },
  features: feats({ offered: false, required: false }),
  durationMs: 1,
};

describe('tls rules: one attempt', () => {
  const table: [string, AttemptFacts, string[]][] = [
    [
      'refused',
      attempt({ connect: { ok: false, reason: 'refused', code: 'ECONNREFUSED', durationMs: 1 } }),
      ['tcp.connect.refused'],
    ],
    [
      'timeout',
      attempt({ connect: { ok: false, reason: 'timeout', durationMs: 1000 } }),
      ['tcp.connect.timeout'],
    ],
    [
      'unreachable',
      attempt({ connect: { ok: false, reason: 'unreachable', code: 'EHOSTUNREACH', durationMs: 1 } }),
      ['tcp.connect.unreachable'],
    ],
    [
      'another errno',
      attempt({ connect: { ok: false, reason: 'other', code: 'EACCES', durationMs: 1 } }),
      ['tcp.connect.failed'],
    ],
    [
      'no STARTTLS',
      attempt({ stream: stream(feats({ offered: false, required: false })) }),
      ['tls.starttls.not-offered'],
    ],
    [
      'STARTTLS <failure/>',
      attempt({
        stream: stream(feats({ offered: true, required: true })),
        starttls: { answer: 'failure', durationMs: 1 },
      }),
      ['tls.starttls.failure'],
    ],
    [
      'handshake alert',
      attempt({
        stream: stream(feats({ offered: true, required: true })),
        starttls: { answer: 'proceed', durationMs: 1 },
        tls: { ok: false, sni: DOMAIN, reason: 'tls-alert', alert: 'protocol version', durationMs: 1 },
      }),
      ['tls.handshake.failed'],
    ],
    [
      'handshake stall',
      attempt({
        stream: stream(feats({ offered: true, required: true })),
        starttls: { answer: 'proceed', durationMs: 1 },
        tls: { ok: false, sni: DOMAIN, reason: 'timeout', durationMs: 1000 },
      }),
      ['tls.handshake.timeout'],
    ],
    [
      'TLS required and established',
      attempt({
        stream: stream(feats({ offered: true, required: true })),
        starttls: { answer: 'proceed', durationMs: 1 },
        tls: tlsOk(),
        tlsEstablished: true,
      }),
      ['tls.starttls.required'],
    ],
    [
      'TLS optional and TLS 1.0',
      attempt({
        stream: stream(feats({ offered: true, required: false })),
        starttls: { answer: 'proceed', durationMs: 1 },
        tls: tlsOk('TLSv1'),
        tlsEstablished: true,
      }),
      ['tls.starttls.optional', 'tls.protocol.old'],
    ],
    [
      'direct TLS ok',
      attempt({ directTls: true, tls: { ...tlsOk(), alpn: 'xmpp-server' }, tlsEstablished: true }),
      ['tls.direct.ok'],
    ],
    [
      'direct TLS to a plain-text port',
      attempt({
        directTls: true,
        tls: {
          ok: false,
          sni: DOMAIN,
          reason: 'tls-error',
          code: 'ERR_SSL_WRONG_VERSION_NUMBER',
          message: 'wrong version number',
          durationMs: 1,
        },
      }),
      ['tls.direct.plaintext'],
    ],
    [
      'STARTTLS plain stream closed, but TLS-first works',
      attempt({
        stream: {
          sent: { to: DOMAIN },
          failed: { failure: 'closed', step: 'stream header', closedBy: 'eof' },
          durationMs: 1,
        },
        tlsFirst: tlsOk(),
      }),
      ['xmpp.service.not-xmpp'],
    ],
  ];
  for (const [what, a, ids] of table) {
    it(`${what} -> ${ids.join(', ')}`, () => {
      assert.deepEqual(
        attemptHits(a, facts([a])).map((h) => h.id),
        ids,
      );
    });
  }

  it('judges the post-TLS auth offers of an established attempt', () => {
    const a = attempt({
      stream: stream(feats({ offered: true, required: true })),
      starttls: { answer: 'proceed', durationMs: 1 },
      tls: tlsOk(),
      tlsEstablished: true,
      secureStream: secure,
    });
    assert.deepEqual(
      attemptHits(a, facts([a])).map((h) => h.id),
      ['tls.starttls.required', 'xmpp.auth.dialback-offered'],
    );
  });
});

describe('tls rules: several attempts', () => {
  const dead = attempt({
    host: 'a.example.org',
    endpoint: 'a.example.org:5269',
    connect: { ok: false, reason: 'refused', durationMs: 1 },
  });
  const good = attempt({
    host: 'b.example.org',
    endpoint: 'b.example.org:5269',
    stream: stream(feats({ offered: true, required: true })),
    starttls: { answer: 'proceed', durationMs: 1 },
    tls: tlsOk(),
    tlsEstablished: true,
    secureStream: secure,
  });

  it('turns the problems of a dead target into one failover warning when a later target works', () => {
    const findings = judge(facts([dead, good]), tlsProbeRules);
    assert.deepEqual(
      findings.map((f) => f.id),
      ['xmpp.target.failover', 'tls.starttls.required', 'xmpp.auth.dialback-offered'],
    );
    assert.equal(findings[0]?.evidence.problemId, 'tcp.connect.refused');
    assert.equal(findings[0]?.evidence.problem, 'Nothing listens on a.example.org:5269 (connection refused)');
  });

  it('keeps every failure an error when no target works', () => {
    assert.deepEqual(
      judge(facts([dead, { ...dead, endpoint: 'c.example.org:5269' }]), tlsProbeRules).map((f) => f.id),
      ['tcp.connect.refused', 'tcp.connect.refused', 'xmpp.target.none-usable'],
    );
  });

  it('reports a host target without addresses', () => {
    const f = facts([]);
    f.kind = 'host';
    f.resolution = {
      method: 'host',
      host: 'xmpp.example.org',
      addresses: [],
      error: { reason: 'nxdomain', message: 'no A' },
      targets: [],
    };
    assert.deepEqual(
      judge(f, tlsProbeRules).map((x) => x.id),
      ['xmpp.target.no-address'],
    );
  });
});
