/** Unit tests for doctor's pure parts: the layer of each finding id and the text headlines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog } from '../../../src/judge/catalog/index.js';
import { directionLabel, LAYERS, layerOf } from '../../../src/judge/doctor.js';
import { headline } from '../../../src/report/doctor-text.js';
import type { Verdict } from '../../../src/report/model.js';

const plain = { error: String, warning: String, info: String, dim: String, bold: String, ok: String };

describe('doctor layers', () => {
  it('puts every catalog id in one of the six layers, by area', () => {
    for (const id of catalog.keys()) assert.ok(LAYERS.includes(layerOf(id)), id);
    assert.equal(layerOf('dns.srv.target-dot'), 'dns');
    assert.equal(layerOf('xmpp.target.no-address'), 'dns');
    assert.equal(layerOf('tcp.connect.refused'), 'tcp');
    assert.equal(layerOf('xmpp.stream.host-unknown'), 'stream');
    assert.equal(layerOf('tls.handshake.failed'), 'tls');
    assert.equal(layerOf('cert.validity.expired'), 'certificate');
    assert.equal(layerOf('sasl.external.refused'), 'auth');
    assert.equal(layerOf('xmpp.auth.certificate-required'), 'auth');
    assert.equal(layerOf('dialback.verify.timeout'), 'auth');
  });

  it('files a failover warning under the layer of the problem it wraps', () => {
    assert.equal(layerOf('xmpp.target.failover', { problemId: 'tcp.connect.refused' }), 'tcp');
    assert.equal(layerOf('xmpp.target.failover', { problemId: 'cert.name.mismatch' }), 'certificate');
  });

  it('writes directions as "from → to", or "→ to" without --as', () => {
    assert.equal(directionLabel('a.test', 'b.test'), 'a.test → b.test');
    assert.equal(directionLabel(null, 'b.test'), '→ b.test');
  });
});

describe('doctor headlines', () => {
  const base: Verdict = {
    from: 'a.test',
    to: 'b.test',
    status: 'works',
    via: 'dialback',
    brokenLayer: null,
    findingId: null,
    fixOn: null,
    reason: null,
  };

  it('says how a working direction authenticates, and why not by certificate', () => {
    const v = { ...base, reason: 'SASL EXTERNAL refused: b.test refused the certificate of a.test' };
    assert.equal(
      headline(v, plain),
      'a.test → b.test  WORKS via dialback (SASL EXTERNAL refused: b.test refused the certificate of a.test)',
    );
    assert.equal(
      headline({ ...base, via: 'sasl-external' }, plain),
      'a.test → b.test  WORKS via SASL EXTERNAL',
    );
  });

  it('names the broken layer, the reason and the side of the fix', () => {
    const v: Verdict = {
      ...base,
      from: 'b.test',
      to: 'a.test',
      status: 'broken',
      via: null,
      brokenLayer: 'certificate',
      findingId: 'cert.validity.expired',
      fixOn: 'a.test',
      reason: 'Certificate of xmpp.a.test:5269 expired',
    };
    assert.equal(
      headline(v, plain),
      'b.test → a.test  BROKEN at certificate: Certificate of xmpp.a.test:5269 expired (fix on a.test)',
    );
  });

  it('escapes control and bidi characters that came from the peer', () => {
    const v: Verdict = { ...base, status: 'unknown', via: null, reason: 'peer text \u001b[31mred\u202e' };
    assert.equal(headline(v, plain), 'a.test → b.test  UNKNOWN: peer text \\x1b[31mred\\u202e');
  });
});
