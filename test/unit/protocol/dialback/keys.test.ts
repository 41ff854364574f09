/** Dialback key algorithms against the published test vectors (XEP-0185, XEP-0220, jabberd). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  candidateKeys,
  jabberdKey,
  keysEqual,
  matchKey,
  randomSecret,
  xep0185Key,
} from '../../../../src/protocol/dialback/keys.js';

describe('XEP-0185 key', () => {
  it('reproduces the XEP-0185 example (HMAC keyed by the hex text of SHA-256(secret))', () => {
    // Given the secret and the triple of XEP-0185 §2
    const key = xep0185Key('s3cr3tf0rd14lb4ck', {
      receiving: 'xmpp.example.com',
      originating: 'example.org',
      streamId: 'D60000229F',
    });
    // Then the key is the spec's value
    assert.equal(key, '37c69b1cf07a3f67c04a5ef5902fa5114f2c76fe4a2686482ba5b89323075643');
  });

  it('does not key the HMAC with the raw digest bytes (the classic interop bug)', () => {
    const key = xep0185Key('s3cr3tf0rd14lb4ck', {
      receiving: 'xmpp.example.com',
      originating: 'example.org',
      streamId: 'D60000229F',
    });
    assert.ok(!key.startsWith('4530485c'));
  });

  it('reproduces both XEP-0220 examples', () => {
    assert.equal(
      xep0185Key('s3cr3tf0rd14lb4ck', {
        receiving: 'montague.example',
        originating: 'capulet.example',
        streamId: 'D60000229F',
      }),
      'b4835385f37fe2895af6c196b59097b16862406db80559900d96bf6fa7d23df3',
    );
    assert.equal(
      xep0185Key('d14lb4ck43v3r', {
        receiving: 'capulet.example',
        originating: 'montague.example',
        streamId: '417GAF25',
      }),
      '225cc5aa6a071133249d25fef42ae516fc7a86c523aa1c6980a7f73e784c972d',
    );
  });
});

describe('jabberd SHA-1 chain key', () => {
  it('reproduces the jabberd vector (receiving domain and stream id only)', () => {
    assert.equal(
      jabberdKey('s3cr3tf0rd14lb4ck', { receiving: 'montague.example', streamId: 'D60000229F' }),
      '0040a0be8a26a12b82a73b16d4c7fd0353ed8dbd',
    );
  });

  it('ignores the originating domain, unlike XEP-0185', () => {
    const a = candidateKeys('x', { receiving: 'r.example', originating: 'a.example', streamId: '1' });
    const b = candidateKeys('x', { receiving: 'r.example', originating: 'b.example', streamId: '1' });
    assert.equal(a.jabberd, b.jabberd);
    assert.notEqual(a.xep0185, b.xep0185);
  });
});

describe('key matching', () => {
  const triple = { receiving: 'montague.example', originating: 'capulet.example', streamId: 'D60000229F' };

  it('identifies the algorithm of an observed key, forgiving case and white space', () => {
    assert.equal(
      matchKey(
        ' B4835385F37FE2895AF6C196B59097B16862406DB80559900D96BF6FA7D23DF3\n',
        's3cr3tf0rd14lb4ck',
        triple,
      ),
      'xep0185',
    );
    assert.equal(
      matchKey('0040a0be8a26a12b82a73b16d4c7fd0353ed8dbd', 's3cr3tf0rd14lb4ck', triple),
      'jabberd',
    );
  });

  it("finds no match for the Cisco XCP key of the seed log without Cisco's secret, whatever its length", () => {
    // Given the 40-hex key from the TAC log and a guessed secret
    const m = matchKey('d780f198ac34a6dbd795fcdaf8762eaf52ea9b03', 'not-the-secret', {
      receiving: 'vngtp.lab',
      originating: 'coluc.com',
      streamId: '05E295A2B',
    });
    assert.equal(m, null);
    // And keys of other lengths are compared, never rejected
    assert.equal(keysEqual('abc', 'abcd'), false);
    assert.equal(keysEqual('not hex at all', 'not hex at all'), true);
  });

  it('makes a different 64-hex secret on every call', () => {
    const a = randomSecret();
    assert.match(a, /^[0-9a-f]{64}$/);
    assert.notEqual(a, randomSecret());
  });
});
