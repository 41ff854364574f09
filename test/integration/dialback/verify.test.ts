/**
 * xfed dialback verify against scripted authoritative servers: the healthy 'invalid', a peer
 * that validates a random key, error answers, stream errors, silence, a close, a peer
 * without dialback, uncorrelated answers, and the DNS/TCP failures judged by the probe tls rules.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { FEATURES, features, serverHeader, startScriptedPeer, streamError } from '../../fakes/xmpp-peer.js';
import { assertValidReport } from '../../helpers/schema.js';
import {
  answerAsAuthoritative,
  attrs,
  certs,
  DB_ELEMENT,
  freePort,
  OUR,
  PEER,
  type PeerBehaviour,
  type Received,
  runVerify,
  startWorld,
  type World,
} from './world.js';

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
  closeDnsSockets();
});

const unused = async () => {
  throw new Error('xfed dialback verify must not send db:result');
};

async function world(
  onVerify: (r: Received) => Promise<void>,
  extra: Partial<PeerBehaviour> = {},
): Promise<World> {
  const w = await startWorld({ onResult: unused, onVerify, ...extra });
  worlds.push(w);
  return w;
}

async function answerThenWait(r: Received, xml: string): Promise<void> {
  r.c.send(xml);
  await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
  r.c.end();
}

const dialbackIds = (ids: string[]) => ids.filter((i) => i.startsWith('dialback.'));

describe('xfed dialback verify', () => {
  it("reports the healthy 'invalid' answer to a random key, with the impersonation notice", async () => {
    // Given peer.test's authoritative server, which recomputes its keys
    const w = await world(answerAsAuthoritative);
    // When xfed asks it to verify a random key
    const { ids, facts, report } = await runVerify(w);
    // Then the answer is invalid, which proves the authoritative path works
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.invalid', 'dialback.verify.impersonation-notice']);
    assert.equal(report.status, 'pass');
    assert.equal(facts.answer?.outcome, 'invalid');
    assert.equal(facts.answer?.keyEchoed, false);
    assert.equal(facts.request?.keyLength, 64);
    assert.deepEqual(
      facts.steps.map((s) => s.step),
      ['dns', 'connect', 'tls', 'result'],
    );
    assertValidReport(report);
  });

  it('notes that the answer echoed the key (as Prosody does)', async () => {
    const w = await world((r) =>
      answerThenWait(
        r,
        `<db:verify from='${PEER}' to='${OUR}' id='${r.id}' type='invalid'>${r.key}</db:verify>`,
      ),
    );
    const { facts } = await runVerify(w);
    assert.equal(facts.answer?.keyEchoed, true);
  });

  it('flags a peer that validates a random key as dialback.verify.valid', async () => {
    const w = await world((r) =>
      answerThenWait(r, `<db:verify from='${PEER}' to='${OUR}' id='${r.id}' type='valid'/>`),
    );
    const { ids, report } = await runVerify(w);
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.valid', 'dialback.verify.impersonation-notice']);
    assert.equal(report.status, 'fail');
  });

  it('reports an error answer as dialback.verify.error with its condition', async () => {
    const w = await world((r) =>
      answerThenWait(
        r,
        `<db:verify from='${PEER}' to='${OUR}' id='${r.id}' type='error'><error type='cancel'><item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></db:verify>`,
      ),
    );
    const { ids, report } = await runVerify(w);
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.error', 'dialback.verify.impersonation-notice']);
    assert.equal(report.findings[0]?.evidence.condition, 'item-not-found');
  });

  it('reports silence as dialback.verify.timeout', async () => {
    const w = await world(async (r) => {
      await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
      r.c.end();
    });
    const started = Date.now();
    const { ids } = await runVerify(w, { timeoutMs: 500 });
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.timeout', 'dialback.verify.impersonation-notice']);
    assert.ok(Date.now() - started < 3000);
  });

  it('reports a close without an answer as dialback.verify.closed', async () => {
    const w = await world(async (r) => {
      r.c.send('</stream:stream>');
      r.c.end();
    });
    const { ids } = await runVerify(w);
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.closed', 'dialback.verify.impersonation-notice']);
  });

  it('reports a not-authorized stream error as dialback.stream.not-authorized', async () => {
    const w = await world(async (r) => {
      r.c.send(streamError('not-authorized', "Your server's certificate is not trusted"));
      r.c.end();
    });
    const { ids, report } = await runVerify(w);
    assert.deepEqual(dialbackIds(ids), [
      'dialback.stream.not-authorized',
      'dialback.verify.impersonation-notice',
    ]);
    assert.equal(report.findings[0]?.evidence.step, 'db:verify');
  });

  it('drops answers that do not correlate (wrong id) and waits for the real one', async () => {
    const w = await world((r) =>
      answerThenWait(
        r,
        `<db:verify from='${PEER}' to='${OUR}' id='not-${r.id}' type='valid'/><db:verify from='${PEER}' to='${OUR}' id='${r.id}' type='invalid'/>`,
      ),
    );
    const { ids, facts } = await runVerify(w);
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.invalid', 'dialback.verify.impersonation-notice']);
    assert.equal(facts.answer?.ignored, 1);
  });

  it('drops a typed answer without an id (correlation needs from, to and id) and takes the real one', async () => {
    // Given a peer that first answers valid without any id, then properly
    const w = await world((r) =>
      answerThenWait(
        r,
        `<db:verify from='${PEER}' to='${OUR}' type='valid'/><db:verify from='${PEER}' to='${OUR}' id='${r.id}' type='invalid'/>`,
      ),
    );
    const { ids, facts } = await runVerify(w);
    // Then the id-less 'valid' answered nothing xfed asked
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.invalid', 'dialback.verify.impersonation-notice']);
    assert.equal(facts.answer?.ignored, 1);
  });

  it('reports only uncorrelated answers as dialback.verify.timeout, with the count of dropped elements', async () => {
    // Given a peer that answers with another id and then stays silent
    const w = await world((r) =>
      answerThenWait(r, `<db:verify from='${PEER}' to='${OUR}' id='not-${r.id}' type='invalid'/>`),
    );
    const { ids, report } = await runVerify(w, { timeoutMs: 500 });
    assert.deepEqual(dialbackIds(ids), ['dialback.verify.timeout', 'dialback.verify.impersonation-notice']);
    const f = report.findings.find((x) => x.id === 'dialback.verify.timeout');
    assert.equal(f?.evidence.ignored, 1);
    assert.match(f?.cause ?? '', /another from, to or id/);
  });

  it('warns with dialback.our-cert.name-mismatch when the client certificate does not name --as', async () => {
    const w = await world(answerAsAuthoritative);
    const { ids, report } = await runVerify(w, { cert: w.certs.ourHostOnly });
    assert.deepEqual(dialbackIds(ids), [
      'dialback.our-cert.name-mismatch',
      'dialback.verify.invalid',
      'dialback.verify.impersonation-notice',
    ]);
    assert.equal(report.status, 'warn');
    // And a certificate that names our.test gives no such warning
    const ok = await runVerify(w, { cert: w.certs.our });
    assert.ok(!ok.ids.includes('dialback.our-cert.name-mismatch'), ok.ids.join());
    assert.equal(ok.report.status, 'pass');
  });

  it('does not send db:verify to a peer without dialback (dialback.feature.not-offered)', async () => {
    const w = await world(answerAsAuthoritative, { postTls: [FEATURES.external] });
    const { ids, facts } = await runVerify(w);
    assert.deepEqual(dialbackIds(ids), ['dialback.feature.not-offered']);
    assert.equal(facts.request, undefined);
  });

  it('reaches an _xmpps-server target with direct TLS (XEP-0368) and asks there', async () => {
    // Given a domain whose only SRV record is a direct-TLS target
    const k = certs();
    const direct = await startScriptedPeer(async (c) => {
      await c.startTls({ cert: k.peer.chainPem, key: k.peer.keyPem, ALPNProtocols: ['xmpp-server'] });
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader('direct.test', 'direct-id') + features(FEATURES.dialbackErrors));
      const buf = await c.waitFor(DB_ELEMENT);
      const a = attrs((DB_ELEMENT.exec(buf) as RegExpExecArray)[0]);
      c.send(`<db:verify from='direct.test' to='${a.from}' id='${a.id}' type='invalid'/>`);
      await c.waitFor(/<\/stream:stream>/).catch(() => {});
      c.end();
    });
    const w = await startWorld(
      { onResult: unused },
      {
        '_xmpps-server._tcp.direct.test': [
          { type: 'SRV', data: { priority: 0, weight: 0, port: direct.port, target: 'tls.direct.test' } },
        ],
        'tls.direct.test': [{ type: 'A', data: '127.0.0.1' }],
      },
    );
    worlds.push(w);
    try {
      const { ids, facts } = await runVerify(w, { peer: 'direct.test' });
      // Then the probe used TLS from the first byte with ALPN xmpp-server, and got the answer
      assert.deepEqual(dialbackIds(ids), ['dialback.verify.invalid', 'dialback.verify.impersonation-notice']);
      const a = facts.outbound.attempts[0];
      assert.equal(a?.directTls, true);
      assert.equal(a?.tls?.alpn, 'xmpp-server');
      assert.ok(ids.includes('tls.direct.ok'), ids.join());
    } finally {
      await direct.close();
    }
  });

  it('leaves DNS and TCP failures to the probe tls rules (same ids as probe tls)', async () => {
    // Given a domain without any DNS, and one whose SRV target refuses connections
    const port = await freePort();
    const w = await startWorld(
      { onResult: unused },
      {
        '_xmpp-server._tcp.refused.test': [
          { type: 'SRV', data: { priority: 0, weight: 0, port, target: 'xmpp.refused.test' } },
        ],
        'xmpp.refused.test': [{ type: 'A', data: '127.0.0.1' }],
      },
    );
    worlds.push(w);
    const nx = await runVerify(w, { peer: 'nothere.test' });
    assert.ok(nx.ids.includes('dns.domain.nxdomain'), nx.ids.join());
    const refused = await runVerify(w, { peer: 'refused.test' });
    assert.deepEqual(refused.ids, ['tcp.connect.refused']);
  });
});
