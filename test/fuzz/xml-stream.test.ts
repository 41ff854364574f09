/**
 * Fuzz: the bounded XMPP stream parser (src/protocol/xmpp/xml.ts) fed random bytes and
 * streams assembled from XML fragments (tags, attributes, entities, CDATA, DOCTYPE, PIs,
 * invalid UTF-8, deep nesting), split into random chunks. Nothing throws out of write(); the
 * events are a header first, then elements, ending in at most one close or one typed error;
 * what an element holds is bounded by the stanza limit.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  type XmlElement,
  type XmlErrorCode,
  type XmlEvent,
  XmlStreamParser,
} from '../../src/protocol/xmpp/xml.js';
import { FUZZ_RUNS, fuzzParams } from './fuzz-settings.js';

// A Record, so the type checker names any error code added to the parser and missing here.
const CODE_LIST: Record<XmlErrorCode, true> = {
  'not-well-formed': true,
  'restricted-xml': true,
  limit: true,
  'not-xmpp-http': true,
  'not-xmpp-tls': true,
  'not-xmpp-ssh': true,
  'not-xmpp-smtp': true,
  'not-xmpp': true,
  'invalid-utf8': true,
};
const CODES = new Set<string>(Object.keys(CODE_LIST));
const MAX_STANZA = 4096;
const HEADER =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' from='a.test' id='x' version='1.0'>";

const fragment = fc.oneof(
  fc.constantFrom(
    '<stream:features>',
    '</stream:features>',
    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>",
    '<stream:error><host-unknown xmlns="urn:ietf:params:xml:ns:xmpp-streams"/></stream:error>',
    '</stream:stream>',
    '<a>',
    '</a>',
    '<b x="1" y=\'2\'/>',
    '<c xmlns:p="urn:p"><p:d/></c>',
    '&amp;&lt;&#x1F600;&#0;&bogus;',
    '<![CDATA[ ]]> ]]>',
    '<!DOCTYPE x [<!ENTITY e "eeee">]>',
    '<?pi data?>',
    '<!-- comment -->',
    '\u0000',
    '<unclosed attr="',
    '<a b="1" b="2"/>',
    '<p:undeclared/>',
    "<x xmlns='jabber:server'>",
  ),
  fc.string({ maxLength: 40 }),
  fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.nat(200).map((n) => '<d>'.repeat(n)),
);

const stream = fc.record({
  header: fc.constantFrom(HEADER, '', 'HTTP/1.1 400 Bad Request\r\n', 'SSH-2.0-x\r\n', '<html>'),
  body: fc.array(fragment, { maxLength: 40 }),
  raw: fc.option(fc.uint8Array({ maxLength: 64 })),
  chunk: fc.integer({ min: 1, max: 300 }),
});

function textSize(el: XmlElement): number {
  return el.text.length + el.children.reduce((n, c) => n + textSize(c), 0);
}

function feed(bytes: Buffer, chunk: number): XmlEvent[] {
  const events: XmlEvent[] = [];
  const p = new XmlStreamParser((e) => events.push(e), { maxStanzaBytes: MAX_STANZA, maxDepth: 32 });
  for (let i = 0; i < bytes.length; i += chunk) p.write(bytes.subarray(i, i + chunk));
  return events;
}

/**
 * The parser counts bytes per write() and resets the count when a top-level element ends, so
 * the bytes of that same chunk after the element are not counted: an element may exceed the
 * limit by at most one chunk (one socket read, at most 64 KiB). Still a bound, just not a
 * byte-exact one.
 */
function checkEvents(events: XmlEvent[], chunk: number): void {
  const errors = events.filter((e) => e.kind === 'error');
  assert.ok(errors.length <= 1, 'at most one error');
  if (errors.length === 1) {
    assert.equal(events.at(-1)?.kind, 'error', 'nothing after an error');
    const e = errors[0] as Extract<XmlEvent, { kind: 'error' }>;
    assert.ok(CODES.has(e.code), e.code);
    assert.equal(typeof e.message, 'string');
  }
  const headers = events.filter((e) => e.kind === 'header');
  assert.ok(headers.length <= 1, 'one header');
  if (headers.length === 1) assert.equal(events[0]?.kind, 'header', 'the header comes first');
  for (const e of events) {
    if (e.kind === 'element')
      assert.ok(
        textSize(e.el) <= MAX_STANZA + chunk,
        'an element holds at most the stanza limit and one chunk',
      );
  }
}

describe(`fuzz: XMPP stream parser (${FUZZ_RUNS} inputs per property)`, () => {
  it('random bytes end in events or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 500 }), (b, chunk) =>
        checkEvents(feed(Buffer.from(b), chunk), chunk),
      ),
      fuzzParams(),
    );
  });

  it('streams of XML fragments in random chunks end in events or a typed error', () => {
    fc.assert(
      fc.property(stream, (s) => {
        const parts = [Buffer.from(s.header + s.body.join(''), 'utf8')];
        if (s.raw) parts.push(Buffer.from(s.raw));
        checkEvents(feed(Buffer.concat(parts), s.chunk), s.chunk);
      }),
      fuzzParams(),
    );
  });

  it('a stanza larger than the limit ends in a limit error, not in memory', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: MAX_STANZA * 3 }),
        fc.integer({ min: 1, max: 1000 }),
        (over, chunk) => {
          // Past the limit plus one chunk (see checkEvents): the element is never delivered.
          const n = MAX_STANZA + chunk + over;
          const events = feed(Buffer.from(`${HEADER}<message>${'x'.repeat(n)}</message>`), chunk);
          const last = events.at(-1);
          assert.ok(last?.kind === 'error' && last.code === 'limit', JSON.stringify(last)?.slice(0, 200));
        },
      ),
      fuzzParams({ numRuns: Math.max(200, Math.floor(FUZZ_RUNS / 50)) }),
    );
  });
});
