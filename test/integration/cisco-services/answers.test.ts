/**
 * cisco services against a fake Control Center: what the service answered instead of a service
 * list (401, 403, 404 on both paths, the legacy path, faults, the rate limit, a non-SOAP page,
 * redirects, silence, hang-ups, oversized answers), the certificate gate before any credential,
 * session-cookie reuse and secret hygiene.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FAKE_PASSWORD, FAKE_USER, freePort } from '../../fakes/fake-axl-server.js';
import {
  CURRENT_PATH,
  type FakeControlCenterOptions,
  LEGACY_PATH,
  startFakeControlCenter,
} from '../../fakes/fake-control-center.js';
import { findings, type RunCisco, runCisco, verdicts } from './run-cisco.js';

type Seen = Awaited<ReturnType<typeof startFakeControlCenter>>['requests'];

async function against(
  fake: FakeControlCenterOptions,
  over: Parameters<typeof runCisco>[1] = {},
): Promise<RunCisco & { requests: Seen }> {
  const f = await startFakeControlCenter(fake);
  try {
    return { ...(await runCisco(f.port, over)), requests: f.requests };
  } finally {
    await f.close();
  }
}

describe('cisco services: Control Center answers', () => {
  it('reports cisco.auth.unauthorized for a wrong password (HTTP 401)', async () => {
    const r = await against({}, { password: 'not-the-password' });
    assert.deepEqual(verdicts(r), ['cisco.auth.unauthorized']);
    assert.match(
      findings(r, 'cisco.auth.unauthorized')[0]!.title,
      /on 127\.0\.0\.1 rejected the credentials of expressway-axl \(HTTP 401\)/,
    );
  });

  it('reports cisco.auth.forbidden naming the missing serviceability role (HTTP 403)', async () => {
    const r = await against({ noRole: [FAKE_USER] });
    assert.deepEqual(verdicts(r), ['cisco.auth.forbidden']);
    const f = findings(r, 'cisco.auth.forbidden')[0]!;
    assert.match(f.title, /expressway-axl may not read service state on 127\.0\.0\.1 \(HTTP 403\)/);
    assert.match(f.cause, /Standard SERVICEABILITY Administration/);
    assert.match(f.cause, /only Standard AXL API Access/);
  });

  it('tries the legacy path after a 404 and reads the answer there', async () => {
    const r = await against({ paths: ['legacy'] });
    assert.deepEqual(verdicts(r), []);
    assert.deepEqual(
      r.requests.map((q) => q.url),
      [CURRENT_PATH, LEGACY_PATH],
    );
    assert.deepEqual(
      r.facts.exchanges.map((e) => [e.endpoint, e.status]),
      [
        ['current', 404],
        ['legacy', 200],
      ],
    );
  });

  it('reports cisco.control-center.not-found when both paths answer 404', async () => {
    const r = await against({ paths: [] });
    assert.deepEqual(verdicts(r), ['cisco.control-center.not-found']);
    assert.deepEqual(findings(r, 'cisco.control-center.not-found')[0]!.evidence.paths, [
      CURRENT_PATH,
      LEGACY_PATH,
    ]);
  });

  it('reports cisco.control-center.fault for a SOAP fault', async () => {
    const r = await against({ fault: 'java.lang.NullPointerException' });
    assert.deepEqual(verdicts(r), ['cisco.control-center.fault']);
    assert.match(
      findings(r, 'cisco.control-center.fault')[0]!.symptom,
      /faultstring "java\.lang\.NullPointerException"/,
    );
  });

  it('waits once after the "Exceeded allowed rate" fault and retries, reusing the session cookie', async () => {
    // Given a node that rate-limits the first request
    const r = await against({ rateLimit: 1 }, { rateLimitWaitMs: 50 });
    // Then the retry succeeds after the wait, with the cookie instead of Basic credentials
    assert.deepEqual(verdicts(r), []);
    assert.equal(r.facts.rateLimitWaitMs, 50);
    assert.deepEqual(
      r.requests.map((q) => q.auth),
      ['basic', 'cookie'],
    );
    assert.deepEqual(
      r.facts.exchanges.map((e) => [e.auth, e.rateLimited ?? false]),
      [
        ['basic', true],
        ['session-cookie', false],
      ],
    );
    const sso = /JSESSIONIDSSO=([^;]+)/.exec(String(r.requests[1]?.headers.cookie))?.[1] as string;
    assert.ok(sso.length > 8);
    assert.ok(!JSON.stringify(r.report).includes(sso), 'session cookie value leaked into the report');
  });

  it('reports cisco.control-center.rate-limited when the retry is limited too, waiting no longer than the timeout', async () => {
    // (1.5 s, not 0.4 s: the retry must still get its answer within the timeout on a loaded machine)
    const started = Date.now();
    const r = await against({ rateLimit: 5 }, { timeoutMs: 1500 });
    assert.ok(Date.now() - started < 8000, 'the 10 s wait was bounded by the timeout');
    assert.deepEqual(verdicts(r), ['cisco.control-center.rate-limited']);
    const f = findings(r, 'cisco.control-center.rate-limited')[0]!;
    assert.equal(f.evidence.waitedMs, 1500);
    assert.match(f.symptom, /Exceeded allowed rate/);
    assert.equal(r.requests.length, 2);
  });

  it('reports cisco.control-center.not-soap for a web page instead of a SOAP answer', async () => {
    const r = await against({ mode: 'html' });
    assert.deepEqual(verdicts(r), ['cisco.control-center.not-soap']);
    assert.match(findings(r, 'cisco.control-center.not-soap')[0]!.symptom, /Self Care Portal/);
  });

  it('reports cisco.control-center.unexpected-status for a redirect', async () => {
    const r = await against({ mode: 'redirect' });
    assert.deepEqual(verdicts(r), ['cisco.control-center.unexpected-status']);
    assert.match(
      findings(r, 'cisco.control-center.unexpected-status')[0]!.symptom,
      /HTTP 302 \(Location: https:\/\/127\.0\.0\.1\/cupadmin\/\)/,
    );
  });

  it('reports cisco.http.timeout when the node never answers', async () => {
    const r = await against({ mode: 'silent' }, { timeoutMs: 300 });
    assert.deepEqual(verdicts(r), ['cisco.http.timeout']);
  });

  it('reports cisco.http.failed when the node hangs up, and when the answer exceeds the read limit', async () => {
    const hangup = await against({ mode: 'hangup' });
    assert.deepEqual(verdicts(hangup), ['cisco.http.failed']);
    const huge = await against({ mode: 'huge' }, { maxBodyBytes: 64 * 1024 });
    assert.deepEqual(verdicts(huge), ['cisco.http.failed']);
    assert.equal(findings(huge, 'cisco.http.failed')[0]!.evidence.reason, 'limit');
    assert.equal(huge.facts.exchanges[0]?.bodyBytes, 64 * 1024);
  });
});

describe('cisco services: TLS and connection, as axl-auth reports them', () => {
  it('withholds the credentials (cisco.auth.not-attempted) when the certificate is not trusted', async () => {
    const r = await against({}, { caPems: [] });
    assert.ok(r.ids.includes('cisco.auth.not-attempted'), r.ids.join(', '));
    assert.ok(r.ids.includes('cert.chain.issuer-unknown'), r.ids.join(', '));
    assert.equal(r.requests.length, 0, 'no request was sent');
  });

  it('sends them anyway with --insecure, reported as axl.tls.insecure', async () => {
    const r = await against({}, { caPems: [], insecure: true });
    assert.ok(r.ids.includes('axl.tls.insecure'), r.ids.join(', '));
    assert.equal(findings(r, 'cisco.service.status').length, 4);
  });

  it('reports axl.connect.refused when nothing listens', async () => {
    const r = await runCisco(await freePort());
    assert.deepEqual(r.ids, ['axl.connect.refused']);
  });

  it('never puts the password or its Basic form in the report or the transcript', async () => {
    const basic = Buffer.from(`${FAKE_USER}:${FAKE_PASSWORD}`).toString('base64');
    for (const over of [{}, { password: 'Wr0ng&Passw0rd:' }]) {
      const r = await against({ rateLimit: 1 }, { ...over, rateLimitWaitMs: 10 });
      const text = JSON.stringify(r.report);
      assert.ok((r.report.transcript?.length ?? 0) > 2);
      for (const secret of [FAKE_PASSWORD, 'Wr0ng&Passw0rd:', basic]) assert.ok(!text.includes(secret));
      assert.match(text, /authorization: \[redacted\]/);
    }
  });
});
