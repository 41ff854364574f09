/** RFC 2782 target ordering: priority groups, weighted selection with an injected random source, the report order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expectedOrder, isRootTarget, rfc2782Order } from '../../../../src/protocol/dns/srv-order.js';

const rec = (name: string, priority: number, weight: number) => ({ name, priority, weight });
const names = (rs: { name: string }[]) => rs.map((r) => r.name);

/** Deterministic PRNG (mulberry32) so the distribution test cannot flake. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('RFC 2782 ordering', () => {
  it('tries lower priority values first, whatever the weights', () => {
    const rs = [rec('c', 20, 100), rec('a', 5, 0), rec('b', 10, 50)];
    assert.deepEqual(names(rfc2782Order(rs, () => 0.5)), ['a', 'b', 'c']);
  });

  it('picks within a priority by running weight sum: a random number of 0 takes the weight-0 record first', () => {
    const rs = [rec('heavy', 1, 90), rec('zero', 1, 0), rec('light', 1, 10)];
    assert.deepEqual(names(rfc2782Order(rs, () => 0)), ['zero', 'heavy', 'light']);
  });

  it('a random number near 1 takes the last record of the running sum', () => {
    const rs = [rec('heavy', 1, 90), rec('light', 1, 10)];
    assert.deepEqual(names(rfc2782Order(rs, () => 0.999)), ['light', 'heavy']);
  });

  it('chooses the first record in proportion to its weight', () => {
    const rs = [rec('eighty', 1, 80), rec('twenty', 1, 20)];
    const rnd = seeded(2782);
    let first = 0;
    const runs = 5000;
    for (let i = 0; i < runs; i++) if (rfc2782Order(rs, rnd)[0]?.name === 'eighty') first++;
    const share = first / runs;
    assert.ok(share > 0.76 && share < 0.84, `eighty first in ${share} of runs`);
  });

  it('rarely picks weight-0 records before weighted ones', () => {
    const rs = [rec('zero', 1, 0), rec('w', 1, 100)];
    const rnd = seeded(7);
    let zeroFirst = 0;
    for (let i = 0; i < 2000; i++) if (rfc2782Order(rs, rnd)[0]?.name === 'zero') zeroFirst++;
    assert.ok(zeroFirst < 60, `zero first ${zeroFirst} times`);
  });

  it('keeps every record exactly once', () => {
    const rs = [rec('a', 1, 1), rec('b', 1, 0), rec('c', 2, 3), rec('d', 1, 5)];
    const out = rfc2782Order(rs, seeded(1));
    assert.deepEqual(names(out).sort(), ['a', 'b', 'c', 'd']);
  });

  it('expected order: priority ascending, weight descending, input order on ties', () => {
    const rs = [rec('p10w1', 10, 1), rec('p5w0', 5, 0), rec('p10w9', 10, 9), rec('p10w1b', 10, 1)];
    assert.deepEqual(names(expectedOrder(rs)), ['p5w0', 'p10w9', 'p10w1', 'p10w1b']);
  });

  it('recognises the root target in both spellings', () => {
    assert.equal(isRootTarget('.'), true);
    assert.equal(isRootTarget(''), true);
    assert.equal(isRootTarget('xmpp.example.org'), false);
  });
});
