/**
 * Fuzz: the DNS message reader (decodeMessage, questionMatches, interpret in
 * src/protocol/dns/client.ts) on random bytes and on mutated well-formed answers. Every input
 * ends in a decoded message or a typed failure; nothing throws; the result is bounded by the
 * input (records no more than answers, the CNAME chain capped).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import {
  decodeMessage,
  interpret,
  MAX_CNAME_CHAIN,
  type QueryType,
  questionMatches,
} from '../../src/protocol/dns/client.js';
import { FUZZ_RUNS, fuzzParams } from './fuzz-settings.js';

const OUTCOMES = new Set(['answer', 'nodata', 'nxdomain', 'servfail', 'refused', 'error-rcode']);
const NAMES = ['a.test', 'b.test', 'x.a.test', '_xmpp-server._tcp.a.test', 'a.test.', 'A.TEST'];
const TYPES: QueryType[] = ['SRV', 'A', 'AAAA'];

/** A label: mostly host-like, sometimes hostile (control characters, dots, long). */
const label = fc.oneof(
  fc.constantFrom('a', 'xmpp', 'test', '_tcp', '_xmpp-server'),
  fc.string({ minLength: 1, maxLength: 63 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 20 }),
);
const hostname = fc.oneof(
  fc.constantFrom(...NAMES),
  fc.array(label, { minLength: 1, maxLength: 5 }).map((l) => l.join('.')),
);

const record = fc.oneof(
  fc.record({
    type: fc.constant('SRV' as const),
    name: hostname,
    ttl: fc.nat(),
    data: fc.record({
      priority: fc.nat(65535),
      weight: fc.nat(65535),
      port: fc.nat(65535),
      target: hostname,
    }),
  }),
  fc.record({ type: fc.constant('A' as const), name: hostname, ttl: fc.nat(), data: fc.ipV4() }),
  fc.record({ type: fc.constant('AAAA' as const), name: hostname, ttl: fc.nat(), data: fc.ipV6() }),
  fc.record({ type: fc.constant('CNAME' as const), name: hostname, ttl: fc.nat(), data: hostname }),
);

/** A well-formed answer, then cut and bit-flipped: the decoder sees every kind of damage. */
const mutatedAnswer = fc
  .record({
    id: fc.nat(65535),
    qname: fc.constantFrom(...NAMES),
    qtype: fc.constantFrom(...TYPES),
    rcode: fc.constantFrom('NOERROR', 'NXDOMAIN', 'SERVFAIL', 'REFUSED', 'NOTIMP'),
    answers: fc.array(record, { maxLength: 40 }),
    cut: fc.option(fc.nat(2000)),
    flips: fc.array(fc.tuple(fc.nat(2000), fc.nat(255)), { maxLength: 6 }),
  })
  .map((m) => {
    let buf: Buffer;
    try {
      buf = dnsPacket.encode({
        type: 'response',
        id: m.id,
        flags: dnsPacket.RECURSION_DESIRED,
        rcode: m.rcode,
        questions: [{ type: m.qtype, name: m.qname }],
        answers: m.answers,
      } as dnsPacket.Packet);
    } catch {
      buf = Buffer.from([m.id >> 8, m.id & 255]); // a label dns-packet refuses to encode
    }
    if (m.cut !== null) buf = buf.subarray(0, m.cut);
    for (const [at, v] of m.flips) if (buf.length > 0) buf[at % buf.length] = v;
    return { buf: Buffer.from(buf), qname: m.qname, qtype: m.qtype };
  });

function readAll(buf: Buffer, name: string, type: QueryType): void {
  const d = decodeMessage(buf);
  if (!d.ok) {
    assert.equal(typeof d.error, 'string');
    return;
  }
  questionMatches(d.msg, name, type);
  const r = interpret(d.msg as dnsPacket.DecodedPacket & { rcode?: string }, name, type);
  assert.ok(OUTCOMES.has(r.outcome), r.outcome);
  assert.ok(r.records.length <= (d.msg.answers ?? []).length);
  assert.ok(r.chain.length <= MAX_CNAME_CHAIN);
  assert.ok(r.facts.length <= (d.msg.answers ?? []).length);
}

describe(`fuzz: DNS message reader (${FUZZ_RUNS} inputs per property)`, () => {
  it('random bytes end in a message or a typed failure', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.constantFrom(...NAMES),
        fc.constantFrom(...TYPES),
        (bytes, n, t) => readAll(Buffer.from(bytes), n, t),
      ),
      fuzzParams(),
    );
  });

  it('cut and bit-flipped answers end in a message or a typed failure', () => {
    fc.assert(
      fc.property(mutatedAnswer, (m) => readAll(m.buf, m.qname, m.qtype)),
      fuzzParams(),
    );
  });

  it('answers with CNAME loops and long chains stop at the cap', () => {
    const chain = fc
      .array(fc.constantFrom(...NAMES.slice(0, 4)), { minLength: 2, maxLength: 30 })
      .map((names) =>
        dnsPacket.encode({
          type: 'response',
          id: 1,
          questions: [{ type: 'A', name: 'a.test' }],
          answers: names.slice(1).map((n, i) => ({ type: 'CNAME', name: names[i] as string, data: n })),
        } as dnsPacket.Packet),
      );
    fc.assert(
      fc.property(chain, (buf) => readAll(buf, 'a.test', 'A')),
      fuzzParams({ numRuns: Math.max(1000, Math.floor(FUZZ_RUNS / 10)) }),
    );
  });
});
