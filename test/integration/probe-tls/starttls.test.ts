/** probe tls against scripted peers: STARTTLS policy, handshake, protocol version, certificates, auth offers. */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type tls from 'node:tls';
import { TICKETS_EXPECTED } from '../../../src/protocol/tls/session-tickets.js';
import {
  behaveLikeServer,
  FEATURES,
  features,
  type PeerConn,
  type ScriptedPeer,
  serverHeader,
  startScriptedPeer,
  streamError,
} from '../../fakes/xmpp-peer.js';
import { testPki } from '../../helpers/test-ca.js';
import { probe, serverCert } from './probe-helpers.js';

const DOMAIN = 'peer.test';
const peers: ScriptedPeer[] = [];
after(async () => {
  for (const p of peers) await p.close();
});

async function peer(script: (c: PeerConn) => Promise<void>): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(script);
  peers.push(p);
  return p;
}

/** A receiving server that answers our closing </stream:stream> (as Prosody and ejabberd do). */
async function server(o: Parameters<typeof behaveLikeServer>[1]): Promise<ScriptedPeer> {
  return peer(async (c) => {
    await behaveLikeServer(c, o);
    await c.waitFor(/<\/stream:stream>/);
    c.send('</stream:stream>');
    c.end();
  });
}

const target = (p: ScriptedPeer) => `127.0.0.1:${p.port}`;

describe('probe tls: STARTTLS and authentication offers', () => {
  it('reports only info findings for a server that requires STARTTLS, has a valid certificate and offers dialback', async () => {
    // Given a Prosody-like server: STARTTLS required, a certificate for peer.test, dialback after TLS
    const p = await server({ domain: DOMAIN, tlsOpts: serverCert(DOMAIN), postTls: [FEATURES.dialback] });
    // When we probe it as peer.test
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the report passes with exactly the healthy info findings
    assert.deepEqual(r.ids, ['tls.starttls.required', 'cert.check.ok', 'xmpp.auth.dialback-offered']);
    assert.equal(r.report.status, 'pass');
    const a = r.facts.attempts[0];
    assert.equal(a?.tls?.sni, DOMAIN);
    assert.equal(a?.secureStream?.header?.id, 'post-tls-id');
    assert.equal(a?.close?.peerClosed, true);
    // And the chain is leaf and intermediate as sent, then the --ca root marked as a local anchor
    assert.deepEqual(
      a?.cert?.chain.map((c) => c.trustAnchor ?? false),
      [false, false, true],
    );
  });

  it('reports SASL EXTERNAL and dialback with errors as offered (ejabberd-like)', async () => {
    // Given a server that offers EXTERNAL and dialback with <errors/> after TLS
    const p = await server({ domain: DOMAIN, tlsOpts: serverCert(DOMAIN) });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then both auth options are reported
    assert.deepEqual(r.ids, [
      'tls.starttls.required',
      'cert.check.ok',
      'xmpp.auth.dialback-offered',
      'xmpp.auth.external-offered',
    ]);
    assert.deepEqual(r.report.findings[2]?.evidence.errors, true);
  });

  it('warns when only SASL EXTERNAL is offered after TLS', async () => {
    // Given a server with dialback disabled
    const p = await server({ domain: DOMAIN, tlsOpts: serverCert(DOMAIN), postTls: [FEATURES.external] });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then peers without a trusted certificate are said to fail
    assert.ok(r.ids.includes('xmpp.auth.external-only'));
    assert.equal(r.report.status, 'warn');
  });

  it('fails when neither SASL EXTERNAL nor dialback is offered after TLS', async () => {
    // Given a server that offers only bidi after TLS
    const p = await server({ domain: DOMAIN, tlsOpts: serverCert(DOMAIN), postTls: [FEATURES.bidi] });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then no peer can authenticate
    assert.ok(r.ids.includes('xmpp.auth.none'));
    assert.equal(r.report.status, 'fail');
  });

  it('warns when STARTTLS is offered but not required', async () => {
    // Given a server with TLS optional
    const p = await server({
      domain: DOMAIN,
      tlsOpts: serverCert(DOMAIN),
      requireTls: false,
      postTls: [FEATURES.dialback],
    });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the optional TLS is a warning, and TLS itself still gets checked
    assert.deepEqual(r.ids, ['tls.starttls.optional', 'cert.check.ok', 'xmpp.auth.dialback-offered']);
    assert.equal(r.report.status, 'warn');
  });

  it('fails when STARTTLS is not offered at all', async () => {
    // Given a server without a certificate: dialback only, no STARTTLS
    const p = await server({ domain: DOMAIN });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then STARTTLS missing is the error, and nothing TLS-related is judged
    assert.deepEqual(r.ids, ['tls.starttls.not-offered']);
    assert.deepEqual(r.report.findings[0]?.evidence.features, ['{urn:xmpp:features:dialback}dialback']);
  });

  it('fails when the server answers <starttls/> with <failure/>', async () => {
    // Given a server that advertises STARTTLS but cannot do it
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(DOMAIN) + features(FEATURES.starttlsRequired, FEATURES.dialback));
      await c.waitFor(/<starttls[^>]*\/>/);
      c.send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
      c.end();
    });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the STARTTLS failure is reported
    assert.deepEqual(r.ids, ['tls.starttls.failure']);
  });

  it('names the TLS alert when the handshake fails (no shared cipher -> handshake failure)', async () => {
    // Given a server whose only cipher suites are ones no client enables (NULL encryption, TLS 1.2)
    const tlsOpts: tls.TlsOptions = {
      ...serverCert(DOMAIN),
      maxVersion: 'TLSv1.2',
      ciphers: 'eNULL:@SECLEVEL=0',
    };
    const p = await server({ domain: DOMAIN, tlsOpts });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the handshake failure names the alert
    assert.deepEqual(r.ids, ['tls.handshake.failed']);
    assert.equal(r.report.findings[0]?.evidence.alert, 'handshake failure');
    assert.match(r.report.findings[0]?.title ?? '', /\(handshake failure\)/);
  });

  it('reports a stalled handshake within the deadline when the server says <proceed/> and goes silent', async () => {
    // Given a server that answers <proceed/> and then never speaks TLS
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(DOMAIN) + features(FEATURES.starttlsRequired));
      await c.waitFor(/<starttls[^>]*\/>/);
      c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    });
    // When we probe it with a 400 ms deadline
    const r = await probe({ target: target(p), domain: DOMAIN, timeoutMs: 400 });
    // Then the handshake timeout is reported within roughly that deadline
    assert.deepEqual(r.ids, ['tls.handshake.timeout']);
    assert.ok(r.elapsedMs < 2000, `took ${r.elapsedMs} ms`);
  });

  it('flags TLS 1.0/1.1 as too old while still judging the certificate', async () => {
    // Given a server limited to TLS 1.1
    const tlsOpts: tls.TlsOptions = {
      ...serverCert(DOMAIN),
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.1',
      ciphers: 'DEFAULT:@SECLEVEL=0',
    };
    const p = await server({ domain: DOMAIN, tlsOpts, postTls: [FEATURES.dialback] });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the old protocol is an error
    assert.ok(r.ids.includes('tls.protocol.old'));
    assert.equal(r.report.findings.find((f) => f.id === 'tls.protocol.old')?.evidence.protocol, 'TLSv1.1');
    assert.ok(r.ids.includes('cert.check.ok'));
  });

  it('accepts an ECDSA certificate as well as an RSA one', async () => {
    // Given a server with an ECDSA P-256 certificate for peer.test
    const leaf = testPki().leaf({ cn: DOMAIN, dns: [DOMAIN], key: 'ec256', keySlot: 'probe-tls-ec' });
    const p = await server({
      domain: DOMAIN,
      tlsOpts: { key: leaf.keyPem, cert: leaf.chainPem },
      postTls: [FEATURES.dialback],
    });
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the certificate is parsed (node:crypto) and found valid
    assert.deepEqual(r.ids, ['tls.starttls.required', 'cert.check.ok', 'xmpp.auth.dialback-offered']);
    assert.equal(r.facts.attempts[0]?.cert?.chain[0]?.keyType, 'ec');
  });

  it('judges the certificate against the XMPP domain, not the host connected to', async () => {
    // Given a server whose certificate names only the host localhost
    const p = await server({
      domain: DOMAIN,
      tlsOpts: serverCert('localhost'),
      postTls: [FEATURES.dialback],
    });
    // When we probe localhost:<port> for the domain peer.test
    const r = await probe({ target: `localhost:${p.port}`, domain: DOMAIN });
    // Then the certificate matches only the connect host, which is an error for peer.test
    assert.ok(r.ids.includes('cert.name.matches-srv-target-only'), r.ids.join(','));
    assert.equal(r.facts.attempts[0]?.tls?.sni, DOMAIN);
  });

  it('sends --from on both streams when given', async () => {
    // Given a healthy server
    let seen = '';
    const p = await peer(async (c) => {
      await behaveLikeServer(c, {
        domain: DOMAIN,
        tlsOpts: serverCert(DOMAIN),
        postTls: [FEATURES.dialback],
      });
      seen = await c.waitFor(/<\/stream:stream>/);
      c.end();
    });
    // When we probe with --from probe.example
    const r = await probe({ target: target(p), domain: DOMAIN, from: 'probe.example' });
    // Then the post-TLS header carried from='probe.example' and to='peer.test'
    assert.match(seen, /from='probe\.example'/);
    assert.match(seen, /to='peer\.test'/);
    assert.deepEqual(r.facts.attempts[0]?.secureStream?.sent, { to: DOMAIN, from: 'probe.example' });
    // And so did the plain-text header before STARTTLS
    const headers = (r.report.transcript ?? []).filter(
      (t) => t.dir === 'out' && /<stream:stream [^>]*>/.test(String(t.data)),
    );
    assert.equal(headers.length, 2);
    for (const h of headers) assert.match(String(h.data), /from='probe\.example'[^>]* to='peer\.test'/);
  });
  /** A STARTTLS server that records what arrived on the TLS stream before it answered, then refuses it. */
  function recordingServer(tlsOpts: tls.TlsOptions, seen: { atHeader: string; beforeAnswer: string }) {
    return peer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(DOMAIN) + features(FEATURES.starttlsRequired));
      await c.waitFor(/<starttls[^>]*\/>/);
      c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      await c.startTls(tlsOpts);
      seen.atHeader = await c.waitFor(/<stream:stream[^>]*>/);
      // A slow server (like Prosody with s2s_secure_auth, which then closes): any byte the probe
      // wrote now would still be unread when it closes, and its kernel would reset the connection.
      await new Promise((r) => setTimeout(r, 100));
      seen.beforeAnswer = c.received();
      c.send(serverHeader(DOMAIN, 'x') + streamError('not-authorized', 'no certificate'));
      c.end();
    });
  }

  it('acknowledges TLS 1.3 session tickets inside the restarted header and writes nothing after it until the answer', async () => {
    // Given a TLS 1.3 server (Node sends OpenSSL's two session tickets once it has read our
    // Finished) that answers the restarted stream slowly with a stream error
    const seen = { atHeader: '', beforeAnswer: '' };
    const p = await recordingServer(serverCert(DOMAIN), seen);
    // When we probe it over loopback, waiting for the tickets whatever the round trip, and for as
    // long as they take: that server shares our event loop, so it reads our Finished only after
    // we have parsed its certificate, which on a busy machine can outlast the default wait
    // (the default waits are checked on a mocked clock in test/unit/protocol/tls/session-tickets.test.ts)
    const r = await probe({
      target: target(p),
      domain: DOMAIN,
      ticketWaitMaxRttMs: 1000,
      ticketWaitMs: 10_000,
    });
    // Then the stream error is reported, and the TLS stream started with the XML declaration,
    // one space per ticket but the last, then the start tag, with nothing after it before the answer
    assert.deepEqual(r.ids, ['xmpp.stream.not-authorized', 'tls.starttls.required', 'cert.check.ok']);
    const m = /^<\?xml version='1\.0'\?>( *)<stream:stream [^>]*>$/.exec(seen.atHeader);
    assert.ok(m, seen.atHeader);
    assert.equal(seen.beforeAnswer, seen.atHeader);
    const note = r.report.transcript?.find((t) => /session ticket\(s\) acknowledged/.test(String(t.data)));
    const count = Number(/: (\d+) TLS session ticket/.exec(String(note?.data))?.[1]);
    // (the wait ended at the last expected ticket, not at a deadline: the start tag itself
    // acknowledges that one)
    assert.equal(count, TICKETS_EXPECTED, String(note?.data));
    assert.equal(m[1]?.length, TICKETS_EXPECTED - 1);
  });

  it('sends the restarted header in one piece after a TLS 1.2 handshake (no tickets to wait for)', async () => {
    // Given the same server limited to TLS 1.2
    const seen = { atHeader: '', beforeAnswer: '' };
    const p = await recordingServer({ ...serverCert(DOMAIN), maxVersion: 'TLSv1.2' }, seen);
    // When we probe it
    const r = await probe({ target: target(p), domain: DOMAIN });
    // Then the header came as usual and nothing followed it
    assert.deepEqual(r.ids, ['xmpp.stream.not-authorized', 'tls.starttls.required', 'cert.check.ok']);
    assert.match(seen.atHeader, /^<\?xml version='1\.0'\?><stream:stream [^>]*>$/);
    assert.equal(seen.beforeAnswer, seen.atHeader);
  });
});
