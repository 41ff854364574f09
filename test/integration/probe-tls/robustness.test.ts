/**
 * probe tls against misbehaving peers: silence, a stall mid-stream, garbage, DTDs, an endless
 * stanza, other protocols on the port. Each must end as a finding within the deadline.
 */
import assert from 'node:assert/strict';
import type net from 'node:net';
import { after, describe, it } from 'node:test';
import tls from 'node:tls';
import {
  FEATURES,
  features,
  type PeerConn,
  type ScriptedPeer,
  serverHeader,
  startScriptedPeer,
} from '../../fakes/xmpp-peer.js';
import { probe, serverCert } from './probe-helpers.js';

const DOMAIN = 'peer.test';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

async function peer(script: (c: PeerConn) => Promise<void>): Promise<ScriptedPeer> {
  const p = await startScriptedPeer(script);
  closers.push(() => p.close());
  return p;
}

const HEADER_START =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams'";

describe('probe tls: misbehaving peers', () => {
  it('reports a peer that accepts TCP and stays silent within the deadline', async () => {
    // Given a peer that never sends a byte
    const p = await peer(() => new Promise(() => {}));
    // When we probe it with a 300 ms deadline
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN, timeoutMs: 300 });
    // Then the silence is a timeout finding at the header step, reported in about that time
    assert.deepEqual(r.ids, ['xmpp.stream.timeout']);
    assert.equal(r.report.findings[0]?.evidence.step, 'stream header');
    assert.equal(r.report.findings[0]?.evidence.timeoutMs, 300);
    assert.ok(r.elapsedMs < 1500, `took ${r.elapsedMs} ms`);
  });

  it('reports a peer that stops in the middle of its stream header', async () => {
    // Given a peer that sends half a header and stalls
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(`${HEADER_START} from='peer.t`);
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN, timeoutMs: 300 });
    // Then it is a timeout, not a hang or a crash
    assert.deepEqual(r.ids, ['xmpp.stream.timeout']);
  });

  it('reports a peer that stops after its header without features', async () => {
    // Given a peer that sends a header and then nothing
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(serverHeader(DOMAIN));
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN, timeoutMs: 300 });
    // Then the features step timed out
    assert.deepEqual(r.ids, ['xmpp.stream.timeout']);
    assert.equal(r.report.findings[0]?.evidence.step, 'stream features');
  });

  it('reports garbage as malformed XML', async () => {
    // Given a peer that answers with bytes that are not XML
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send('hello there, this is no XML\r\n');
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then it is xmpp.stream.malformed with the parser's reason
    assert.deepEqual(r.ids, ['xmpp.stream.malformed']);
    assert.ok(String(r.report.findings[0]?.evidence.detail).length > 0);
  });

  it('refuses a DOCTYPE with entity declarations (restricted XML)', async () => {
    // Given a peer that sends a billion-laughs style DTD before its header
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(
        "<?xml version='1.0'?><!DOCTYPE stream:stream [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>]>" +
          `${HEADER_START} from='peer.test' id='x' version='1.0'>&b;`,
      );
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the DTD is restricted XML and nothing was expanded
    assert.deepEqual(r.ids, ['xmpp.stream.restricted-xml']);
    assert.match(String(r.report.findings[0]?.evidence.detail), /DOCTYPE/);
  });

  it('stops reading an endless stanza at the size limit and reports it', async () => {
    // Given a peer that opens <stream:features> and then streams text forever
    let sent = 0;
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(`${serverHeader(DOMAIN)}<stream:features><x>`);
      const chunk = 'a'.repeat(64 * 1024);
      while (!c.socket.destroyed && sent < 64 * 1024 * 1024) {
        c.send(chunk);
        sent += chunk.length;
        await new Promise((r) => setImmediate(r));
      }
    });
    // When we probe it with a generous deadline
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN, timeoutMs: 5000 });
    // Then the probe gives up at the limit (512 KiB), long before the deadline or the 64 MiB the peer would send
    assert.deepEqual(r.ids, ['xmpp.stream.too-large']);
    assert.ok(r.elapsedMs < 4000, `took ${r.elapsedMs} ms`);
    assert.ok(sent < 64 * 1024 * 1024, 'the probe kept reading');
  });

  it('recognises an HTTP server on the port', async () => {
    // Given a web server on the port
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      c.end();
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then it is not XMPP, kind http
    assert.deepEqual(r.ids, ['xmpp.service.not-xmpp']);
    assert.equal(r.report.findings[0]?.evidence.kind, 'http');
  });

  it('recognises an SSH server on the port', async () => {
    // Given an SSH server, which greets first
    const p = await peer(async (c) => {
      c.send('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then it is not XMPP, kind ssh
    assert.deepEqual(r.ids, ['xmpp.service.not-xmpp']);
    assert.equal(r.report.findings[0]?.evidence.kind, 'ssh');
  });

  it('recognises a TLS-first port that just closes on plain XML', async () => {
    // Given a TLS server (direct TLS or HTTPS) on a port we treat as STARTTLS
    const srv = tls.createServer(serverCert(DOMAIN), (s) => s.end());
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise((r) => srv.close(() => r())));
    const port = (srv.address() as net.AddressInfo).port;
    // When we probe it with STARTTLS
    const r = await probe({ target: `127.0.0.1:${port}`, domain: DOMAIN });
    // Then a second connection with a ClientHello shows it is TLS-first
    assert.deepEqual(r.ids, ['xmpp.service.not-xmpp']);
    assert.equal(r.report.findings[0]?.evidence.kind, 'tls');
    assert.equal(r.facts.attempts[0]?.tlsFirst?.ok, true);
  });

  it('recognises a TLS alert sent in answer to plain XML', async () => {
    // Given a TLS stack that answers non-TLS bytes with an alert record (unexpected_message)
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x0a]));
      c.end();
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then it is not XMPP, kind tls
    assert.deepEqual(r.ids, ['xmpp.service.not-xmpp']);
    assert.equal(r.report.findings[0]?.evidence.kind, 'tls');
  });

  it('reports a peer that closes the connection without a word', async () => {
    // Given a peer that closes as soon as our header arrives (a firewall or fail2ban-like reject)
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.end();
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the close is reported; the TLS-first check found no TLS either
    assert.deepEqual(r.ids, ['xmpp.stream.closed']);
    assert.equal(r.facts.attempts[0]?.tlsFirst?.ok, false);
  });

  it('reports an unexpected element where features belong', async () => {
    // Given a peer that sends a stanza instead of <stream:features/>
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(`${serverHeader(DOMAIN)}<message to='x'/>`);
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the element is named
    assert.deepEqual(r.ids, ['xmpp.stream.unexpected-element']);
    assert.equal(r.report.findings[0]?.evidence.element, '{jabber:server}message');
  });

  it('reports an unexpected answer to <starttls/>', async () => {
    // Given a peer that answers <starttls/> with its features again
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(serverHeader(DOMAIN) + features(FEATURES.starttlsRequired));
      await c.waitFor(/<starttls/);
      c.send(features(FEATURES.starttlsRequired));
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the starttls answer step names what came instead
    assert.deepEqual(r.ids, ['xmpp.stream.unexpected-element']);
    assert.equal(r.report.findings[0]?.evidence.step, 'starttls answer');
  });

  it('reports a pre-1.0 stream header (no version, so no features and no STARTTLS)', async () => {
    // Given a legacy server whose header has no version attribute
    const p = await peer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(`${HEADER_START} xmlns:db='jabber:server:dialback' from='peer.test' id='old'>`);
    });
    // When we probe it
    const r = await probe({ target: `127.0.0.1:${p.port}`, domain: DOMAIN });
    // Then the legacy version is the finding
    assert.deepEqual(r.ids, ['xmpp.stream.legacy-version']);
    assert.equal(r.facts.attempts[0]?.stream?.features, null);
  });
});
