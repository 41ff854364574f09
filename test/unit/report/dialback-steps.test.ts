/** The step lines of the dialback reports: a completed handshake is no "✓ tls" when the report has TLS or certificate errors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeDialback } from '../../../src/gather/dialback.js';
import type { Report } from '../../../src/report/model.js';

function report(findings: { id: string; severity: 'error' | 'warning' | 'info' }[]): Report {
  return {
    facts: {
      our: 'our.test',
      steps: [
        { step: 'connect', ok: true, atMs: 0, durationMs: 1, detail: 'xmpp.peer.test:5269' },
        { step: 'tls', ok: true, atMs: 1, durationMs: 20, detail: 'TLSv1.3' },
        { step: 'result', ok: true, atMs: 21, durationMs: 2, detail: 'invalid' },
      ],
    },
    findings,
  } as unknown as Report;
}

describe('dialback report steps', () => {
  it('draws ✓ tls for a clean handshake', () => {
    const lines = describeDialback(report([{ id: 'dialback.verify.invalid', severity: 'info' }]));
    assert.ok(
      lines.some((l) => l.startsWith('✓ tls')),
      lines.join('\n'),
    );
  });

  it('draws ✗ tls when the same report has a certificate or TLS error', () => {
    for (const id of ['cert.validity.expired', 'tls.version.obsolete']) {
      const lines = describeDialback(
        report([
          { id, severity: 'error' },
          { id: 'dialback.verify.invalid', severity: 'info' },
        ]),
      );
      assert.ok(
        lines.some((l) => l.startsWith('✗ tls')),
        lines.join('\n'),
      );
      assert.ok(!lines.some((l) => l.startsWith('✓ tls')));
    }
  });
});
