/** AXL SOAP requests: envelope, versioned namespace, SOAPAction (protocol notes §4.1-4.2). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifyBody } from '../../../../src/protocol/axl/response.js';
import {
  executeSQLQueryRequest,
  getCCMVersionRequest,
  soapAction,
  soapHeaders,
} from '../../../../src/protocol/axl/soap.js';

describe('AXL SOAP requests', () => {
  it('puts the same version in SOAPAction and the AXL namespace', () => {
    assert.equal(soapAction('14.0', 'getCCMVersion'), '"CUCM:DB ver=14.0 getCCMVersion"');
    const body = getCCMVersionRequest('14.0');
    assert.match(body, /xmlns:soapenv="http:\/\/schemas\.xmlsoap\.org\/soap\/envelope\/"/);
    assert.match(body, /xmlns:ns="http:\/\/www\.cisco\.com\/AXL\/API\/14\.0"/);
    assert.deepEqual(soapHeaders('12.5', 'executeSQLQuery'), {
      'content-type': 'text/xml; charset=utf-8',
      accept: 'text/xml',
      soapaction: '"CUCM:DB ver=12.5 executeSQLQuery"',
    });
  });

  it('escapes SQL so < and & survive, and builds well-formed XML', () => {
    const body = executeSQLQueryRequest('15.0', "select * from t where a < 3 & b = 'x'");
    assert.match(body, /<sql>select \* from t where a &lt; 3 &amp; b = 'x'<\/sql>/);
    // A request parses as a SOAP envelope (its Body element is the operation, not a response).
    assert.equal(classifyBody(body, 'text/xml').body.kind, 'soap-response');
  });
});
