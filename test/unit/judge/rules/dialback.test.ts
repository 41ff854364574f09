/** Dialback rules as tables: facts in, exact finding ids out (no network). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  DialbackAnswerFacts,
  DialbackFacts,
  InboundSessionFacts,
  OutboundFacts,
} from '../../../../src/facts/dialback.js';
import { computeDialbackKey } from '../../../../src/gather/dialback.js';
import { judge } from '../../../../src/judge/judge.js';
import { dialbackKeyRules, dialbackRules } from '../../../../src/judge/rules/dialback.js';

const ids = (fs: { id: string }[]) => fs.map((f) => f.id);

describe('dialback key rules', () => {
  const xep = { receiving: 'montague.example', originating: 'capulet.example', streamId: 'D60000229F' };
  const cases: [string, Parameters<typeof computeDialbackKey>[0], string[]][] = [
    ['without --key: the computed keys', { ...xep, secret: 's3cr3tf0rd14lb4ck' }, ['dialback.key.computed']],
    [
      'an XEP-0185 key',
      {
        ...xep,
        secret: 's3cr3tf0rd14lb4ck',
        observed: 'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3',
      },
      ['dialback.key.match-xep0185'],
    ],
    [
      'a jabberd chain key',
      { ...xep, secret: 's3cr3tf0rd14lb4ck', observed: '0040a0be8a26a12b82a73b16d4c7fd0353ed8dbd' },
      ['dialback.key.match-jabberd'],
    ],
    [
      "the seed's Cisco XCP key with a guessed secret",
      {
        receiving: 'vngtp.lab',
        originating: 'coluc.com',
        streamId: '05E295A2B',
        secret: 'guess',
        observed: 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03',
      },
      ['dialback.key.no-match'],
    ],
    [
      'a 7-character key (length is never a verdict)',
      { ...xep, secret: 'x', observed: 'abc1234' },
      ['dialback.key.no-match'],
    ],
  ];
  for (const [name, input, want] of cases) {
    it(`judges ${name}`, () => {
      const facts = computeDialbackKey(input);
      assert.deepEqual(ids(judge(facts, dialbackKeyRules)), want);
      // The secret itself is never part of the facts
      assert.ok(!JSON.stringify(facts).includes(`"${input.secret}"`));
    });
  }

  it('states the observed length in the no-match text without calling the key malformed', () => {
    const [f] = judge(
      computeDialbackKey({
        receiving: 'vngtp.lab',
        originating: 'coluc.com',
        streamId: '05E295A2B',
        secret: 'guess',
        observed: 'd780f198ac34a6dbd795fcdaf8762eaf52ea9b03',
      }),
      dialbackKeyRules,
    );
    assert.match(f?.cause ?? '', /40 characters/);
    assert.match(f?.cause ?? '', /length proves nothing/);
  });
});

const ready: OutboundFacts = {
  purpose: 'originating',
  domain: 'peer.test',
  resolution: {
    method: 'srv',
    targets: [
      { host: 'xmpp.peer.test', ip: '127.0.0.1', port: 5269, directTls: false, source: 'xmpp-server' },
    ],
  },
  attempts: [
    {
      host: 'xmpp.peer.test',
      ip: '127.0.0.1',
      port: 5269,
      endpoint: 'xmpp.peer.test:5269',
      directTls: false,
      source: 'xmpp-server',
      connect: { ok: true, durationMs: 1 },
      tlsEstablished: false,
    },
  ],
  streamId: 'abc',
  dialbackOffered: true,
  ready: true,
  startedAtMs: 0,
  durationMs: 2,
};

function facts(result: Partial<DialbackAnswerFacts>, sessions: InboundSessionFacts[] = []): DialbackFacts {
  return {
    peer: 'peer.test',
    our: 'our.test',
    listener: { host: '0.0.0.0', port: 5269, ok: true, tls: true, refusedConnections: 0 },
    originating: ready,
    resultSent: { streamId: 'abc', atMs: 10 },
    result: { outcome: 'timeout', ignored: 0, atMs: 100, durationMs: 90, ...result },
    sessions,
    steps: [],
    timeoutMs: 1000,
    resultTimeoutMs: 3000,
    checkedAt: '2026-11-26T10:00:00.000Z',
  };
}

function session(p: Partial<InboundSessionFacts>): InboundSessionFacts {
  return {
    index: 1,
    remote: '127.0.0.1:4000',
    acceptedAtMs: 20,
    streams: [],
    verifies: [],
    results: [],
    stanzas: [],
    ignored: [],
    ...p,
  };
}

const verify = (keyMatches: boolean) => ({
  from: 'peer.test',
  to: 'our.test',
  id: 'abc',
  keyMatches,
  keyLength: 64,
  idIsOurStream: true,
  answer: keyMatches ? ('valid' as const) : ('invalid' as const),
  atMs: 30,
});

describe('dialback rules: which step to blame', () => {
  const dialbackIds = (f: DialbackFacts) =>
    ids(judge(f, dialbackRules)).filter((i) => i.startsWith('dialback.'));

  it('blames the callback when nothing reached the listener before the deadline, with a fix for both sides', () => {
    assert.deepEqual(dialbackIds(facts({ outcome: 'timeout' })), ['dialback.callback.timeout']);
    const fix = judge(facts({ outcome: 'timeout' }), dialbackRules).find(
      (x) => x.id === 'dialback.callback.timeout',
    )?.fix;
    // Our side: DNS as seen from outside, port inbound
    assert.match(fix ?? '', /as seen from the Internet/);
    // The peer's side: its resolver (jabberd2's log line) and its outbound firewall
    assert.match(fix ?? '', /dns lookup for our\.test failed/);
    assert.match(fix ?? '', /outbound firewall/);
  });

  it('blames the result when the callback was answered valid', () => {
    assert.deepEqual(dialbackIds(facts({ outcome: 'timeout' }, [session({ verifies: [verify(true)] })])), [
      'dialback.result.timeout',
    ]);
  });

  it('prefers a key mismatch over a TLS failure on another callback connection', () => {
    const f = facts({ outcome: 'invalid' }, [
      session({ tls: { ok: false, reason: 'tls-alert', alert: 'unknown ca', atMs: 20, durationMs: 1 } }),
      session({ index: 2, verifies: [verify(false)] }),
    ]);
    assert.deepEqual(dialbackIds(f), ['dialback.result.invalid', 'dialback.callback.key-mismatch']);
  });

  it('names a TLS failure of the callback when no db:verify arrived', () => {
    const f = facts({ outcome: 'error', condition: 'remote-server-timeout' }, [
      session({
        tls: {
          ok: false,
          reason: 'tls-alert',
          alert: 'unknown ca',
          message: 'alert',
          atMs: 20,
          durationMs: 1,
        },
      }),
    ]);
    assert.deepEqual(dialbackIds(f), [
      'dialback.result.remote-server-timeout',
      'dialback.callback.tls-failed',
    ]);
  });

  it('prefers closed-after-tls over no-verify when the only callback went silent after TLS', () => {
    // Given one callback that completed TLS and then sent nothing until the listener closed it
    const f = facts({ outcome: 'timeout' }, [
      session({
        streams: [{ idSent: 'a', encrypted: false, atMs: 20 }],
        tls: { ok: true, atMs: 21, durationMs: 1 },
        closedAfterTls: true,
        end: { how: 'idle', atMs: 2021 },
      }),
    ]);
    f.listener.closedAfterTls = 1;
    // Then the finding says what the callback did, with the count
    const ids = dialbackIds(f);
    assert.ok(ids.includes('dialback.callback.closed-after-tls'), ids.join());
    assert.ok(!ids.includes('dialback.callback.no-verify'), ids.join());
  });

  it('with --request-client-cert, names a single callback that restarted the stream and dropped closed-after-tls', () => {
    // Given jabberd2 asked for a client certificate: one callback, TLS, restarted header, EOF, no retry
    const f = facts({ outcome: 'timeout' }, [
      session({
        streams: [
          { idSent: 'a', encrypted: false, atMs: 20 },
          { idSent: 'b', encrypted: true, atMs: 40 },
        ],
        tls: { ok: true, atMs: 21, durationMs: 11 },
        closedAfterTls: true,
        end: { how: 'eof', atMs: 42 },
      }),
    ]);
    f.listener.closedAfterTls = 1;
    assert.ok(dialbackIds(f).includes('dialback.callback.no-verify'), 'without the request: no-verify');
    f.listener.requestClientCert = true;
    const ids = dialbackIds(f);
    assert.ok(ids.includes('dialback.callback.closed-after-tls'), ids.join());
    assert.ok(!ids.includes('dialback.callback.no-verify'), ids.join());
  });

  it('ignores a refused db:result for a domain xfed does not serve when looking for a reverse failure', () => {
    const f = facts({ outcome: 'timeout' }, [
      session({
        results: [
          {
            from: 'peer.test',
            to: 'elsewhere.test',
            streamId: 's',
            keyLength: 3,
            atMs: 20,
            answer: 'error',
            condition: 'item-not-found',
          },
        ],
      }),
    ]);
    assert.deepEqual(dialbackIds(f), ['dialback.callback.no-verify']);
  });

  it('treats any ping reply except remote-server errors as proof of the route', () => {
    const base = facts({ outcome: 'valid' });
    const ping = (outcome: 'result' | 'error' | 'timeout', condition?: string) => ({
      ...base,
      ping: {
        id: 'p',
        sentAtMs: 100,
        outcome,
        ...(condition ? { condition } : {}),
        atMs: 120,
        durationMs: 20,
      },
    });
    assert.deepEqual(dialbackIds(ping('error', 'feature-not-implemented')), [
      'dialback.result.valid',
      'dialback.ping.ok',
    ]);
    assert.deepEqual(dialbackIds(ping('error', 'remote-server-timeout')), [
      'dialback.ping.error',
      'dialback.result.valid',
    ]);
    assert.deepEqual(dialbackIds(ping('timeout')), ['dialback.ping.no-reply', 'dialback.result.valid']);
  });

  it('accepts any identity that names our domain in the certificate we present, and warns otherwise', () => {
    const noSan = { dns: [], srv: [], xmppAddr: [], uri: [], ip: [] };
    const cases: [string, Partial<NonNullable<DialbackFacts['ourCert']>>, boolean][] = [
      ['a DNS-ID', { san: { ...noSan, dns: ['our.test'] } }, true],
      [
        'a wildcard for the names under it (not the domain itself)',
        { san: { ...noSan, dns: ['*.our.test'] } },
        false,
      ],
      ['an SRV-ID only', { san: { ...noSan, srv: ['_xmpp-server.our.test'] } }, true],
      ['an XmppAddr only', { san: { ...noSan, xmppAddr: ['our.test'] } }, true],
      ['the CN, without any SAN', { commonNames: ['our.test'] }, true],
      [
        'the CN, beside a SAN for another name',
        { san: { ...noSan, dns: ['xmpp.our.test'] }, commonNames: ['our.test'] },
        false,
      ],
      ['the SRV host only', { san: { ...noSan, dns: ['xmpp.our.test'] } }, false],
      ['an SRV-ID for another service', { san: { ...noSan, srv: ['_xmpp-client.our.test'] } }, false],
    ];
    for (const [what, cert, names] of cases) {
      const f = facts({ outcome: 'valid' });
      f.ourCert = { subject: 'CN=x', san: noSan, commonNames: [], ...cert };
      const got = dialbackIds(f).includes('dialback.our-cert.name-mismatch');
      assert.equal(got, !names, what);
    }
    // And the wildcard case names our domain when it is one label under it
    const w = facts({ outcome: 'valid' });
    w.our = 'chat.example.net';
    w.ourCert = { subject: 'CN=*.example.net', san: { ...noSan, dns: ['*.example.net'] }, commonNames: [] };
    assert.ok(!dialbackIds(w).includes('dialback.our-cert.name-mismatch'));
  });

  it('says nothing about dialback when the stream never became ready (the probe tls rules speak)', () => {
    const f = facts({ outcome: 'valid' });
    f.originating = { ...ready, ready: false };
    assert.deepEqual(dialbackIds(f), []);
  });
});

describe('dialback rules: domains and third parties', () => {
  const dialbackIds = (f: DialbackFacts) =>
    ids(judge(f, dialbackRules)).filter((i) => i.startsWith('dialback.'));

  it('compares domains with sameDomain: a trailing dot on `to` is still our domain (a key mismatch, not "never asked")', () => {
    const f = facts({ outcome: 'invalid' }, [session({ verifies: [{ ...verify(false), to: 'OUR.test.' }] })]);
    assert.deepEqual(dialbackIds(f), ['dialback.result.invalid', 'dialback.callback.key-mismatch']);
  });

  it("keeps third-party db:verify requests out of the peer's verdict and lists them as evidence", () => {
    // A forged request from someone else, answered invalid, beside the peer's valid callback
    const forged = { ...verify(false), from: 'mallory.test', idIsOurStream: false };
    const f = facts({ outcome: 'valid' }, [
      session({ verifies: [verify(true)] }),
      session({ index: 2, remote: '192.0.2.66:5000', thirdParty: [forged] }),
    ]);
    const found = judge(f, dialbackRules);
    assert.deepEqual(
      ids(found).filter((i) => i.startsWith('dialback.')),
      ['dialback.result.valid'],
    );
    assert.deepEqual(found.find((x) => x.id === 'dialback.result.valid')?.evidence.thirdParty, [
      '192.0.2.66:5000: db:verify from mallory.test to our.test, answered invalid',
    ]);
  });
});
