/**
 * Fuzz: the AXL answer reader (classifyBody in src/protocol/axl/response.ts) on random text and
 * on SOAP envelopes assembled from fragments (responses, faults with axlError, SQL rows, the
 * service page, the 599 page, HTML, DTDs, deep nesting, broken tags). Every body ends in one of
 * the typed kinds; nothing throws; what is kept is bounded (rows, snippets, versions).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { classifyBody, MAX_ROWS } from '../../src/protocol/axl/response.js';
import { FUZZ_RUNS, fuzzParams } from './fuzz-settings.js';

const KINDS = new Set([
  'empty',
  'soap-response',
  'soap-fault',
  'service-page',
  'version-rejected',
  'html',
  'not-soap',
  'other',
]);
const ENV = "<soapenv:Envelope xmlns:soapenv='http://schemas.xmlsoap.org/soap/envelope/'><soapenv:Body>";
const END = '</soapenv:Body></soapenv:Envelope>';

const fragment = fc.oneof(
  fc.constantFrom(
    ENV,
    END,
    "<ns:getCCMVersionResponse xmlns:ns='http://www.cisco.com/AXL/API/15.0'><return><componentVersion><version>15.0.1.10000-1</version></componentVersion></return></ns:getCCMVersionResponse>",
    "<ns:executeSQLQueryResponse xmlns:ns='http://www.cisco.com/AXL/API/15.0'><return>",
    '<row><pkid>1</pkid><cp_id>x</cp_id></row>',
    '</return></ns:executeSQLQueryResponse>',
    '<soapenv:Fault><faultcode>soapenv:Server</faultcode><faultstring>boom</faultstring><detail><axlError><axlcode>-206</axlcode><axlmessage>no table</axlmessage></axlError></detail></soapenv:Fault>',
    'AXL Web Service is working and accepting requests',
    'The AXL Version 16.0 is not supported. Supported versions are 12.x, 14.0 and 15.0',
    '<html><head><title>t</title></head><body>',
    '<!DOCTYPE x [<!ENTITY e "e">]>',
    '<a>',
    '</a>',
    '&amp;&#x0;&bogus;',
    '<![CDATA[x]]>',
    '<unclosed',
  ),
  fc.string({ maxLength: 60 }),
  fc.nat(100).map((n) => '<d>'.repeat(n)),
);

function check(text: string, contentType: string | undefined): void {
  const p = classifyBody(text, contentType);
  assert.ok(KINDS.has(p.body.kind), p.body.kind);
  if (p.rows) assert.ok(p.rows.length <= MAX_ROWS, `${p.rows.length} rows`);
  const b = p.body as { snippet?: string; title?: string; supported?: string[]; detail?: string };
  if (b.snippet !== undefined) assert.ok(b.snippet.length <= 4096, 'snippet bounded');
  if (b.title !== undefined) assert.ok(b.title.length <= 300, 'title bounded');
  if (b.detail !== undefined) assert.ok(b.detail.length <= 4096, 'detail bounded');
  if (b.supported) assert.ok(b.supported.length <= text.length);
}

describe(`fuzz: AXL SOAP reader (${FUZZ_RUNS} inputs per property)`, () => {
  it('random text ends in a typed body', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 400 }), fc.string({ unit: 'binary', maxLength: 400 })),
        fc.option(fc.constantFrom('text/xml; charset=utf-8', 'text/html', 'application/json', '')),
        (text, ct) => check(text, ct ?? undefined),
      ),
      fuzzParams(),
    );
  });

  it('envelopes assembled from SOAP fragments end in a typed body', () => {
    fc.assert(
      fc.property(
        fc.array(fragment, { maxLength: 30 }),
        fc.option(fc.constantFrom('text/xml; charset=utf-8', 'text/html')),
        (parts, ct) => check(parts.join(''), ct ?? undefined),
      ),
      fuzzParams(),
    );
  });

  it('a SQL answer with more rows than the cap keeps only the cap', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: MAX_ROWS * 2 }), (n) => {
        const body = `${ENV}<ns:executeSQLQueryResponse xmlns:ns='http://www.cisco.com/AXL/API/15.0'><return>${'<row><c>v</c></row>'.repeat(n)}</return></ns:executeSQLQueryResponse>${END}`;
        const p = classifyBody(body, 'text/xml');
        assert.equal(p.body.kind, 'soap-response');
        assert.equal(p.rows?.length, Math.min(n, MAX_ROWS));
        assert.equal(p.rowsTruncated, n > MAX_ROWS);
      }),
      fuzzParams({ numRuns: Math.max(100, Math.floor(FUZZ_RUNS / 100)) }),
    );
  });
});
