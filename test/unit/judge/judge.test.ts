import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalogEntry } from '../../../src/judge/catalog/index.js';
import { fillTemplate, hit, judge } from '../../../src/judge/judge.js';
import { exitCodeFor, statusOf } from '../../../src/report/model.js';

describe('judge', () => {
  it('fills placeholders from evidence and marks unknown ones', () => {
    assert.equal(
      fillTemplate('{host}:{port} {nope}', { host: 'a.test', port: 5269 }),
      'a.test:5269 (unknown)',
    );
    assert.equal(fillTemplate('names: {names}', { names: ['a', 'b'] }), 'names: a, b');
  });

  it('turns hits into findings with catalog text and sorts errors first, keeping rule order', () => {
    const okEvidence = { ...catalogEntry('dns.srv.ok').exampleEvidence, domain: 'x.test' };
    const nxEvidence = { ...catalogEntry('dns.domain.nxdomain').exampleEvidence, domain: 'y.test' };
    const findings = judge({}, [
      () => [hit('dns.srv.ok', okEvidence)],
      () => [
        hit('dns.domain.nxdomain', nxEvidence),
        hit('dns.srv.legacy-jabber', catalogEntry('dns.srv.legacy-jabber').exampleEvidence),
      ],
    ]);
    assert.deepEqual(
      findings.map((f) => [f.id, f.severity]),
      [
        ['dns.domain.nxdomain', 'error'],
        ['dns.srv.ok', 'info'],
        ['dns.srv.legacy-jabber', 'info'],
      ],
    );
    assert.match(findings[0]?.title ?? '', /y\.test/);
    assert.match(findings[1]?.symptom ?? '', /x\.test/);
    assert.deepEqual(findings[1]?.evidence, okEvidence);
  });

  it('status is the worst severity and --fail-on decides the exit code', () => {
    assert.equal(statusOf([]), 'pass');
    assert.equal(statusOf([{ severity: 'info' }, { severity: 'warning' }]), 'warn');
    assert.equal(statusOf([{ severity: 'warning' }, { severity: 'error' }]), 'fail');
    const warn = { status: 'warn' } as Parameters<typeof exitCodeFor>[0][number];
    assert.equal(exitCodeFor([warn], 'error'), 0);
    assert.equal(exitCodeFor([warn], 'warning'), 1);
  });
});
