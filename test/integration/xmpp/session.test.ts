/** The stream layer against scripted peers: open, features, STARTTLS, silence, garbage. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectTcp, XmppConnection } from '../../../src/protocol/xmpp/connection.js';
import { openStream, startTls } from '../../../src/protocol/xmpp/session.js';
import { Transcript } from '../../../src/transcript/recorder.js';
import {
  behaveLikeServer,
  FEATURES,
  features,
  type ScriptedPeer,
  serverHeader,
  startScriptedPeer,
  streamError,
} from '../../fakes/xmpp-peer.js';

let cert = '';
let key = '';

before(() => {
  const dir = mkdtempSync(join(tmpdir(), 'xfed-session-'));
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=peer.test',
      '-addext',
      'subjectAltName=DNS:peer.test',
      '-keyout',
      join(dir, 'k.pem'),
      '-out',
      join(dir, 'c.pem'),
    ],
    { stdio: 'ignore' },
  );
  cert = readFileSync(join(dir, 'c.pem'), 'utf8');
  key = readFileSync(join(dir, 'k.pem'), 'utf8');
});

const peers: ScriptedPeer[] = [];
after(async () => {
  for (const p of peers) await p.close();
});

async function connect(peer: ScriptedPeer, transcript?: Transcript): Promise<XmppConnection> {
  const r = await connectTcp(peer.host, peer.port, 2000);
  assert.ok(r.ok);
  return new XmppConnection(r.socket, { transcript });
}

describe('s2s stream session', () => {
  it('opens a stream, reads features, does STARTTLS and restarts the stream', async () => {
    // Given a receiving server that requires STARTTLS
    const peer = await startScriptedPeer((c) =>
      behaveLikeServer(c, { domain: 'peer.test', tlsOpts: { cert, key } }),
    );
    peers.push(peer);
    const t = new Transcript();
    const conn = await connect(peer, t);
    // When we open a stream and negotiate TLS
    const open = await openStream(conn, { to: 'peer.test' }, 2000);
    assert.ok(open.ok);
    assert.equal(open.header.id, 'pre-tls-id');
    assert.deepEqual(open.features?.starttls, { offered: true, required: true });
    const st = await startTls(conn, { servername: 'peer.test', rejectUnauthorized: false }, 2000);
    assert.ok(st.ok);
    assert.match(st.tls.protocol ?? '', /TLSv1\.[23]/);
    const again = await openStream(conn, { to: 'peer.test' }, 2000);
    // Then the restarted stream has a new id and post-TLS features
    assert.ok(again.ok);
    assert.equal(again.header.id, 'post-tls-id');
    assert.deepEqual(again.features?.saslMechanisms, ['EXTERNAL']);
    assert.equal(again.features?.dialback.errors, true);
    await conn.close(200);
    assert.ok(t.entries.some((e) => e.dir === 'out' && e.data.includes('<starttls')));
  });

  it('turns a silent peer into a timeout event', async () => {
    const peer = await startScriptedPeer(async () => {});
    peers.push(peer);
    const conn = await connect(peer);
    const started = Date.now();
    const open = await openStream(conn, { to: 'silent.test' }, 300);
    assert.equal(open.ok, false);
    assert.equal(!open.ok && open.event.kind, 'timeout');
    assert.ok(Date.now() - started < 1500);
    conn.destroy();
  });

  it('reports a stream error sent instead of features', async () => {
    const peer = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(serverHeader('other.test') + streamError('host-unknown', 'This host does not serve peer.test'));
      c.end();
    });
    peers.push(peer);
    const conn = await connect(peer);
    const open = await openStream(conn, { to: 'peer.test' }, 2000);
    assert.ok(
      !open.ok &&
        open.stage === 'features' &&
        open.event.kind === 'element' &&
        open.event.el.local === 'error',
    );
    conn.destroy();
  });

  it('reports a STARTTLS failure answer', async () => {
    const peer = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(serverHeader('peer.test') + features(FEATURES.starttls));
      await c.waitFor(/<starttls/);
      c.send("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:stream>");
      c.end();
    });
    peers.push(peer);
    const conn = await connect(peer);
    assert.ok((await openStream(conn, { to: 'peer.test' }, 2000)).ok);
    const st = await startTls(conn, { servername: 'peer.test' }, 2000);
    assert.ok(!st.ok && st.stage === 'starttls' && st.answer === 'failure');
    conn.destroy();
  });

  it('reports a peer that stops mid-handshake as a handshake timeout', async () => {
    const peer = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(serverHeader('peer.test') + features(FEATURES.starttlsRequired));
      await c.waitFor(/<starttls/);
      c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      // ...and never answers the ClientHello
    });
    peers.push(peer);
    const conn = await connect(peer);
    assert.ok((await openStream(conn, { to: 'peer.test' }, 2000)).ok);
    const st = await startTls(conn, { servername: 'peer.test' }, 300);
    assert.ok(!st.ok && st.stage === 'handshake' && st.tls.reason === 'timeout');
  });

  it('reports refused connections distinctly', async () => {
    const peer = await startScriptedPeer(async () => {});
    const port = peer.port;
    await peer.close();
    const r = await connectTcp('127.0.0.1', port, 1000);
    assert.ok(!r.ok && r.reason === 'refused');
  });
});

describe('hostile input', () => {
  it('stops recording input once the XML is broken', async () => {
    // Given a peer that sends a DOCTYPE and then keeps talking
    const peer = await startScriptedPeer(async (c) => {
      await c.waitFor(/<stream:stream/);
      c.send(`<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a 'b'>]>`);
      await new Promise((r) => setTimeout(r, 50));
      for (let i = 0; i < 20; i++) c.send('x'.repeat(1000));
    });
    peers.push(peer);
    const t = new Transcript();
    const conn = await connect(peer, t);
    // When we open a stream
    const open = await openStream(conn, { to: 'peer.test' }, 2000);
    // Then the parser error is reported and the rest of the input stays out of the transcript
    assert.ok(!open.ok && open.event.kind === 'error' && open.event.code === 'restricted-xml');
    await new Promise((r) => setTimeout(r, 100));
    const inBytes = t.entries.filter((e) => e.dir === 'in').reduce((n, e) => n + e.data.length, 0);
    assert.ok(inBytes < 5000, `transcript kept ${inBytes} bytes of input`);
    assert.ok(t.entries.some((e) => e.data === 'further input ignored after the XML error'));
    conn.destroy();
  });
});
