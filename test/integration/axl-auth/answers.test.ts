/** axl-auth against a fake AXL endpoint: each HTTP answer of the status map (notes §4.3) becomes its own finding. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type FakeAxlOptions, startFakeAxl } from '../../fakes/fake-axl-server.js';
import { finding, type RunAxl, runAxl } from './run-axl.js';

async function against(opts: FakeAxlOptions, over: Parameters<typeof runAxl>[1] = {}): Promise<RunAxl> {
  const fake = await startFakeAxl(opts);
  try {
    return await runAxl(fake.port, over);
  } finally {
    await fake.close();
  }
}

describe('axl-auth answers', () => {
  it('reports axl.service.not-found when the AXL Web Service is not activated (404)', async () => {
    // Given a node where Cisco AXL Web Service is deactivated
    const r = await against({ axlActive: false });
    // Then the 404 names service activation
    assert.deepEqual(r.ids, ['axl.service.not-found', 'cert.check.ok']);
    assert.match(finding(r, 'axl.service.not-found').fix, /Service Activation/);
  });

  it('reports axl.endpoint.not-axl when another web server answers GET /axl/ with an HTML page', async () => {
    // Given a web portal (nginx) on the port
    const r = await against({ mode: 'web-portal' });
    // Then it is not an AXL endpoint, quoting the page title
    assert.deepEqual(r.ids, ['axl.endpoint.not-axl', 'cert.check.ok']);
    assert.match(finding(r, 'axl.endpoint.not-axl').symptom, /HTML page "Welcome to nginx!"/);
  });

  it('reports axl.endpoint.not-axl when the SOAP call gets a non-SOAP answer with the wrong content type', async () => {
    // Given an endpoint whose POST answers application/json
    const r = await against({ mode: 'wrong-content-type' });
    // Then the getCCMVersion step is the one that is not AXL
    assert.deepEqual(r.ids, ['axl.endpoint.not-axl', 'cert.check.ok']);
    const f = finding(r, 'axl.endpoint.not-axl');
    assert.match(f.symptom, /POST getCCMVersion \(AXL 15\.0\) got HTTP 200 \(application\/json\)/);
  });

  it('reports axl.http.unexpected-status for a redirect to a login page', async () => {
    const r = await against({ mode: 'redirect' });
    assert.deepEqual(r.ids, ['axl.http.unexpected-status', 'cert.check.ok']);
    assert.match(
      finding(r, 'axl.http.unexpected-status').symptom,
      /HTTP 302 \(Location: https:\/\/127\.0\.0\.1\/ccmadmin/,
    );
  });

  it('reports axl.soap.fault with axlcode and axlmessage for a 500 SOAP fault', async () => {
    // Given getCCMVersion failing with the AXL memory-throttling fault
    const message =
      'Maximum AXL Memory Allocation Consumed. Please retry once requests in progress have completed';
    const r = await against({ faults: { getCCMVersion: { code: '-1', message } } });
    // Then the fault is shown, and the credentials still count as accepted (a fault needs authentication)
    assert.deepEqual(r.ids, ['axl.soap.fault', 'cert.check.ok', 'axl.auth.ok']);
    const f = finding(r, 'axl.soap.fault');
    assert.equal(f.evidence.axlcode, '-1');
    assert.equal(f.evidence.axlmessage, message);
    assert.match(f.symptom, /axlcode -1, axlmessage "Maximum AXL Memory/);
  });

  it('retries once after Retry-After when throttled (503) and succeeds', async () => {
    // Given one 503 with Retry-After: 1
    const fake = await startFakeAxl({ throttle: { times: 1, retryAfterS: 1 } });
    try {
      const started = Date.now();
      const r = await runAxl(fake.port);
      // Then xfed waited about a second, retried, and the run is clean
      assert.ok(Date.now() - started >= 900, 'waited for Retry-After');
      assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
      assert.equal(r.facts.throttleWaitMs, 1000);
      assert.deepEqual(
        r.facts.exchanges.map((e) => e.status),
        [503, 200, 200],
      );
    } finally {
      await fake.close();
    }
  });

  it('honours Retry-After once per request: a throttled GET and a throttled getCCMVersion both recover', async () => {
    // Given an endpoint that throttles the first answer to GET /axl/ and to getCCMVersion
    const fake = await startFakeAxl({ throttle: { times: 2, retryAfterS: 0, every: 2 } });
    try {
      const r = await runAxl(fake.port);
      // Then each request was retried once and the run is clean
      assert.deepEqual(
        r.facts.exchanges.map((e) => [e.step, e.status]),
        [
          ['service-page', 503],
          ['service-page', 200],
          ['version', 503],
          ['version', 200],
        ],
      );
      assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
    } finally {
      await fake.close();
    }
  });

  it('reports axl.service.throttled when the retry is throttled too, waiting no longer than the timeout', async () => {
    // Given an endpoint that always throttles and asks for 30 s
    // (--timeout 1.5 s, not 0.4 s: the TLS connect and both requests must still get their answers
    // within it on a loaded machine, as in the cisco-services rate-limit test)
    const started = Date.now();
    const r = await against({ throttle: { times: 99, retryAfterS: 30 } }, { timeoutMs: 1500 });
    // Then the wait is bounded by --timeout and the finding reports it (8 s: far below the 30 s
    // asked for, with room for the connections on a loaded machine)
    const took = Date.now() - started;
    assert.ok(took >= 1500 && took < 8000, `Retry-After was bounded by the timeout: took ${took} ms`);
    assert.deepEqual(r.ids, ['axl.service.throttled', 'cert.check.ok']);
    const f = finding(r, 'axl.service.throttled');
    assert.equal(f.evidence.waitedMs, 1500);
    assert.equal(f.evidence.retryAfterS, 30);
  });

  it('reports axl.http.failed when the server hangs up without answering', async () => {
    const r = await against({ mode: 'hangup' });
    assert.deepEqual(r.ids, ['axl.http.failed', 'cert.check.ok']);
    assert.equal(finding(r, 'axl.http.failed').evidence.reason, 'closed');
  });

  it('reports axl.http.failed (limit) and stops reading when an answer exceeds the read limit', async () => {
    // Given an endpoint that streams 2 MiB
    const r = await against({ mode: 'huge' }, { maxBodyBytes: 64 * 1024 });
    // Then xfed read only up to its limit
    assert.deepEqual(r.ids, ['axl.http.failed', 'cert.check.ok']);
    assert.equal(finding(r, 'axl.http.failed').evidence.reason, 'limit');
    assert.equal(r.facts.exchanges[0]?.bodyBytes, 64 * 1024);
    assert.equal(r.facts.exchanges[0]?.truncated, true);
  });

  for (const [status, id] of [
    [401, 'axl.auth.unauthorized'],
    [403, 'axl.auth.forbidden'],
    [500, 'axl.http.unexpected-status'],
  ] as const) {
    it(`keeps HTTP ${status} (${id}) when its body exceeds the read limit`, async () => {
      // Given an error page longer than the limit
      const r = await against({ mode: 'huge', hugeStatus: status }, { maxBodyBytes: 64 * 1024 });
      // Then the status decides, not the size
      assert.deepEqual(r.ids, [id, 'cert.check.ok']);
      assert.equal(finding(r, id).evidence.status, status);
      assert.equal(r.facts.exchanges[0]?.truncated, true);
    });
  }
});
