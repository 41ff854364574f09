/**
 * What listens on the XMPP port when it is not XMPP (issue 13): an HTTP server (which waits
 * silently for the end of a request) is named within a couple of seconds, a mail server by its
 * greeting; a peer that sends bytes that are not UTF-8 is reported as such.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, describe, it } from 'node:test';
import { NUDGE_AFTER_MS } from '../../../src/gather/tls.js';
import { FEATURES, features, type PeerConn, serverHeader, startScriptedPeer } from '../../fakes/xmpp-peer.js';
import { probe } from './probe-helpers.js';

const DOMAIN = 'peer.test';
const closers: (() => Promise<void>)[] = [];
after(async () => {
  for (const c of closers) await c();
});

async function peer(script: (c: PeerConn) => Promise<void>): Promise<number> {
  const p = await startScriptedPeer(script);
  closers.push(() => p.close());
  return p.port;
}

describe('probe tls: services that are not XMPP', () => {
  it('names an HTTP server on the port within a couple of seconds, not after the 10 s deadline', async () => {
    // Given a plain HTTP server (it waits for the end of a request head before answering)
    const server = http.createServer((_req, res) => res.end('hello'));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(
      () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    );
    const port = (server.address() as AddressInfo).port;
    // When probe tls connects to it with the default 10 s deadline
    const r = await probe({ target: `127.0.0.1:${port}`, domain: DOMAIN, timeoutMs: 10_000 });
    // Then the web server is named, about NUDGE_AFTER_MS after the header went out
    assert.deepEqual(r.ids, ['xmpp.service.not-xmpp']);
    assert.equal(r.report.findings[0]?.evidence.kind, 'http');
    assert.match(String(r.report.findings[0]?.evidence.detail), /HTTP\/1\.1 400/);
    assert.ok(r.elapsedMs < NUDGE_AFTER_MS + 1500, `took ${r.elapsedMs} ms`);
  });

  it('still reports a silent peer as a stream timeout of the whole deadline', async () => {
    // Given a peer that accepts and never says anything
    const port = await peer(async (c) => {
      await c.waitFor(/\r\n\r\n/, 5000).catch(() => {});
      await new Promise((res) => setTimeout(res, 5000));
    });
    // When probe tls waits 2 s for it
    const r = await probe({ target: `127.0.0.1:${port}`, domain: DOMAIN, timeoutMs: 2000 });
    // Then the timeout names the whole deadline, and blank lines were all it got after the header
    assert.deepEqual(r.ids, ['xmpp.stream.timeout']);
    assert.equal(r.report.findings[0]?.evidence.timeoutMs, 2000);
  });

  it('names a mail server by its SMTP greeting', async () => {
    const port = await peer(async (c) => {
      c.send('220 mail.peer.test ESMTP Postfix\r\n');
      await c.waitFor(/\r\n\r\n/, 5000).catch(() => {});
    });
    const r = await probe({ target: `127.0.0.1:${port}`, domain: DOMAIN, timeoutMs: 3000 });
    assert.deepEqual(r.ids, ['xmpp.service.not-xmpp']);
    assert.equal(r.report.findings[0]?.evidence.kind, 'smtp');
    assert.match(String(r.report.findings[0]?.evidence.detail), /220 mail\.peer\.test ESMTP Postfix/);
  });

  it('reports bytes that are not UTF-8 as such', async () => {
    // Given a server whose features contain a Latin-1 byte (0xe9, "é" in ISO-8859-1)
    const port = await peer(async (c) => {
      await c.waitFor(/<stream:stream[^>]*>/);
      c.send(serverHeader(DOMAIN));
      c.socket.write(
        Buffer.concat([
          Buffer.from("<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/><x>caf"),
          Buffer.from([0xe9]),
          Buffer.from('</x></stream:features>'),
        ]),
      );
      await c.waitFor(/<\/stream:stream>/, 3000).catch(() => {});
    });
    const r = await probe({ target: `127.0.0.1:${port}`, domain: DOMAIN, timeoutMs: 3000 });
    assert.deepEqual(r.ids, ['xmpp.stream.invalid-utf8']);
    assert.match(String(r.report.findings[0]?.evidence.detail), /not valid UTF-8 .*0xe9/);
    assert.equal(r.report.findings[0]?.evidence.step, 'stream features');
    void features;
    void FEATURES;
  });
});
