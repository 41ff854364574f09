/** probe tls against scripted peers that close the stream with an error: one finding id per condition (RFC 6120 §4.9.3). */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  behaveLikeServer,
  FEATURES,
  features,
  type ScriptedPeer,
  serverHeader,
  startScriptedPeer,
  streamError,
} from '../../fakes/xmpp-peer.js';
import { probe, serverCert } from './probe-helpers.js';

const DOMAIN = 'peer.test';
const peers: ScriptedPeer[] = [];
after(async () => {
  for (const p of peers) await p.close();
});

/** A peer that answers our header with its own header and then the given stream error. */
async function erroringPeer(condition: string, body = '', text?: string): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(async (c) => {
    await c.waitFor(/<stream:stream[^>]*>/);
    const err = body
      ? `<stream:error><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-streams'>${body}</${condition}></stream:error></stream:stream>`
      : streamError(condition, text);
    c.send(serverHeader(DOMAIN) + err);
    c.end();
  });
  peers.push(p);
  return p;
}

const TABLE: { condition: string; id: string; from?: string; body?: string; also?: string[] }[] = [
  { condition: 'host-unknown', id: 'xmpp.stream.host-unknown' },
  { condition: 'host-gone', id: 'xmpp.stream.host-gone' },
  { condition: 'policy-violation', id: 'xmpp.stream.policy-violation' },
  { condition: 'not-authorized', id: 'xmpp.stream.not-authorized' },
  { condition: 'improper-addressing', id: 'xmpp.stream.improper-addressing', from: 'probe.example' },
  { condition: 'invalid-from', id: 'xmpp.stream.invalid-from', from: 'probe.example' },
  { condition: 'improper-addressing', id: 'xmpp.stream.from-required' },
  { condition: 'invalid-namespace', id: 'xmpp.stream.invalid-namespace' },
  // The redirect is followed once (to a loopback port where nothing listens).
  {
    condition: 'see-other-host',
    id: 'xmpp.stream.see-other-host',
    body: '127.0.0.1:1',
    also: ['tcp.connect.refused', 'xmpp.stream.redirect-followed'],
  },
  { condition: 'system-shutdown', id: 'xmpp.stream.system-shutdown' },
  { condition: 'unsupported-version', id: 'xmpp.stream.unsupported-version' },
  { condition: 'connection-timeout', id: 'xmpp.stream.connection-timeout' },
  { condition: 'resource-constraint', id: 'xmpp.stream.resource-constraint' },
  { condition: 'internal-server-error', id: 'xmpp.stream.internal-server-error' },
  { condition: 'undefined-condition', id: 'xmpp.stream.error-other' },
  { condition: 'reset', id: 'xmpp.stream.error-other' },
];

describe('probe tls: stream errors', () => {
  for (const row of TABLE) {
    it(`maps <${row.condition}/>${row.from ? ` (with --from)` : ''} to ${row.id}`, async () => {
      // Given a peer that closes our stream with <condition/> and a text
      const p = await erroringPeer(row.condition, row.body, 'peer says why');
      // When we probe it
      const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN, from: row.from });
      // Then exactly that finding is reported, with the condition and the peer's text as evidence
      assert.deepEqual(r.ids, [row.id, ...(row.also ?? [])]);
      const ev = r.report.findings[0]?.evidence ?? {};
      assert.equal(ev.condition, row.condition);
      assert.equal(ev.endpoint, `127.0.0.1:${p.port}`);
      if (!row.body) assert.equal(ev.text, 'peer says why');
      if (row.body) assert.equal(ev.otherHost, row.body);
      assert.equal(r.report.status, 'fail');
    });
  }

  it('says "this server does not serve <domain>" for host-unknown, naming the real host and port', async () => {
    // Given a server that does not host peer.test
    const p = await erroringPeer('host-unknown');
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the text names the endpoint and the domain
    const f = r.report.findings[0];
    assert.equal(f?.title, `127.0.0.1:${p.port} does not serve peer.test (host-unknown)`);
    assert.match(f?.cause ?? '', /this server does not serve peer\.test/);
    assert.match(f?.fix ?? '', /VirtualHost "peer\.test"/);
  });

  it('maps a stream error after STARTTLS (on the TLS stream) the same way', async () => {
    // Given a server that negotiates TLS and then refuses the restarted stream with policy-violation
    const tlsOpts = serverCert(DOMAIN);
    const p = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(DOMAIN) + features(FEATURES.starttlsRequired));
      await c.waitFor(/<starttls[^>]*\/>/);
      c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      await c.startTls(tlsOpts);
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(DOMAIN, 'x') + streamError('policy-violation', 'no s2s for you'));
      c.end();
    });
    peers.push(p);
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the policy violation is reported for the TLS stream step, next to the TLS facts
    assert.deepEqual(r.ids, ['xmpp.stream.policy-violation', 'tls.starttls.required', 'cert.check.ok']);
    assert.equal(r.report.findings[0]?.evidence.step, 'TLS stream features');
  });

  it('follows see-other-host once and says the redirect target works', async () => {
    // Given a server that redirects to a healthy server
    const good = await startScriptedPeer(async (c) => {
      await behaveLikeServer(c, {
        domain: DOMAIN,
        tlsOpts: serverCert(DOMAIN),
        postTls: [FEATURES.dialback],
      });
      await c.waitFor(/<\/stream:stream>/);
      c.send('</stream:stream>');
      c.end();
    });
    peers.push(good);
    const p = await erroringPeer('see-other-host', `127.0.0.1:${good.port}`);
    // When we probe the redirecting server
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the redirect stays an error (most servers do not follow it), and its target is healthy
    assert.deepEqual(r.ids, ['xmpp.stream.see-other-host', 'xmpp.stream.redirect-followed']);
    const ev = r.report.findings[1]?.evidence ?? {};
    assert.equal(ev.result, 'works');
    assert.equal(ev.otherEndpoint, `127.0.0.1:${good.port}`);
    assert.equal(r.facts.attempts[0]?.redirect?.attempt?.tlsEstablished, true);
    assert.equal(r.facts.attempts[0]?.redirect?.attempt?.redirect, undefined);
  });

  it('reports the problems of the redirect target, naming it', async () => {
    // Given a server that redirects to one with a wrong-name certificate
    const bad = await startScriptedPeer(async (c) => {
      await behaveLikeServer(c, {
        domain: DOMAIN,
        tlsOpts: serverCert('other.test'),
        postTls: [FEATURES.dialback],
      });
      await c.waitFor(/<\/stream:stream>/);
      c.send('</stream:stream>');
      c.end();
    });
    peers.push(bad);
    const p = await erroringPeer('see-other-host', `127.0.0.1:${bad.port}`);
    // When we probe the redirecting server
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the redirect target's certificate error names its endpoint, and the redirect "fails"
    const mismatch = r.report.findings.find((f) => f.id === 'cert.name.mismatch');
    assert.equal(mismatch?.evidence.endpoint, `127.0.0.1:${bad.port}`);
    const followed = r.report.findings.find((f) => f.id === 'xmpp.stream.redirect-followed');
    assert.equal(followed?.evidence.result, 'fails');
  });

  it('follows a redirect only once (a server that redirects to itself)', async () => {
    // Given a server that redirects every connection to itself
    let port = 0;
    const loop = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(
        `${serverHeader(DOMAIN)}<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>127.0.0.1:${port}</see-other-host></stream:error></stream:stream>`,
      );
      c.end();
    });
    peers.push(loop);
    port = loop.port;
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${port}`, domain: DOMAIN });
    // Then it was connected to twice: the target and the redirect, not more
    assert.equal(loop.connections(), 2);
    assert.equal(r.facts.attempts[0]?.redirect?.attempt?.redirect, undefined);
    assert.deepEqual(r.ids, [
      'xmpp.stream.see-other-host',
      'xmpp.stream.see-other-host',
      'xmpp.stream.redirect-followed',
    ]);
  });
});
