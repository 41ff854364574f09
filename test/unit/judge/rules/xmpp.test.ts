/** Stream and auth rules of probe tls as tables: facts in, exact finding ids out. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FeatureFacts, StepFailure, StreamFacts } from '../../../../src/facts/tls.js';
import { authHits, stepFailureHits, streamHits } from '../../../../src/judge/rules/xmpp.js';

const C = { endpoint: 'xmpp.example.org:5269', domain: 'example.org' };

function feats(p: Partial<FeatureFacts> = {}): FeatureFacts {
  return {
    starttls: { offered: false, required: false },
    dialback: { offered: false, errors: false },
    saslMechanisms: null,
    bidi: false,
    all: [],
    ...p,
  };
}

describe('xmpp rules: failed stream steps', () => {
  const table: [string, StepFailure, boolean, string][] = [
    ['silence', { failure: 'timeout', step: 'stream header', timeoutMs: 500 }, false, 'xmpp.stream.timeout'],
    ['eof', { failure: 'closed', step: 'stream header', closedBy: 'eof' }, false, 'xmpp.stream.closed'],
    [
      'an HTTP answer',
      {
        failure: 'parse-error',
        step: 'stream header',
        parseError: { code: 'not-xmpp-http', message: 'HTTP' },
      },
      false,
      'xmpp.service.not-xmpp',
    ],
    [
      'a DOCTYPE',
      {
        failure: 'parse-error',
        step: 'stream header',
        parseError: { code: 'restricted-xml', message: 'DOCTYPE' },
      },
      false,
      'xmpp.stream.restricted-xml',
    ],
    [
      'an endless element',
      { failure: 'parse-error', step: 'stream features', parseError: { code: 'limit', message: 'too big' } },
      false,
      'xmpp.stream.too-large',
    ],
    [
      'bad XML',
      {
        failure: 'parse-error',
        step: 'stream header',
        parseError: { code: 'not-well-formed', message: 'x' },
      },
      false,
      'xmpp.stream.malformed',
    ],
    [
      'a stanza instead of features',
      { failure: 'unexpected', step: 'stream features', element: '{jabber:server}message' },
      false,
      'xmpp.stream.unexpected-element',
    ],
    [
      'host-unknown',
      {
        failure: 'stream-error',
        step: 'stream features',
        streamError: { condition: 'host-unknown', app: [] },
      },
      false,
      'xmpp.stream.host-unknown',
    ],
    [
      'improper-addressing without from',
      {
        failure: 'stream-error',
        step: 'stream features',
        streamError: { condition: 'improper-addressing', app: [] },
      },
      false,
      'xmpp.stream.from-required',
    ],
    [
      'improper-addressing with from',
      {
        failure: 'stream-error',
        step: 'stream features',
        streamError: { condition: 'improper-addressing', app: [] },
      },
      true,
      'xmpp.stream.improper-addressing',
    ],
    [
      'invalid-from without from',
      {
        failure: 'stream-error',
        step: 'stream features',
        streamError: { condition: 'invalid-from', app: [] },
      },
      false,
      'xmpp.stream.from-required',
    ],
    [
      'an unmapped condition',
      { failure: 'stream-error', step: 'stream features', streamError: { condition: 'bad-format', app: [] } },
      false,
      'xmpp.stream.error-other',
    ],
  ];
  for (const [what, failure, withFrom, id] of table) {
    it(`${what} -> ${id}`, () => {
      const hits = stepFailureHits(failure, withFrom ? { ...C, from: 'probe.example' } : C);
      assert.deepEqual(
        hits.map((h) => h.id),
        [id],
      );
      assert.equal(hits[0]?.evidence.endpoint, C.endpoint);
    });
  }

  it('carries the see-other-host target as evidence', () => {
    const hits = stepFailureHits(
      {
        failure: 'stream-error',
        step: 'stream features',
        streamError: { condition: 'see-other-host', otherHost: 'b.example.org', app: [] },
      },
      C,
    );
    assert.deepEqual(hits, [
      {
        id: 'xmpp.stream.see-other-host',
        evidence: {
          ...C,
          step: 'stream features',
          condition: 'see-other-host',
          text: null,
          otherHost: 'b.example.org',
        },
      },
    ]);
  });
});

describe('xmpp rules: stream version', () => {
  const s = (version?: string): StreamFacts => ({
    sent: { to: 'example.org' },
    header: version ? { dialbackNs: true, version } : { dialbackNs: true },
    features: version?.startsWith('1.') ? feats() : null,
    durationMs: 1,
  });
  it('a header without version is a legacy stream', () => {
    assert.deepEqual(
      streamHits(s(), C).map((h) => h.id),
      ['xmpp.stream.legacy-version'],
    );
  });
  it('version 1.0 is fine', () => {
    assert.deepEqual(streamHits(s('1.0'), C), []);
  });
});

describe('xmpp rules: authentication offered after TLS', () => {
  const table: [string, FeatureFacts, string[]][] = [
    ['nothing', feats({ bidi: true, all: ['{urn:xmpp:features:bidi}bidi'] }), ['xmpp.auth.none']],
    ['an empty mechanism list', feats({ saslMechanisms: [] }), ['xmpp.auth.none']],
    ['EXTERNAL only', feats({ saslMechanisms: ['EXTERNAL'] }), ['xmpp.auth.external-only']],
    [
      'dialback only (Prosody without a client certificate)',
      feats({ dialback: { offered: true, errors: false } }),
      ['xmpp.auth.dialback-offered'],
    ],
    [
      'EXTERNAL and dialback (ejabberd)',
      feats({ saslMechanisms: ['EXTERNAL'], dialback: { offered: true, errors: true } }),
      ['xmpp.auth.dialback-offered', 'xmpp.auth.external-offered'],
    ],
  ];
  for (const [what, f, ids] of table) {
    it(`${what} -> ${ids.join(', ')}`, () => {
      assert.deepEqual(
        authHits(f, C).map((h) => h.id),
        ids,
      );
    });
  }
  it('judges nothing when there are no features (pre-1.0 stream)', () => {
    assert.deepEqual(authHits(null, C), []);
  });
});
