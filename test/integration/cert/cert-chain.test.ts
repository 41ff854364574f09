/**
 * Integration: a real node:tls server on 127.0.0.1 serves generated chains; the client side
 * gathers facts with peerChain/trustFromSocket and judges them with certRules. Each cert id is
 * provoked here from a real peer.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import tls from 'node:tls';
import { loadCaFiles } from '../../../src/cli/ca-files.js';
import type { CertCheckFacts } from '../../../src/facts/cert.js';
import { judge } from '../../../src/judge/judge.js';
import { certRules } from '../../../src/judge/rules/cert.js';
import { peerChain } from '../../../src/protocol/tls/certificate.js';
import { trustAnchors, trustFromSocket } from '../../../src/protocol/tls/trust.js';
import type { Finding } from '../../../src/report/model.js';
import {
  createIntermediate,
  createRoot,
  daysFromNow,
  type Issued,
  issueCert,
  testPki,
} from '../../helpers/test-ca.js';

const STEP_TIMEOUT_MS = 5000;
/** OpenSSL on Debian refuses to load SHA-1 or 1024-bit certificates at its default security level. */
const LEGACY_SERVER = { ciphers: 'DEFAULT@SECLEVEL=0' };

interface Scenario {
  /** What the server sends. */
  served: Issued;
  /** Send `served.certPem` only (no intermediates) or the full chain with the root. */
  send?: 'chain' | 'leaf-only' | 'full';
  /** Extra CAs the client trusts (PEM); the bundled roots are always trusted. */
  ca?: string[];
  referenceName?: string;
  connectHost?: string;
  service?: CertCheckFacts['service'];
  warnDays?: number;
  insecure?: boolean;
  serverOptions?: tls.TlsOptions;
}

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${what}: no answer within ${STEP_TIMEOUT_MS} ms`)),
      STEP_TIMEOUT_MS,
    );
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** Serves the scenario's chain, connects as a verifying client would, and returns the gathered facts. */
async function gather(s: Scenario): Promise<CertCheckFacts> {
  const cert =
    s.send === 'leaf-only' ? s.served.certPem : s.send === 'full' ? s.served.fullChainPem : s.served.chainPem;
  const server = tls.createServer({ key: s.served.keyPem, cert, ...s.serverOptions }, (sock) => sock.end());
  await withDeadline(new Promise<void>((r) => server.listen(0, '127.0.0.1', r)), 'listen');
  const { port } = server.address() as AddressInfo;
  const referenceName = s.referenceName ?? 'example.org';
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    // SNI carries a host name only (RFC 6066 §3), never an IP literal.
    ...(/^[\d.]+$/.test(referenceName) ? {} : { servername: referenceName }),
    ca: trustAnchors(s.ca ?? []),
    rejectUnauthorized: false,
  });
  try {
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', reject);
      }),
      'TLS handshake',
    );
    return {
      referenceName,
      service: s.service ?? 'xmpp-server',
      ...(s.connectHost ? { connectHost: s.connectHost } : {}),
      endpoint: `${s.connectHost ?? referenceName}:${port}`,
      chain: await peerChain(socket),
      trust: trustFromSocket(socket),
      checkedAt: new Date().toISOString(),
      warnDays: s.warnDays ?? 14,
      ...(s.insecure ? { insecure: true } : {}),
    };
  } finally {
    socket.destroy();
    server.close();
  }
}

async function findingsFor(
  s: Scenario,
): Promise<{ facts: CertCheckFacts; findings: Finding[]; ids: string[] }> {
  const facts = await gather(s);
  const findings = judge(facts, certRules);
  // Every placeholder of every finding must be filled from this peer's evidence.
  for (const f of findings) {
    for (const text of [f.title, f.symptom, f.cause, f.fix])
      assert.doesNotMatch(text, /\(unknown\)/, `${f.id}: ${text}`);
  }
  return { facts, findings, ids: findings.map((f) => f.id) };
}

const pki = testPki();
const root = pki.root.certPem;
const XMPP_NAMES = { dns: ['example.org'], srv: ['_xmpp-server.example.org'] };

describe('healthy certificates', () => {
  it('a leaf with the domain as DNS-ID and SRV-ID, sent with its intermediate, gives only cert.check.ok', async () => {
    // Given a server sending leaf + intermediate for example.org, and a client trusting the root
    const { ids, findings, facts } = await findingsFor({ served: pki.leaf(XMPP_NAMES), ca: [root] });
    // Then exactly one info finding names the matching identifier and the expiry
    assert.deepEqual(ids, ['cert.check.ok']);
    assert.equal(findings[0]?.evidence.matchedVia, 'dns-id');
    assert.equal(findings[0]?.evidence.notAfter, facts.chain[0]?.notAfter);
    assert.equal(facts.trust.authorized, true);
    // And the chain is leaf, intermediate, then the root marked as a local trust anchor
    assert.deepEqual(
      facts.chain.map((c) => c.trustAnchor ?? false),
      [false, false, true],
    );
  });

  it('matches via SRV-ID when the certificate has only an SRVName', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ srv: ['_xmpp-server.example.org'] }),
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.check.ok']);
    assert.equal(findings[0]?.evidence.matchedVia, 'srv-id');
  });

  it('matches via XmppAddr when the certificate has only an id-on-xmppAddr', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ xmppAddr: ['example.org'] }),
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.check.ok']);
    assert.equal(findings[0]?.evidence.matchedVia, 'xmppaddr');
  });

  it('accepts an ECDSA P-256 leaf', async () => {
    const { ids, facts } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, key: 'ec256' }),
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.check.ok']);
    assert.equal(facts.chain[0]?.keyType, 'ec');
    assert.equal(facts.chain[0]?.keyBits, 256);
  });

  it('accepts a certificate without an EKU extension (all purposes allowed)', async () => {
    const { ids } = await findingsFor({ served: pki.leaf({ ...XMPP_NAMES, eku: null }), ca: [root] });
    assert.deepEqual(ids, ['cert.check.ok']);
  });

  it('accepts a wildcard for a subdomain and says so', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ dns: ['*.example.org'] }),
      referenceName: 'chat.example.org',
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.check.ok']);
    assert.equal(findings[0]?.evidence.wildcard, true);
  });

  it('trusts a private root loaded with loadCaFiles (--ca)', async () => {
    // Given a private root written to a file, as a user passes it with --ca
    const dir = mkdtempSync(join(tmpdir(), 'xfed-cert-int-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const caFile = join(dir, 'private-root.pem');
    writeFileSync(caFile, root);
    // When the client trusts the loaded file
    const { ids } = await findingsFor({ served: pki.leaf(XMPP_NAMES), ca: await loadCaFiles([caFile]) });
    // Then the chain validates
    assert.deepEqual(ids, ['cert.check.ok']);
  });

  it('https: matches an IP reference against an iPAddress SAN (axl-auth by address)', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({
        cn: 'cucm.example.org',
        dns: ['cucm.example.org'],
        ip: ['127.0.0.1'],
        eku: ['serverAuth'],
      }),
      referenceName: '127.0.0.1',
      service: 'https',
      ca: [root],
    });
    // serverAuth alone is enough for HTTPS: no clientAuth warning for this service.
    assert.deepEqual(ids, ['cert.check.ok']);
    assert.equal(findings[0]?.evidence.matchedVia, 'ip');
  });
});

describe('identity findings', () => {
  it('a certificate for another name gives cert.name.mismatch listing the names it has', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ dns: ['other.example.net', '*.example.net'] }),
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.name.mismatch']);
    assert.deepEqual(findings[0]?.evidence.names, ['DNS:other.example.net', 'DNS:*.example.net']);
    assert.match(findings[0]?.cause ?? '', /DNS:other\.example\.net/);
    assert.match(findings[0]?.fix ?? '', /DNS:example\.org/);
  });

  it('a *.domain certificate for the bare domain gives cert.name.wildcard-bare-domain', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ dns: ['*.example.org'] }),
      connectHost: 'xmpp.example.org',
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.name.wildcard-bare-domain']);
    assert.deepEqual(findings[0]?.evidence.names, ['DNS:*.example.org']);
  });

  it('a certificate for the SRV target host only gives cert.name.matches-srv-target-only', async () => {
    // Given _xmpp-server._tcp.example.org points at xmpp.example.org, whose certificate names only itself
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ dns: ['xmpp.example.org'] }),
      connectHost: 'xmpp.example.org',
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.name.matches-srv-target-only']);
    assert.match(findings[0]?.title ?? '', /xmpp\.example\.org.*example\.org/);
  });

  it('a certificate naming the domain only in the CN gives cert.name.cn-only alone (one fact, one finding)', async () => {
    const { ids } = await findingsFor({ served: pki.leaf({ cn: 'example.org' }), ca: [root] });
    assert.deepEqual(ids, ['cert.name.cn-only']);
  });
});

describe('validity findings', () => {
  it('an expired leaf gives cert.validity.expired only (OpenSSL CERT_HAS_EXPIRED is explained by it)', async () => {
    const { ids, facts } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, notBefore: daysFromNow(-100), notAfter: daysFromNow(-3) }),
      ca: [root],
    });
    assert.equal(facts.trust.errorCode, 'CERT_HAS_EXPIRED');
    assert.deepEqual(ids, ['cert.validity.expired']);
  });

  it('a leaf valid only from tomorrow gives cert.validity.not-yet-valid', async () => {
    const { ids } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, notBefore: daysFromNow(1), notAfter: daysFromNow(90) }),
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.validity.not-yet-valid']);
  });

  it('a leaf expiring within --warn-days gives cert.validity.expires-soon next to cert.check.ok', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, notAfter: daysFromNow(5.5) }),
      ca: [root],
      warnDays: 14,
    });
    assert.deepEqual(ids, ['cert.validity.expires-soon', 'cert.check.ok']);
    assert.equal(findings[0]?.evidence.daysLeft, 5);
  });
});

describe('chain findings', () => {
  it('a self-signed leaf gives cert.chain.self-signed', async () => {
    const served = issueCert({ selfSigned: true, cn: 'example.org', ...XMPP_NAMES, keySlot: 'self' });
    const { ids, facts } = await findingsFor({ served });
    assert.equal(facts.trust.errorCode, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.deepEqual(ids, ['cert.chain.self-signed']);
  });

  it('an expired self-signed leaf gives both cert.chain.self-signed and cert.validity.expired', async () => {
    const served = issueCert({
      selfSigned: true,
      cn: 'example.org',
      ...XMPP_NAMES,
      keySlot: 'self',
      notBefore: daysFromNow(-30),
      notAfter: daysFromNow(-1),
    });
    const { ids } = await findingsFor({ served });
    assert.deepEqual(ids, ['cert.chain.self-signed', 'cert.validity.expired']);
  });

  it('leaf + intermediate from a CA the client does not trust gives cert.chain.issuer-unknown', async () => {
    const { ids, findings } = await findingsFor({ served: pki.leaf(XMPP_NAMES) });
    assert.deepEqual(ids, ['cert.chain.issuer-unknown']);
    assert.equal(findings[0]?.evidence.topSubject, 'O=xfed tests, CN=xfed Test Intermediate CA');
    assert.equal(findings[0]?.evidence.errorCode, 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY');
  });

  it('a full chain up to an untrusted root gives cert.chain.issuer-unknown naming the root', async () => {
    const { ids, findings } = await findingsFor({ served: pki.leaf(XMPP_NAMES), send: 'full' });
    assert.deepEqual(ids, ['cert.chain.issuer-unknown']);
    assert.equal(findings[0]?.evidence.errorCode, 'SELF_SIGNED_CERT_IN_CHAIN');
    assert.equal(findings[0]?.evidence.topSubject, 'O=xfed tests, CN=xfed Test Root CA');
  });

  it('a leaf sent without its intermediate gives cert.chain.incomplete with the AIA download URL', async () => {
    // Given the client trusts the root but the server sends only the leaf
    const served = pki.leaf({ ...XMPP_NAMES, caIssuers: ['http://ca.example.test/intermediate.der'] });
    const { ids, findings, facts } = await findingsFor({ served, send: 'leaf-only', ca: [root] });
    // Then the missing intermediate is named, not an unknown CA
    assert.equal(facts.trust.errorCode, 'UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    assert.deepEqual(ids, ['cert.chain.incomplete']);
    assert.equal(findings[0]?.evidence.issuer, 'O=xfed tests, CN=xfed Test Intermediate CA');
    assert.deepEqual(findings[0]?.evidence.caIssuers, ['http://ca.example.test/intermediate.der']);
  });

  it('an "intermediate" without CA rights gives cert.chain.invalid', async () => {
    // Given a leaf signed by a certificate that has basicConstraints CA:FALSE
    const notCa = createIntermediate(pki.root, { cn: 'Not A CA', ca: false });
    const served = issueCert({ ...XMPP_NAMES, issuer: notCa });
    const { ids, findings } = await findingsFor({ served, ca: [root] });
    assert.deepEqual(ids, ['cert.chain.invalid']);
    assert.equal(findings[0]?.evidence.errorCode, 'UNSPECIFIED');
  });
});

describe('strength and purpose findings', () => {
  it('an RSA 1024 leaf gives cert.key.weak', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, key: 'rsa1024' }),
      ca: [root],
      serverOptions: LEGACY_SERVER,
    });
    assert.deepEqual(ids, ['cert.key.weak']);
    assert.equal(findings[0]?.evidence.keyBits, 1024);
  });

  it('a SHA-1 signed leaf gives cert.signature.sha1 (and no separate chain finding)', async () => {
    const { ids, facts } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, hash: 'sha1' }),
      ca: [root],
      serverOptions: LEGACY_SERVER,
    });
    assert.equal(facts.trust.authorized, false);
    assert.deepEqual(ids, ['cert.signature.sha1']);
  });

  it('a SHA-1 signed root from the trust store is not flagged', async () => {
    // Given a private root whose self-signature uses SHA-1 (harmless: nobody verifies it)
    const sha1Root = createRoot({ cn: 'xfed SHA-1 Root', hash: 'sha1' });
    const inter = createIntermediate(sha1Root, { cn: 'xfed Inter under SHA-1 root' });
    const served = issueCert({ ...XMPP_NAMES, issuer: inter });
    const { ids, facts } = await findingsFor({
      served,
      ca: [sha1Root.certPem],
      serverOptions: LEGACY_SERVER,
    });
    assert.equal(facts.chain.at(-1)?.signatureAlgorithm, 'sha1WithRSAEncryption');
    assert.deepEqual(ids, ['cert.check.ok']);
  });

  it('EKU clientAuth only gives cert.eku.no-server-auth', async () => {
    const { ids, facts } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, eku: ['clientAuth'] }),
      ca: [root],
    });
    assert.equal(facts.trust.errorCode, 'INVALID_PURPOSE');
    assert.deepEqual(ids, ['cert.eku.no-server-auth']);
  });

  it('EKU serverAuth only gives the cert.eku.no-client-auth warning next to cert.check.ok', async () => {
    const { ids, findings } = await findingsFor({
      served: pki.leaf({ ...XMPP_NAMES, eku: ['serverAuth'] }),
      ca: [root],
    });
    assert.deepEqual(ids, ['cert.eku.no-client-auth', 'cert.check.ok']);
    assert.equal(findings[0]?.severity, 'warning');
  });
});

describe('--insecure (axl-auth)', () => {
  it('softens a self-signed certificate with the wrong name into cert.check.insecure-skipped warnings', async () => {
    // Given a CUCM Tomcat with a self-signed certificate, reached by IP with --insecure
    const served = issueCert({
      selfSigned: true,
      cn: 'cucm-pub',
      dns: ['cucm-pub'],
      keySlot: 'tomcat',
      eku: ['serverAuth'],
    });
    const { ids, findings } = await findingsFor({
      served,
      referenceName: '127.0.0.1',
      service: 'https',
      insecure: true,
    });
    // Then both problems are reported, as warnings naming what was skipped
    assert.deepEqual(ids, ['cert.check.insecure-skipped', 'cert.check.insecure-skipped']);
    assert.deepEqual(
      findings.map((f) => f.evidence.skippedId),
      ['cert.name.mismatch', 'cert.chain.self-signed'],
    );
    assert.ok(findings.every((f) => f.severity === 'warning'));
  });

  it('keeps expiry an error even with --insecure', async () => {
    const served = issueCert({
      selfSigned: true,
      cn: 'cucm-pub',
      ip: ['127.0.0.1'],
      keySlot: 'tomcat',
      notBefore: daysFromNow(-400),
      notAfter: daysFromNow(-2),
    });
    const { ids } = await findingsFor({
      served,
      referenceName: '127.0.0.1',
      service: 'https',
      insecure: true,
    });
    assert.deepEqual(ids, ['cert.validity.expired', 'cert.check.insecure-skipped']);
  });
});

describe('certificates of incoming connections (dialback, server side)', () => {
  async function serverSideFacts(clientCert: Issued | undefined): Promise<CertCheckFacts> {
    const served = pki.leaf({ dns: ['receiver.example'] });
    let resolveFacts: (f: CertCheckFacts) => void = () => {};
    const factsPromise = new Promise<CertCheckFacts>((r) => {
      resolveFacts = r;
    });
    const server = tls.createServer(
      {
        key: served.keyPem,
        cert: served.chainPem,
        requestCert: true,
        rejectUnauthorized: false,
        ca: trustAnchors([root]),
      },
      async (sock) => {
        resolveFacts({
          referenceName: 'example.org',
          service: 'xmpp-server',
          endpoint: `${sock.remoteAddress}:${sock.remotePort}`,
          chain: await peerChain(sock),
          trust: trustFromSocket(sock),
          checkedAt: new Date().toISOString(),
          warnDays: 14,
        });
        sock.end();
      },
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const { port } = server.address() as AddressInfo;
    const client = tls.connect({
      host: '127.0.0.1',
      port,
      servername: 'receiver.example',
      rejectUnauthorized: false,
      ...(clientCert ? { key: clientCert.keyPem, cert: clientCert.chainPem } : {}),
    });
    client.on('error', () => {});
    try {
      return await withDeadline(factsPromise, 'server-side facts');
    } finally {
      client.destroy();
      server.close();
    }
  }

  it('a peer that presents no client certificate gives cert.peer.missing', async () => {
    const facts = await serverSideFacts(undefined);
    assert.deepEqual(
      judge(facts, certRules).map((f) => f.id),
      ['cert.peer.missing'],
    );
  });

  it('a peer presenting a good chain for its domain gives cert.check.ok', async () => {
    const facts = await serverSideFacts(pki.leaf(XMPP_NAMES));
    assert.deepEqual(
      judge(facts, certRules).map((f) => f.id),
      ['cert.check.ok'],
    );
  });
});
