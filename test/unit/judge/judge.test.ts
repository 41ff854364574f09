import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

  it('turns hits into findings with catalog text and sorts errors first', () => {
    const findings = judge({}, [
      () => [hit('general.check.incomplete', { target: 'x.test', step: 's', reason: 'r' })],
    ]);
    assert.equal(findings.length, 1);
    assert.equal(findings[0]?.id, 'general.check.incomplete');
    assert.match(findings[0]?.symptom ?? '', /x\.test/);
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
