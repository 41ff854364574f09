/** Classifying AXL answers: SOAP responses, faults, the service page, 599, HTML and junk (bounded XML read). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyBody, MAX_ROWS } from '../../../../src/protocol/axl/response.js';

const env = (inner: string) =>
  `<?xml version='1.0' encoding='UTF-8'?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>${inner}</soapenv:Body></soapenv:Envelope>`;

describe('AXL answer classification', () => {
  it('reads componentVersion/version from getCCMVersionResponse', () => {
    const p = classifyBody(
      env(
        '<ns:getCCMVersionResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><componentVersion><version>14.0.1.12900(161)</version></componentVersion></return></ns:getCCMVersionResponse>',
      ),
      'text/xml;charset=utf-8',
    );
    assert.deepEqual(p.body, { kind: 'soap-response', element: 'getCCMVersionResponse' });
    assert.equal(p.ccmVersion, '14.0.1.12900(161)');
  });

  it('reads executeSQLQuery rows, one entry per column element', () => {
    const p = classifyBody(
      env(
        '<ns:executeSQLQueryResponse xmlns:ns="http://www.cisco.com/AXL/API/14.0"><return><row><pkid>055c13d9-943d-459d-a3c6-af1d1176936d</pkid><cp_id>cm-2_s2scp-1.eft-xwye-a-coluc-com</cp_id></row></return></ns:executeSQLQueryResponse>',
      ),
      'text/xml',
    );
    assert.deepEqual(p.rows, [
      { pkid: '055c13d9-943d-459d-a3c6-af1d1176936d', cp_id: 'cm-2_s2scp-1.eft-xwye-a-coluc-com' },
    ]);
    assert.equal(p.rowsTruncated, false);
  });

  it('caps the number of rows it keeps', () => {
    const rows = '<row><pkid>x</pkid></row>'.repeat(MAX_ROWS + 5);
    const p = classifyBody(
      env(
        `<ns:executeSQLQueryResponse xmlns:ns="urn:x"><return>${rows}</return></ns:executeSQLQueryResponse>`,
      ),
      'text/xml',
    );
    assert.equal(p.rows?.length, MAX_ROWS);
    assert.equal(p.rowsTruncated, true);
  });

  it('reads faultcode, faultstring and detail/axlError of a SOAP fault', () => {
    const p = classifyBody(
      env(
        '<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>Item not valid: The specified User was not found</faultstring><detail><axlError><axlcode>5007</axlcode><axlmessage>Item not valid: The specified User was not found</axlmessage><request>getUser</request></axlError></detail></soapenv:Fault>',
      ),
      'text/xml',
    );
    assert.deepEqual(p.body, {
      kind: 'soap-fault',
      faultcode: 'soapenv:Client',
      faultstring: 'Item not valid: The specified User was not found',
      axlcode: '5007',
      axlmessage: 'Item not valid: The specified User was not found',
      request: 'getUser',
    });
  });

  it('recognises the GET /axl/ service page and the 599 version rejection', () => {
    const page = classifyBody(
      '<html><head><title>Cisco CallManager: AXL Web Service</title></head><body>The AXL Web Service is working and accepting requests.\n Use HTTP POST to send a request.</body></html>',
      'text/html',
    );
    assert.deepEqual(page.body, { kind: 'service-page', title: 'Cisco CallManager: AXL Web Service' });
    const rejected = classifyBody(
      '<html><body>Incorrect axl version. Supported axl versions are 12.x, 14.0 and 15.0</body></html>',
      'text/html',
    );
    assert.equal(rejected.body.kind, 'version-rejected');
    assert.deepEqual(rejected.body.kind === 'version-rejected' && rejected.body.supported, [
      '15.0',
      '14.0',
      '12.5',
      '12.0',
    ]);
  });

  it('reads a version rejection sent as a SOAP fault (HTTP 500) like the 599 page', () => {
    const p = classifyBody(
      env(
        '<soapenv:Fault><faultcode>soapenv:Client</faultcode><faultstring>Incorrect axl version. Supported axl versions are 11.5 and 12.x</faultstring></soapenv:Fault>',
      ),
      'text/xml',
    );
    assert.equal(p.body.kind, 'version-rejected');
    assert.deepEqual(p.body.kind === 'version-rejected' && p.body.supported, ['12.5', '12.0', '11.5']);
  });

  it('classifies HTML, JSON, non-SOAP XML, malformed XML and empty bodies without throwing', () => {
    const table: [string, string | undefined, string][] = [
      ['<!DOCTYPE html><html><head><title>Login</title></head></html>', 'text/html', 'html'],
      ['{"status":"ok"}', 'application/json', 'other'],
      ['<?xml version="1.0"?><rss><channel/></rss>', 'text/xml', 'not-soap'],
      [
        '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>',
        'text/xml',
        'not-soap',
      ],
      ['<a:b>unbound prefix</a:b>', 'text/xml', 'not-soap'],
      ['   ', 'text/xml', 'empty'],
    ];
    for (const [body, type, kind] of table) assert.equal(classifyBody(body, type).body.kind, kind, body);
  });

  it('refuses a DTD (no entity expansion) and overly deep nesting', () => {
    const dtd = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>';
    assert.equal(classifyBody(dtd, 'text/xml').body.kind, 'not-soap');
    const deep = `${'<a>'.repeat(100)}${'</a>'.repeat(100)}`;
    const p = classifyBody(deep, 'text/xml');
    assert.equal(p.body.kind, 'not-soap');
    assert.match(p.body.kind === 'not-soap' ? p.body.detail : '', /deeper than/);
  });
});
