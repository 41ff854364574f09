/**
 * Integration: the chain exactly as sent. A real node:tls server sends its certificate file as
 * written (OpenSSL keeps the order of the extra certificates), the client handshakes over
 * HandshakeCapture as XmppConnection.upgradeClient does, and sentChain() must give the wire
 * order, the extra certificates and the count, for TLS 1.2 and every TLS 1.3 cipher suite,
 * while peerChain() keeps giving the verified path. The cert rules then name the positions.
 */
import assert from 'node:assert/strict';
import net, { type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import tls from 'node:tls';
import type { CertCheckFacts } from '../../../src/facts/cert.js';
import { judge } from '../../../src/judge/judge.js';
import { certRules } from '../../../src/judge/rules/cert.js';
import { peerChain, sentChain } from '../../../src/protocol/tls/certificate.js';
import { trustAnchors, trustFromSocket } from '../../../src/protocol/tls/trust.js';
import { HandshakeCapture, readWireChain, sentChainBytes } from '../../../src/protocol/tls/wire-chain.js';
import { deadline } from '../../helpers/deadline.js';
import { createIntermediate, createRoot, testPki } from '../../helpers/test-ca.js';

const pki = testPki();
const leaf = pki.leaf({ cn: 'example.org', dns: ['example.org'] });
const other = createIntermediate(createRoot({ cn: 'Other Root' }), { cn: 'Unrelated Issuing CA' });

interface Served {
  certPem: string;
  server?: tls.TlsOptions;
}

/** Serves `certPem` (the file as a server admin wrote it) and gathers facts through the capture. */
async function gather(s: Served): Promise<{ facts: CertCheckFacts; protocol: string | null; echo: string }> {
  const server = tls.createServer({ key: leaf.keyPem, cert: s.certPem, ...s.server }, (sock) => {
    // Echo one line so the test also proves the tap carries application data both ways.
    sock.once('data', (d) => sock.end(d));
  });
  await deadline(new Promise<void>((r) => server.listen(0, '127.0.0.1', r)), 'listen');
  const { port } = server.address() as AddressInfo;
  const raw = net.connect({ host: '127.0.0.1', port });
  await deadline(new Promise((r) => raw.once('connect', r)), 'connect');
  const capture = new HandshakeCapture(raw);
  const socket = tls.connect({
    socket: capture.stream,
    servername: 'example.org',
    ca: trustAnchors([pki.root.certPem]),
    rejectUnauthorized: false,
  });
  capture.attach(socket);
  try {
    await deadline(
      new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      }),
      'TLS handshake',
    );
    const facts: CertCheckFacts = {
      referenceName: 'example.org',
      service: 'xmpp-server',
      endpoint: `xmpp.example.org:${port}`,
      chain: await peerChain(socket),
      sent: sentChain(socket),
      trust: trustFromSocket(socket),
      checkedAt: new Date().toISOString(),
      warnDays: 14,
    };
    socket.write('ping\n');
    const echo = await deadline(
      new Promise<string>((r) => {
        let got = '';
        socket.on('data', (d) => {
          got += d.toString();
        });
        socket.once('end', () => r(got));
      }),
      'echo',
    );
    return { facts, protocol: socket.getProtocol(), echo };
  } finally {
    socket.destroy();
    server.close();
  }
}

const subjects = (f: CertCheckFacts) =>
  f.sent?.captured ? f.sent.certificates.map((c) => c.subject.replace(/.*CN=/, '')) : f.sent;

const ORDERED = leaf.certPem + pki.intermediate.certPem + pki.root.certPem;
const MISORDERED = leaf.certPem + pki.root.certPem + pki.intermediate.certPem;
const EXTRA = leaf.certPem + pki.intermediate.certPem + other.certPem;

describe('chain as sent (wire order)', () => {
  const versions: [string, tls.TlsOptions][] = [
    ['TLS 1.3 AES-128-GCM', { ciphers: 'TLS_AES_128_GCM_SHA256' }],
    ['TLS 1.3 AES-256-GCM', { ciphers: 'TLS_AES_256_GCM_SHA384' }],
    ['TLS 1.3 ChaCha20-Poly1305', { ciphers: 'TLS_CHACHA20_POLY1305_SHA256' }],
    ['TLS 1.2', { maxVersion: 'TLSv1.2' }],
  ];
  for (const [name, server] of versions) {
    it(`${name}: a misordered chain is read in wire order while the verified path is repaired`, async () => {
      const { facts, protocol, echo } = await gather({ certPem: MISORDERED, server });
      assert.equal(echo, 'ping\n');
      assert.equal(facts.sent?.captured && facts.sent.tlsVersion, protocol);
      // Then the chain as sent is leaf, root, intermediate: what the server's file says
      assert.deepEqual(subjects(facts), ['example.org', 'xfed Test Root CA', 'xfed Test Intermediate CA']);
      // And the verified path (node:tls) is leaf, intermediate, root
      assert.deepEqual(
        facts.chain.map((c) => c.subject.replace(/.*CN=/, '')),
        ['example.org', 'xfed Test Intermediate CA', 'xfed Test Root CA'],
      );
      assert.equal(facts.trust.authorized, true);
      // And the finding names the positions as sent
      const found = judge(facts, certRules);
      assert.deepEqual(
        found.map((f) => f.id),
        ['cert.chain.misordered', 'cert.check.ok'],
      );
      assert.equal(found[0]?.evidence.position, 1);
      assert.equal(found[0]?.evidence.issuedPosition, 2);
      assert.deepEqual(found[0]?.evidence.pathOrder, [0, 2, 1]);
    });
  }

  it('an unrelated extra certificate is kept in the chain as sent, counted, and named by position', async () => {
    const { facts } = await gather({ certPem: EXTRA });
    assert.deepEqual(subjects(facts), ['example.org', 'xfed Test Intermediate CA', 'Unrelated Issuing CA']);
    // node:tls drops it from the path and appends the local root instead
    assert.equal(facts.chain.length, 3);
    assert.equal(facts.chain[2]?.trustAnchor, true);
    const found = judge(facts, certRules);
    assert.deepEqual(
      found.map((f) => f.id),
      ['cert.chain.unrelated', 'cert.check.ok'],
    );
    assert.deepEqual(found[0]?.evidence.positions, [2]);
    assert.equal(found[0]?.evidence.count, 1);
    assert.match(
      found[0]?.title ?? '',
      /sends 1 certificate\(s\) that are not part of its chain \(position 2\)/,
    );
  });

  it('a correctly ordered chain with its root gives no chain-order finding', async () => {
    const { facts } = await gather({ certPem: ORDERED });
    assert.deepEqual(subjects(facts), ['example.org', 'xfed Test Intermediate CA', 'xfed Test Root CA']);
    assert.deepEqual(
      judge(facts, certRules).map((f) => f.id),
      ['cert.check.ok'],
    );
  });

  it('a socket without a capture reports not-captured instead of guessing', async () => {
    const server = tls.createServer({ key: leaf.keyPem, cert: ORDERED }, (sock) => sock.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const socket = tls.connect({
      port: (server.address() as AddressInfo).port,
      host: '127.0.0.1',
      rejectUnauthorized: false,
    });
    try {
      await deadline(new Promise((r) => socket.once('secureConnect', r)), 'TLS handshake');
      const r = sentChainBytes(socket);
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.reason, 'not-captured');
      assert.deepEqual(sentChain(socket), {
        captured: false,
        reason: 'not-captured',
        detail: 'the handshake was not captured on this connection',
      });
    } finally {
      socket.destroy();
      server.close();
    }
  });

  it('TLS 1.3 bytes read without the handshake secret, or with a wrong one, give a typed reason', async () => {
    // Given the raw bytes of a TLS 1.3 server flight and the secret Node hands to 'keylog'
    const server = tls.createServer({ key: leaf.keyPem, cert: EXTRA }, (sock) => sock.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const raw = net.connect({ host: '127.0.0.1', port: (server.address() as AddressInfo).port });
    await deadline(new Promise((r) => raw.once('connect', r)), 'connect');
    const bytes: Buffer[] = [];
    raw.on('data', (b: Buffer) => bytes.push(b));
    let secret: Buffer | undefined;
    const capture = new HandshakeCapture(raw);
    const socket = tls.connect({
      socket: capture.stream,
      rejectUnauthorized: false,
      servername: 'example.org',
    });
    capture.attach(socket);
    socket.on('keylog', (line: Buffer) => {
      const m = /^SERVER_HANDSHAKE_TRAFFIC_SECRET \S+ ([0-9a-f]+)/.exec(line.toString());
      if (m?.[1]) secret = Buffer.from(m[1], 'hex');
    });
    try {
      await deadline(new Promise((r) => socket.once('secureConnect', r)), 'TLS handshake');
      assert.equal(socket.getProtocol(), 'TLSv1.3');
      const flight = Buffer.concat(bytes);
      // Then: right secret, the three certificates; none, no-secret; a wrong one, undecryptable
      const ok = readWireChain(flight, secret);
      assert.equal(ok.ok && ok.certificates.length, 3);
      assert.deepEqual(
        [readWireChain(flight), readWireChain(flight, Buffer.alloc(secret?.length ?? 48, 1))].map(
          (r) => !r.ok && r.reason,
        ),
        ['no-secret', 'undecryptable'],
      );
      // And a flight cut before the certificate is malformed, not a crash
      const cut = readWireChain(flight.subarray(0, 60), secret);
      assert.equal(!cut.ok && cut.reason, 'malformed');
    } finally {
      socket.destroy();
      server.close();
    }
  });
});
