/** axl-auth: connection failures, silent and slow servers, and the certificate gate before credentials are sent. */
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { describe, it } from 'node:test';
import {
  type FakeAxlOptions,
  freePort,
  startFakeAxl,
  startPlainHttp,
  startSilentTcp,
} from '../../fakes/fake-axl-server.js';
import { testPki } from '../../helpers/test-ca.js';
import { finding, type RunAxl, runAxl } from './run-axl.js';

/** Resolves every name to 127.0.0.1 (no DNS traffic), so certificates for names can be tested. */
const toLoopback = ((_host: string, opts: { all?: boolean }, cb: (...a: unknown[]) => void) => {
  if (opts?.all) cb(null, [{ address: '127.0.0.1', family: 4 }]);
  else cb(null, '127.0.0.1', 4);
}) as unknown as LookupFunction;

/**
 * --timeout for the tests where one HTTP phase stays silent. The same deadline also covers the
 * TLS connect and the exchanges before that phase (with the in-process fake, on our event loop),
 * which on a loaded machine took longer than the 400 ms used before, so a different phase timed
 * out and the finding named it. 1.5 s leaves that work room.
 */
const PHASE_DEADLINE_MS = 1500;
/**
 * A run that ends at its deadline takes one deadline plus two TLS connections; four deadlines
 * is still far below a hang, while leaving a loaded machine room.
 */
const NO_HANG_MS = 4 * PHASE_DEADLINE_MS;

async function against(
  opts: FakeAxlOptions,
  over: Parameters<typeof runAxl>[1] = {},
): Promise<{ r: RunAxl; sent: number }> {
  const fake = await startFakeAxl(opts);
  try {
    const r = await runAxl(fake.port, over);
    return { r, sent: fake.requests.length };
  } finally {
    await fake.close();
  }
}

describe('axl-auth connection', () => {
  it('reports axl.connect.refused when nothing listens on the port', async () => {
    const port = await freePort();
    const r = await runAxl(port);
    assert.deepEqual(r.ids, ['axl.connect.refused']);
    assert.match(finding(r, 'axl.connect.refused').title, new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  it('reports axl.connect.timeout within --timeout when the TLS handshake never completes', async () => {
    // Given a port that accepts TCP and then stays silent
    const silent = await startSilentTcp();
    try {
      const started = Date.now();
      const r = await runAxl(silent.port, { timeoutMs: 300 });
      // Then the connection step times out, naming the step, host and port
      assert.ok(Date.now() - started < 2000, 'finished soon after the deadline');
      assert.deepEqual(r.ids, ['axl.connect.timeout']);
      const f = finding(r, 'axl.connect.timeout');
      assert.match(
        f.symptom,
        new RegExp(`The TLS handshake to 127\\.0\\.0\\.1:${silent.port} did not complete within 300 ms`),
      );
    } finally {
      await silent.close();
    }
  });

  it('reports axl.tls.handshake-failed when the port speaks plain HTTP', async () => {
    const plain = await startPlainHttp();
    try {
      const r = await runAxl(plain.port);
      assert.deepEqual(r.ids, ['axl.tls.handshake-failed']);
    } finally {
      await plain.close();
    }
  });

  it('reports axl.connect.failed when the host name does not resolve', async () => {
    // Given a resolver that knows no such name (an injected lookup: no DNS traffic)
    const lookup = ((_host: string, _opts: unknown, cb: (e: Error | null) => void) => {
      cb(Object.assign(new Error('getaddrinfo ENOTFOUND cucm.invalid'), { code: 'ENOTFOUND' }));
    }) as unknown as LookupFunction;
    const r = await runAxl(8443, { host: 'cucm.invalid', lookup });
    assert.deepEqual(r.ids, ['axl.connect.failed']);
    assert.equal(finding(r, 'axl.connect.failed').evidence.reason, 'nxdomain');
  });

  it('reports axl.http.timeout within --timeout when the server never sends response headers', async () => {
    // Given a TLS endpoint that reads the request and never answers
    const started = Date.now();
    const { r } = await against({ mode: 'silent' }, { timeoutMs: PHASE_DEADLINE_MS });
    // Then the silence is a finding naming the phase, well within a few deadlines
    const took = Date.now() - started;
    assert.ok(took < NO_HANG_MS, `no hang: took ${took} ms`);
    assert.deepEqual(r.ids, ['axl.http.timeout', 'cert.check.ok']);
    assert.match(
      finding(r, 'axl.http.timeout').symptom,
      new RegExp(
        `GET /axl/: the connection was up, but the response headers did not arrive within ${PHASE_DEADLINE_MS} ms`,
      ),
    );
    // And the request waited its whole deadline before giving up
    assert.ok(
      (r.facts.exchanges[0]?.durationMs ?? 0) >= PHASE_DEADLINE_MS - 10,
      JSON.stringify(r.facts.exchanges[0]),
    );
  });

  it('reports axl.http.timeout within --timeout when the response body stops half-way', async () => {
    // Given a server that sends headers and part of the page, then nothing, keeping the connection open
    const started = Date.now();
    const { r } = await against({ mode: 'stall-body' }, { timeoutMs: PHASE_DEADLINE_MS });
    // Then the stalled body is a finding naming that phase, not a hang
    const took = Date.now() - started;
    assert.ok(took < NO_HANG_MS, `no hang: took ${took} ms`);
    assert.deepEqual(r.ids, ['axl.http.timeout', 'cert.check.ok']);
    assert.match(
      finding(r, 'axl.http.timeout').symptom,
      new RegExp(`the response body did not arrive within ${PHASE_DEADLINE_MS} ms`),
    );
  });

  it('waits for a slow server that answers within the deadline', async () => {
    const { r } = await against({ mode: 'slow', delayMs: 250 }, { timeoutMs: 2000 });
    assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
  });

  it('withholds the credentials and reports axl.auth.not-attempted when the certificate is not trusted', async () => {
    // Given a certificate from a CA xfed was not told about (no --ca)
    const { r, sent } = await against({}, { caPems: [] });
    // Then the certificate findings explain why, and not a single HTTP request was sent
    assert.equal(sent, 0);
    assert.ok(r.ids.includes('axl.auth.not-attempted'), r.ids.join());
    assert.ok(
      r.ids.some((id) => id.startsWith('cert.chain.')),
      r.ids.join(),
    );
    assert.equal(r.facts.exchanges.length, 0);
    assert.match(finding(r, 'axl.auth.not-attempted').fix, /--ca/);
  });

  it('withholds the credentials when the certificate does not name the host', async () => {
    // Given a trusted certificate for another name
    const leaf = testPki().leaf({ cn: 'imp.example.test', dns: ['imp.example.test'] });
    const { r, sent } = await against({ key: leaf.keyPem, cert: leaf.chainPem });
    assert.equal(sent, 0);
    assert.deepEqual(r.ids, ['cert.name.mismatch', 'axl.auth.not-attempted']);
  });

  it('withholds the credentials when only Node would accept the name (partial wildcard, CN beside a URI SAN)', async () => {
    // Given trusted certificates whose names Node's checkServerIdentity accepts but RFC 6125 does
    // not: a partial-label wildcard, and a CN that a URI SAN rules out (RFC 6125 §6.4.4)
    const cases = [
      { host: 'axl1.imp.example.test', leaf: testPki().leaf({ dns: ['axl*.imp.example.test'] }) },
      {
        host: 'imp.example.test',
        leaf: testPki().leaf({ cn: 'imp.example.test', uri: ['https://imp.example.test/'] }),
      },
    ];
    for (const c of cases) {
      // When xfed checks the name that resolves (injected lookup) to the fake
      const { r, sent } = await against(
        { key: c.leaf.keyPem, cert: c.leaf.chainPem },
        { host: c.host, lookup: toLoopback },
      );
      // Then the one name verdict (cert.name.mismatch) also decides: the password is not sent
      assert.equal(sent, 0, c.host);
      assert.deepEqual(r.ids, ['cert.name.mismatch', 'axl.auth.not-attempted'], c.host);
      assert.equal(
        finding(r, 'axl.auth.not-attempted').evidence.certError,
        `the certificate does not name ${c.host}`,
      );
    }
  });

  it('sends the credentials when the certificate rules accept the name, even where Node would not', async () => {
    // Given a trusted certificate whose dNSName is written as a U-label: the certificate rules
    // compare A-labels and accept it, Node's checkServerIdentity does not
    const leaf = testPki().leaf({ dns: ['bücher.imp.example.test'] });
    // When xfed checks the A-label host
    const { r, sent } = await against(
      { key: leaf.keyPem, cert: leaf.chainPem },
      { host: 'xn--bcher-kva.imp.example.test', lookup: toLoopback },
    );
    // Then the HTTP connection follows the certificate verdict (no second, contradicting name check)
    assert.ok(sent > 0);
    assert.deepEqual(r.ids, ['cert.check.ok', 'axl.auth.ok']);
  });

  it('reports axl.tls.certificate-changed and sends nothing when a later connection presents another certificate', async () => {
    // Given an endpoint whose second TLS connection presents another (also trusted) certificate
    const other = testPki().leaf({ cn: 'other.example.test', ip: ['127.0.0.1'], keySlot: 'axl-other' });
    const { r, sent } = await against({ laterCert: { key: other.keyPem, cert: other.chainPem } });
    // Then no request went out on it, and the handshake finding says why
    assert.equal(sent, 0);
    assert.deepEqual(r.ids, ['axl.tls.certificate-changed', 'cert.check.ok']);
    const f = finding(r, 'axl.tls.certificate-changed');
    assert.equal(f.evidence.presented, other.cert.fingerprint256);
    assert.equal(f.evidence.expected, r.facts.cert?.chain[0]?.fingerprint256);
    assert.notEqual(f.evidence.presented, f.evidence.expected);
    assert.match(f.symptom, /so xfed did not send the credentials over it/);
  });

  it('with --insecure sends the credentials anyway and says so in axl.tls.insecure', async () => {
    // Given the untrusted certificate and --insecure
    const { r, sent } = await against({}, { caPems: [], insecure: true });
    // Then the check ran, and warnings say the certificate was not verified
    assert.ok(sent > 0);
    assert.ok(r.ids.includes('axl.tls.insecure'), r.ids.join());
    assert.ok(r.ids.includes('axl.auth.ok'), r.ids.join());
    assert.ok(!r.ids.includes('axl.auth.not-attempted'));
    assert.equal(r.report.status, 'warn');
  });
});
