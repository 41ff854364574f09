/**
 * STARTTLS offered without <required/>: `xfed dialback verify` reports what was observed and
 * checks it on a second stream that skips STARTTLS. A peer that answers there processes
 * dialback unencrypted (tls.starttls.plaintext-accepted); one that ignores the request
 * enforces TLS without advertising it, as jabberd2 with require_tls does
 * (tls.starttls.enforced-unadvertised). A peer that requires STARTTLS is not checked at all.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { behaveLikeServer, FEATURES, features, type PeerConn, serverHeader } from '../../fakes/xmpp-peer.js';
import { assertValidReport } from '../../helpers/schema.js';
import {
  answerAsAuthoritative,
  attrs,
  DB_ELEMENT,
  PEER,
  runVerify,
  startWorld,
  type World,
} from './world.js';

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
  closeDnsSockets();
});

/** A peer with optional STARTTLS: the first connection does TLS and answers; later ones get `plain`. */
async function optionalTlsPeer(
  plain: (c: PeerConn) => Promise<void>,
): Promise<{ w: World; plainSeen: () => number }> {
  let plainConnections = 0;
  const w = await startWorld({
    onResult: async () => {
      throw new Error('dialback verify sends no db:result');
    },
    async custom(c, index, world) {
      if (index === 0) {
        await behaveLikeServer(c, {
          domain: PEER,
          tlsOpts: { cert: world.certs.peer.chainPem, key: world.certs.peer.keyPem },
          requireTls: false,
          id: 'peer0',
          postTls: [FEATURES.dialbackErrors],
        });
        const m = DB_ELEMENT.exec(await c.waitFor(DB_ELEMENT)) as RegExpExecArray;
        const a = attrs(m[0]);
        await answerAsAuthoritative({
          c,
          index,
          streamId: 'peer0-tls-id',
          kind: 'verify',
          from: a.from ?? '',
          to: a.to ?? '',
          id: a.id ?? '',
          key: m[2] ?? '',
          world,
        });
        return;
      }
      plainConnections++;
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(PEER, 'plain-id'));
      c.send(features(FEATURES.starttls, FEATURES.dialback));
      await plain(c);
    },
  });
  worlds.push(w);
  return { w, plainSeen: () => plainConnections };
}

describe('xfed dialback verify: STARTTLS offered without <required/>', () => {
  it('reports tls.starttls.plaintext-accepted when the peer answers dialback on a stream that skipped STARTTLS', async () => {
    // Given a peer (Prosody with s2s_require_encryption = false) that answers db:verify on plain TCP
    const { w, plainSeen } = await optionalTlsPeer(async (c) => {
      const m = DB_ELEMENT.exec(await c.waitFor(DB_ELEMENT)) as RegExpExecArray;
      const a = attrs(m[0]);
      c.send(`<db:verify from='${a.to}' to='${a.from}' id='${a.id}' type='invalid'/>`);
      await c.waitFor(/<\/stream:stream>/, 5000).catch(() => {});
      c.end();
    });
    const { ids, facts, report } = await runVerify(w);
    // Then the check's outcome replaces the bare observation (one fact, one finding)
    assert.ok(!ids.includes('tls.starttls.optional'), ids.join());
    assert.ok(ids.includes('tls.starttls.plaintext-accepted'), ids.join());
    assert.ok(!ids.includes('tls.starttls.enforced-unadvertised'));
    assert.equal(plainSeen(), 1);
    assert.equal(facts.plaintext?.outcome, 'answered');
    assert.equal(facts.plaintext?.answer, 'invalid');
    const f = report.findings.find((x) => x.id === 'tls.starttls.plaintext-accepted');
    for (const setting of ['s2s_require_encryption', 's2s_use_starttls', '<require_tls>1</require_tls>'])
      assert.ok(f?.fix.includes(setting), setting);
    assertValidReport(report);
  });

  it('reports tls.starttls.enforced-unadvertised when the peer ignores it (jabberd2 with require_tls)', async () => {
    // Given a peer that never answers dialback on a plaintext stream
    const { w } = await optionalTlsPeer(async (c) => {
      await c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
      c.end();
    });
    const started = Date.now();
    const { ids, facts, report } = await runVerify(w, { timeoutMs: 1500 });
    // Then the check waited a bounded time and says TLS is enforced after all
    assert.ok(ids.includes('tls.starttls.enforced-unadvertised'), ids.join());
    assert.ok(!ids.includes('tls.starttls.plaintext-accepted'));
    assert.equal(facts.plaintext?.outcome, 'ignored');
    // And, TLS being enforced, the verdict is a pass, not a warning about optional TLS
    assert.ok(!ids.includes('tls.starttls.optional'));
    assert.equal(report.status, 'pass');
    assert.ok(Date.now() - started < 4000);
    const f = report.findings.find((x) => x.id === 'tls.starttls.enforced-unadvertised');
    assert.equal(f?.severity, 'info');
    assert.match(f?.cause ?? '', /ignored it/);
    assertValidReport(report);
  });

  it('does not check a peer that requires STARTTLS', async () => {
    const w = await startWorld({
      onResult: async () => {},
      onVerify: answerAsAuthoritative,
    });
    worlds.push(w);
    const { ids, facts } = await runVerify(w);
    assert.equal(facts.plaintext, undefined);
    assert.ok(!ids.some((i) => i.startsWith('tls.starttls.p') || i.startsWith('tls.starttls.e')));
    assert.equal(w.peer.connections(), 1);
  });
});
