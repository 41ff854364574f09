/** axl-auth against a fake AXL endpoint: credentials accepted, rejected, locked, without the AXL role; cookie reuse. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FAKE_PASSWORD, FAKE_USER, type FakeAxl, startFakeAxl } from '../../fakes/fake-axl-server.js';
import { finding, runAxl } from './run-axl.js';

describe('axl-auth credentials', () => {
  let fake: FakeAxl;
  before(async () => {
    fake = await startFakeAxl({
      users: { [FAKE_USER]: FAKE_PASSWORD, locked: 'pw', viewer: 'pw' },
      lockedUsers: ['locked'],
      noAxlRole: ['viewer'],
    });
  });
  after(() => fake.close());

  it('reports axl.auth.ok with the AXL and Unified CM versions when the credentials work', async () => {
    // Given a healthy AXL endpoint with a trusted certificate
    // When xfed checks the right credentials
    const r = await runAxl(fake.port);
    // Then the credentials are accepted, and the certificate is judged ok too
    assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
    assert.equal(r.report.status, 'pass');
    assert.equal(r.facts.negotiatedVersion, '15.0');
    assert.equal(r.facts.ccmVersion, '14.0.1.12900(161)');
    const ok = finding(r, 'axl.auth.ok');
    assert.match(ok.title, /expressway-axl at 127\.0\.0\.1:\d+ \(AXL 15\.0\)/);
    assert.match(ok.symptom, /Unified CM version 14\.0\.1\.12900\(161\)/);
  });

  it('sends getCCMVersion with the SOAPAction and namespace of the same AXL version', async () => {
    // Given a fresh endpoint that records requests
    const f = await startFakeAxl();
    try {
      // When xfed runs
      await runAxl(f.port);
      // Then the POST carries the quoted SOAPAction, text/xml and the versioned namespace
      const post = f.requests.find((q) => q.method === 'POST');
      assert.ok(post, 'a POST was sent');
      assert.equal(post.url, '/axl/');
      assert.equal(post.headers.soapaction, '"CUCM:DB ver=15.0 getCCMVersion"');
      assert.match(String(post.headers['content-type']), /^text\/xml; charset=utf-8$/);
      assert.match(post.body, /xmlns:ns="http:\/\/www\.cisco\.com\/AXL\/API\/15\.0"/);
      assert.match(post.body, /<ns:getCCMVersion><processNodeName\/><\/ns:getCCMVersion>/);
    } finally {
      await f.close();
    }
  });

  it('reuses the JSESSIONIDSSO cookie instead of sending Basic credentials again', async () => {
    // Given an endpoint that issues a session cookie on the first authenticated answer
    const f = await startFakeAxl();
    try {
      // When xfed makes its three requests
      const r = await runAxl(f.port, { queryS2s: true });
      // Then only the first carries Authorization; later ones use the cookie
      assert.deepEqual(
        f.requests.map((q) => q.auth),
        ['basic', 'cookie', 'cookie'],
      );
      assert.equal(f.requests[1]?.headers.authorization, undefined);
      assert.deepEqual(
        r.facts.exchanges.map((e) => e.auth),
        ['basic', 'session-cookie', 'session-cookie'],
      );
      assert.deepEqual(r.facts.exchanges[0]?.cookiesSet, ['JSESSIONIDSSO', 'JSESSIONID']);
      // And the cookie value never reaches the transcript
      const sso = /JSESSIONIDSSO=([^;]+)/.exec(String(f.requests[1]?.headers.cookie))?.[1] as string;
      assert.ok(sso.length > 8);
      assert.ok(!JSON.stringify(r.report).includes(sso), 'session cookie value leaked into the report');
    } finally {
      await f.close();
    }
  });

  it('repeats a request with Basic credentials once when the session cookie has expired (404)', async () => {
    // Given an endpoint that treats every session cookie as expired, as CUCM does after 30 min
    const f = await startFakeAxl({ cookieExpired: true });
    try {
      // When xfed runs
      const r = await runAxl(f.port);
      // Then the cookie request got 404, the Basic retry succeeded, and no 404 finding appears
      assert.deepEqual(
        f.requests.map((q) => q.auth),
        ['basic', 'cookie', 'basic'],
      );
      assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
    } finally {
      await f.close();
    }
  });

  it('reports axl.auth.unauthorized for a wrong password, naming the Expressway-C 401 symptom', async () => {
    // Given the endpoint
    // When xfed sends a wrong password
    const r = await runAxl(fake.port, { password: 'wrong-password' });
    // Then the 401 is the finding, with the Expressway-C log line in the symptom
    assert.deepEqual(r.ids, ['axl.auth.unauthorized', 'cert.check.ok']);
    const f = finding(r, 'axl.auth.unauthorized');
    assert.match(f.symptom, /Function="executeSQLQuery" Status="401"/);
    assert.match(f.symptom, /GET \/axl\/ with 401/);
    assert.match(f.fix, /refresh the IM and Presence server discovery/);
    assert.equal(r.report.status, 'fail');
  });

  it('reports axl.auth.unauthorized for a locked account (CUCM answers 401 as well)', async () => {
    // Given a locked account with the right password
    const r = await runAxl(fake.port, { user: 'locked', password: 'pw' });
    // Then it is the same 401 finding, whose cause names the lock-out
    assert.deepEqual(r.ids, ['axl.auth.unauthorized', 'cert.check.ok']);
    assert.match(finding(r, 'axl.auth.unauthorized').cause, /account is locked/);
  });

  it('reports axl.auth.forbidden when the user lacks the Standard AXL API Access role', async () => {
    // Given a user the endpoint knows but who has no AXL role
    const r = await runAxl(fake.port, { user: 'viewer', password: 'pw' });
    // Then 403 becomes the role finding
    assert.deepEqual(r.ids, ['axl.auth.forbidden', 'cert.check.ok']);
    assert.match(finding(r, 'axl.auth.forbidden').cause, /Standard AXL API Access/);
  });

  it('never puts the password or its Basic form into facts, findings or the transcript', async () => {
    // Given a success and a 401 (a wrong password is a secret too)
    for (const password of [FAKE_PASSWORD, 'Wr0ng#Passw0rd']) {
      const r = await runAxl(fake.port, { password });
      const text = JSON.stringify(r.report);
      const basic = Buffer.from(`${FAKE_USER}:${password}`).toString('base64');
      // Then neither the password nor its base64 form appears, and Authorization shows as [redacted]
      assert.ok(!text.includes(password), 'password leaked');
      assert.ok(!text.includes(basic), 'Basic credential leaked');
      assert.match(text, /authorization: \[redacted\]/);
      assert.ok(r.report.transcript && r.report.transcript.length > 3, 'the transcript was recorded');
    }
  });

  it('redacts the credentials from facts and findings when the server echoes them back', async () => {
    // Given a server that reflects the Authorization it got in Content-Type, a cookie name and the page
    const echo = await startFakeAxl({ mode: 'echo-credentials' });
    try {
      const r = await runAxl(echo.port);
      // Then it is reported as not AXL, and neither the password nor the base64 appears anywhere
      assert.deepEqual(r.ids, ['axl.endpoint.not-axl', 'cert.check.ok']);
      const text = JSON.stringify(r.report);
      const basic = Buffer.from(`${FAKE_USER}:${FAKE_PASSWORD}`).toString('base64');
      assert.ok(!text.includes(FAKE_PASSWORD), 'password leaked');
      assert.ok(!text.includes(basic), 'base64 credential leaked');
      // And the places it was echoed to show [redacted]
      const ex = r.facts.exchanges[0];
      assert.match(ex?.contentType ?? '', /echo="\[redacted\]"/);
      assert.deepEqual(ex?.cookiesSet, ['[redacted]']);
      assert.match(finding(r, 'axl.endpoint.not-axl').symptom, /You sent \[redacted\]/);
    } finally {
      await echo.close();
    }
  });
});
