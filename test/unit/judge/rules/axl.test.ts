/** AXL rules as a table: facts in, exact finding ids out (no network). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AxlBody, AxlExchange, AxlFacts } from '../../../../src/facts/axl.js';
import { judge } from '../../../../src/judge/judge.js';
import { axlRules } from '../../../../src/judge/rules/axl.js';

const PAGE: AxlExchange = {
  step: 'service-page',
  method: 'GET',
  path: '/axl/',
  auth: 'basic',
  status: 200,
  body: { kind: 'service-page' },
  durationMs: 5,
};
const post = (over: Partial<AxlExchange>): AxlExchange => ({
  step: 'version',
  method: 'POST',
  path: '/axl/',
  operation: 'getCCMVersion',
  axlVersion: '15.0',
  auth: 'session-cookie',
  status: 200,
  body: { kind: 'soap-response', element: 'getCCMVersionResponse' },
  durationMs: 5,
  ...over,
});

function facts(over: Partial<AxlFacts> = {}): AxlFacts {
  return {
    endpoint: {
      host: 'imp.example.test',
      port: 8443,
      hostPort: 'imp.example.test:8443',
      url: 'https://imp.example.test:8443/axl/',
    },
    user: 'expressway-axl',
    insecure: false,
    queryS2s: false,
    timeoutMs: 5000,
    maxBodyBytes: 1048576,
    tls: { status: 'ok', value: { protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }, durationMs: 3 },
    exchanges: [],
    ...over,
  };
}

const ids = (f: AxlFacts) => judge(f, axlRules).map((x) => x.id);

describe('axl rules', () => {
  it('maps each step-ending answer to its finding', () => {
    const table: [string, AxlExchange[], string[]][] = [
      [
        '401 on the page',
        [{ ...PAGE, status: 401, body: { kind: 'html', snippet: 'HTTP Status 401' } }],
        ['axl.auth.unauthorized'],
      ],
      ['403 on the call', [PAGE, post({ status: 403 })], ['axl.auth.forbidden']],
      ['404 on the page', [{ ...PAGE, status: 404 }], ['axl.service.not-found']],
      [
        '503 after the retry',
        [PAGE, post({ status: 503, retryAfterS: 2 }), post({ status: 503 })],
        ['axl.service.throttled'],
      ],
      [
        '599 everywhere',
        [
          PAGE,
          post({
            status: 599,
            body: { kind: 'version-rejected', supported: [], text: 'Incorrect axl version' },
          }),
        ],
        ['axl.version.unsupported'],
      ],
      [
        '500 fault',
        [PAGE, post({ status: 500, body: { kind: 'soap-fault', axlcode: '-1', axlmessage: 'busy' } })],
        ['axl.soap.fault'],
      ],
      ['200 not SOAP', [PAGE, post({ body: { kind: 'other', snippet: '{}' } })], ['axl.endpoint.not-axl']],
      ['302', [{ ...PAGE, status: 302, location: '/login' }], ['axl.http.unexpected-status']],
      [
        'silent',
        [
          {
            ...PAGE,
            status: undefined,
            body: undefined,
            error: { reason: 'timeout', message: 'x', phase: 'headers' },
          },
        ],
        ['axl.http.timeout'],
      ],
      [
        'closed',
        [
          {
            ...PAGE,
            status: undefined,
            body: undefined,
            error: { reason: 'closed', message: 'other side closed', phase: 'headers' },
          },
        ],
        ['axl.http.failed'],
      ],
      ['truncated', [{ ...PAGE, truncated: true }], ['axl.http.failed']],
    ];
    for (const [name, exchanges, expected] of table)
      assert.deepEqual(ids(facts({ exchanges })), expected, name);
  });

  it('lists each rejected version once, although a 503 made xfed repeat a request', () => {
    const rejected: AxlBody = { kind: 'version-rejected', supported: [], text: 'Incorrect axl version' };
    const exchanges = [
      PAGE,
      post({ status: 503, retryAfterS: 1 }),
      post({ status: 599, body: rejected }),
      post({ axlVersion: '14.0', status: 599, body: rejected }),
    ];
    const [f] = judge(facts({ exchanges, throttleWaitMs: 1000 }), axlRules);
    assert.equal(f?.id, 'axl.version.unsupported');
    assert.deepEqual(f?.evidence.tried, ['15.0', '14.0']);
  });

  it('a 599 followed by an accepted version is not a failure', () => {
    const exchanges = [
      PAGE,
      post({ status: 599, body: { kind: 'version-rejected', supported: ['14.0'], text: '' } }),
      post({ axlVersion: '14.0' }),
    ];
    assert.deepEqual(ids(facts({ exchanges, negotiatedVersion: '14.0' })), ['axl.auth.ok']);
    assert.deepEqual(ids(facts({ exchanges, negotiatedVersion: '14.0', requestedVersion: '15.0' })), [
      'axl.version.mismatch',
      'axl.auth.ok',
    ]);
  });

  it('maps connection failures by reason', () => {
    const table: [string, string][] = [
      ['refused', 'axl.connect.refused'],
      ['timeout', 'axl.connect.timeout'],
      ['tls-error', 'axl.tls.handshake-failed'],
      ['unreachable', 'axl.connect.failed'],
    ];
    for (const [reason, id] of table) {
      const tls = {
        status: 'error',
        reason,
        message: 'm',
        durationMs: 1,
        detail: { step: 'TCP connect' },
      } as AxlFacts['tls'];
      assert.deepEqual(ids(facts({ tls })), [id], reason);
    }
  });

  it('judges xmpps2snodes: empty, present, missing table', () => {
    const base = { exchanges: [PAGE, post({})], negotiatedVersion: '15.0' };
    assert.deepEqual(ids(facts({ ...base, s2sNodes: { rows: [], truncated: false } })), [
      'axl.s2s.empty',
      'axl.auth.ok',
    ]);
    assert.deepEqual(
      ids(facts({ ...base, s2sNodes: { rows: [{ pkid: 'p', cp_id: 'c' }], truncated: false } })),
      ['axl.auth.ok', 'axl.s2s.present'],
    );
    const missing = post({
      step: 'xmpps2snodes',
      operation: 'executeSQLQuery',
      status: 500,
      body: {
        kind: 'soap-fault',
        axlcode: '-206',
        axlmessage: 'The specified table (xmpps2snodes) is not in the database.',
      },
    });
    assert.deepEqual(ids(facts({ ...base, exchanges: [...base.exchanges, missing] })), [
      'axl.s2s.table-missing',
      'axl.auth.ok',
    ]);
  });

  it('reports withheld credentials and --insecure', () => {
    assert.deepEqual(
      ids(facts({ credentialsWithheld: { because: 'certificate-not-verified', error: 'CERT_HAS_EXPIRED' } })),
      ['axl.auth.not-attempted'],
    );
    assert.deepEqual(ids(facts({ insecure: true })), ['axl.tls.insecure']);
  });
});
