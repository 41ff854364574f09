/**
 * Integration: peerChain rebuilds node:tls's chain (getPeerCertificate(true): the sent
 * certificates ordered by issuer links, then issuers appended from the local store) from the
 * captured handshake instead of asking node:tls, which costs ~1 ms of CPU per probe. For each
 * served chain the result must equal what getPeerCertificate(true) gives on the same socket,
 * trust-anchor marks included, and node:tls must not have been asked where the rebuild is
 * certain; where it is not (two anchors with the same name), node:tls answers.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import type { CertificateInfo, SentChain } from '../../../src/facts/cert.js';
import { peerChain, REBUILD_AFTER_CHAINS, sentChain } from '../../../src/protocol/tls/certificate.js';
import { secureContextWithAnchors, skipServerIdentity } from '../../../src/protocol/tls/trust.js';
import { HandshakeCapture } from '../../../src/protocol/tls/wire-chain.js';
import { XmppConnection } from '../../../src/protocol/xmpp/connection.js';
import { deadline } from '../../helpers/deadline.js';
import {
  createIntermediate,
  createRoot,
  type Issued,
  issueCert,
  testPki,
  writePki,
} from '../../helpers/test-ca.js';

const STEP_TIMEOUT_MS = 5000;
const pki = testPki();
const leaf = pki.leaf({ cn: 'example.org', dns: ['example.org'] });
const ecLeaf = pki.leaf({ cn: 'ec.example.org', dns: ['ec.example.org'], key: 'ec256', keySlot: 'ec-leaf' });
const selfSigned = issueCert({ cn: 'self.example.org', dns: ['self.example.org'], selfSigned: true });
const pinned = issueCert({
  cn: 'pinned.example.org',
  dns: ['pinned.example.org'],
  selfSigned: true,
  keySlot: 'pinned',
});
const otherRoot = createRoot({ cn: 'Other Root', keySlot: 'other-root' });
const untrusted = issueCert({
  cn: 'untrusted.example.org',
  issuer: createIntermediate(otherRoot, { cn: 'Other Issuing CA' }),
});
const twinA = createRoot({ cn: 'Twin Root', keySlot: 'twin-a' });
const twinB = createRoot({ cn: 'Twin Root', keySlot: 'twin-b' });
const twinLeaf = issueCert({ cn: 'twin.example.org', issuer: twinA });
const anchorIntermediate = createRoot({ cn: 'Anchor Parent Root', keySlot: 'anchor-parent' });
const anchoredInter = createIntermediate(anchorIntermediate, { cn: 'Anchored Issuing CA' });
const anchoredLeaf = issueCert({ cn: 'anchored.example.org', issuer: anchoredInter });

/** The --ca list: the test root, a pinned self-signed leaf, two same-named roots, an intermediate. */
const CA = [pki.root.certPem, pinned.certPem, twinA.certPem, twinB.certPem, anchoredInter.certPem];

let context: tls.SecureContext | undefined;

interface Outcome {
  chain: CertificateInfo[];
  /** getPeerCertificate(true) on the same socket, walked as peerChain always walked it. */
  expected: { fingerprint256: string; trustAnchor: boolean }[];
  /** Calls of getPeerCertificate while peerChain ran. */
  askedNode: number;
  sent: SentChain;
}

async function gather(served: Issued, certPem: string, server: tls.TlsOptions = {}): Promise<Outcome> {
  const srv = tls.createServer({ key: served.keyPem, cert: certPem, ...server }, (s) => s.end());
  await deadline(new Promise<void>((r) => srv.listen(0, '127.0.0.1', r)), 'listen');
  const { port } = srv.address() as AddressInfo;
  const raw = net.connect({ host: '127.0.0.1', port });
  await deadline(new Promise((r) => raw.once('connect', r)), 'connect');
  const capture = new HandshakeCapture(raw);
  // As gather/tls.ts connects: the default store plus the --ca list, in one shared context.
  context ??= secureContextWithAnchors(CA);
  const secureContext = context;
  const socket = tls.connect({
    socket: capture.stream,
    servername: 'example.org',
    secureContext,
    rejectUnauthorized: false,
  });
  capture.attach(socket, secureContext);
  try {
    await deadline(
      new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      }),
      'TLS handshake',
    );
    const original = socket.getPeerCertificate.bind(socket);
    let askedNode = 0;
    socket.getPeerCertificate = ((detailed?: boolean) => {
      askedNode++;
      return original(detailed as true);
    }) as typeof socket.getPeerCertificate;
    const chain = await peerChain(socket);
    socket.getPeerCertificate = original as typeof socket.getPeerCertificate;
    const anchors = anchorFingerprints();
    const expected: Outcome['expected'] = [];
    const seen = new Set<string>();
    let cur: tls.DetailedPeerCertificate | undefined = original(true);
    while (cur?.raw && expected.length < 16) {
      if (seen.has(cur.fingerprint256)) break;
      seen.add(cur.fingerprint256);
      expected.push({ fingerprint256: cur.fingerprint256, trustAnchor: anchors.has(cur.fingerprint256) });
      cur = cur.issuerCertificate;
    }
    return { chain, expected, askedNode, sent: sentChain(socket) };
  } finally {
    socket.destroy();
    srv.close();
  }
}

let anchorSet: Set<string> | undefined;
/** Fingerprints of every local anchor: the bundled roots and the --ca list. */
function anchorFingerprints(): Set<string> {
  anchorSet ??= new Set(
    [...tls.rootCertificates, ...CA].map((pem) => new X509Certificate(pem).fingerprint256),
  );
  return anchorSet;
}

function assertSameAsNode(o: Outcome): void {
  assert.deepEqual(
    o.chain.map((c) => ({ fingerprint256: c.fingerprint256, trustAnchor: c.trustAnchor === true })),
    o.expected,
  );
}

describe('peerChain rebuilt from the chain as sent', () => {
  before(async () => {
    // A process's first chains come from node:tls (indexing the stores would cost more)...
    for (let i = 0; i < REBUILD_AFTER_CHAINS; i++)
      assert.equal((await gather(leaf, leaf.chainPem)).askedNode, 1);
    // ...and so do later ones until the store index, built in the background, is ready.
    let asked = 1;
    for (let i = 0; i < 100 && asked > 0; i++) {
      asked = (await gather(leaf, leaf.chainPem)).askedNode;
      if (asked > 0) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(asked, 0, 'the store index never became ready');
  });

  const rebuilt: [string, () => Promise<Outcome>, number][] = [
    ['leaf + intermediate, root appended from --ca', () => gather(leaf, leaf.chainPem), 3],
    ['the same over TLS 1.2', () => gather(leaf, leaf.chainPem, { maxVersion: 'TLSv1.2' }), 3],
    ['an ECDSA leaf', () => gather(ecLeaf, ecLeaf.chainPem), 3],
    ['leaf without its intermediate (nothing appended)', () => gather(leaf, leaf.certPem), 1],
    [
      'misordered chain with the root sent (sent root marked as anchor)',
      () => gather(leaf, leaf.certPem + pki.root.certPem + pki.intermediate.certPem),
      3,
    ],
    [
      'an unrelated extra certificate (left out, as node:tls does)',
      () => gather(leaf, leaf.chainPem + untrusted.certPem),
      3,
    ],
    ['a self-signed leaf nobody trusts', () => gather(selfSigned, selfSigned.certPem), 1],
    ['a self-signed leaf given as --ca', () => gather(pinned, pinned.certPem), 1],
    ['a chain to an untrusted root', () => gather(untrusted, untrusted.chainPem), 2],
    [
      'a leaf alone whose intermediate is a --ca anchor (anchor, then nothing above it in the store)',
      () => gather(anchoredLeaf, anchoredLeaf.certPem),
      2,
    ],
  ];
  for (const [name, run, length] of rebuilt) {
    it(`${name}: equals getPeerCertificate(true) without asking node:tls`, async () => {
      const o = await run();
      assertSameAsNode(o);
      assert.equal(o.chain.length, length);
      assert.equal(o.askedNode, 0, 'node:tls was asked although the rebuild was certain');
    });
  }

  it('two anchors with the issuer name: node:tls chooses, and peerChain reports its choice', async () => {
    const o = await gather(twinLeaf, twinLeaf.certPem);
    assertSameAsNode(o);
    assert.equal(o.chain.length, 2);
    assert.equal(o.askedNode, 1);
  });

  it('a certificate seen again is the same facts, in a copy the caller may change', async () => {
    const a = await gather(leaf, leaf.chainPem);
    const b = await gather(leaf, leaf.chainPem);
    assert.deepEqual(a.chain, b.chain);
    assert.notEqual(a.chain[0], b.chain[0]);
    (a.chain[0] as CertificateInfo).san.dns.push('changed.example');
    const c = await gather(leaf, leaf.chainPem);
    assert.deepEqual(c.chain[0]?.san.dns, ['example.org']);
    // The chain as sent likewise.
    assert.ok(a.sent.captured && c.sent.captured);
    assert.deepEqual(a.sent.certificates, c.sent.certificates);
    a.sent.certificates[0]?.issuedBy.push(7);
    const d = await gather(leaf, leaf.chainPem);
    assert.ok(d.sent.captured);
    assert.deepEqual(d.sent.certificates[0]?.issuedBy, [1]);
  });
});

describe('the certificate object node:tls builds only for checkServerIdentity', () => {
  async function handshake(checkServerIdentity: tls.ConnectionOptions['checkServerIdentity']) {
    const srv = tls.createServer({ key: leaf.keyPem, cert: leaf.chainPem }, (s) => s.end());
    await deadline(new Promise<void>((r) => srv.listen(0, '127.0.0.1', r)), 'listen');
    const { port } = srv.address() as AddressInfo;
    const raw = net.connect({ host: '127.0.0.1', port });
    await deadline(new Promise((r) => raw.once('connect', r)), 'connect');
    context ??= secureContextWithAnchors(CA);
    const proto = tls.TLSSocket.prototype;
    const real = proto.getPeerCertificate;
    let detailedCalls = 0;
    proto.getPeerCertificate = function (this: tls.TLSSocket, detailed?: boolean) {
      if (detailed) detailedCalls++;
      return real.call(this, detailed as true);
    } as typeof real;
    try {
      const conn = new XmppConnection(raw);
      const res = await conn.upgradeClient(
        { secureContext: context, servername: 'example.org', rejectUnauthorized: false, checkServerIdentity },
        STEP_TIMEOUT_MS,
      );
      assert.ok(res.ok);
      const during = detailedCalls;
      // After the handshake the socket's own method answers again, with the whole chain.
      const after = res.socket.getPeerCertificate(true);
      const authorized = res.socket.authorized;
      conn.destroy();
      return {
        during,
        afterRaw: after.raw !== undefined,
        issuer: after.issuerCertificate?.subject?.CN,
        authorized,
      };
    } finally {
      proto.getPeerCertificate = real;
      srv.close();
    }
  }

  it('with skipServerIdentity it is not built during the handshake, and the method works afterwards', async () => {
    const r = await handshake(skipServerIdentity);
    assert.equal(r.during, 0);
    assert.equal(r.afterRaw, true);
    assert.equal(r.issuer, 'xfed Test Intermediate CA');
    assert.equal(r.authorized, true);
  });

  it('any other checkServerIdentity still gets it (node:tls behaves as before)', async () => {
    const r = await handshake(() => undefined);
    assert.equal(r.during, 1);
    assert.equal(r.authorized, true);
  });
});

describe('an issuer from NODE_EXTRA_CA_CERTS (part of the default store, not a registered anchor)', () => {
  it('is appended as node:tls appends it, unmarked, without asking node:tls', () => {
    const extraRoot = createRoot({ cn: 'Extra Store Root', keySlot: 'extra-root' });
    const extraLeaf = issueCert({
      cn: 'extra.example.org',
      issuer: createIntermediate(extraRoot, { cn: 'Extra Issuing CA' }),
    });
    const dir = mkdtempSync(join(tmpdir(), 'xfed-extra-ca-'));
    try {
      const files = writePki(dir, extraLeaf);
      const child = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          fileURLToPath(new URL('./peer-chain-extra-ca.child.ts', import.meta.url)),
          files.keyFile,
          files.chainFile,
        ],
        { encoding: 'utf8', env: { ...process.env, NODE_EXTRA_CA_CERTS: files.caFile }, timeout: 60_000 },
      );
      assert.equal(child.status, 0, child.stderr);
      const r = JSON.parse(child.stdout) as {
        askedNode: number;
        authorized: boolean;
        chain: { fingerprint256: string; trustAnchor: boolean }[];
        expected: string[];
      };
      assert.equal(r.authorized, true, 'the extra store made the chain trusted');
      assert.deepEqual(
        r.chain.map((c) => c.fingerprint256),
        r.expected,
      );
      assert.equal(r.chain.length, 3);
      assert.equal(r.chain[2]?.fingerprint256, extraRoot.cert.fingerprint256);
      assert.deepEqual(
        r.chain.map((c) => c.trustAnchor),
        [false, false, false],
      );
      assert.equal(r.askedNode, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
