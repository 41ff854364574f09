/**
 * The interop lab itself comes up: dnsmasq answers for the `.test` zone, every server answers an
 * s2s stream header on its own address with the policy its scenario promises, each certificate
 * scenario serves the certificate it claims, the servers trust the lab CA, and stop() leaves
 * nothing behind. Needs root (see docs/interop-lab.md); skips on a laptop, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import {
  type Lab,
  labSuiteOptions,
  NS_HELPER,
  NXDOMAIN_NAME,
  type ScenarioName,
  startLab,
} from './lab/index.js';
import { namespaceExists, namespacePids } from './lab/netns.js';

/** Resolves names with Node's resolver inside the namespace (it reads the lab's resolv.conf). */
async function resolveInLab(lab: Lab, queries: [string, 'SRV' | 'A' | 'CNAME'][]): Promise<unknown[]> {
  const script = `
    const dns = require('node:dns').promises;
    const qs = ${JSON.stringify(queries)};
    Promise.all(qs.map(([n, t]) => dns.resolve(n, t).then((a) => ({ answer: a }), (e) => ({ error: e.code }))))
      .then((r) => process.stdout.write(JSON.stringify(r)));`;
  const r = await lab.exec([process.execPath, '-e', script], { timeoutMs: 15_000 });
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as unknown[];
}

/** True when the PID is a live process; a zombie (exited, not yet reaped by its parent) counts as gone. */
function running(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

function countMatches(text: string, re: RegExp): number {
  return [...text.matchAll(re)].length;
}

/** Polls a log file until it matches (a regexp or a predicate), failing with its content after timeoutMs. */
async function waitForLog(
  file: string,
  want: RegExp | ((text: string) => boolean),
  timeoutMs: number,
): Promise<void> {
  const ok = (t: string) => (typeof want === 'function' ? want(t) : want.test(t));
  const deadline = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < deadline) {
    text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (ok(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${file} did not show ${String(want)} within ${timeoutMs} ms:\n${text}`);
}

const streamFeatures = (received: string) => /<stream:features[\s\S]*$/.exec(received)?.[0] ?? '';

describe('interop lab', labSuiteOptions(), () => {
  let lab: Lab;

  before(async () => {
    lab = await startLab();
  });
  after(async () => {
    await lab?.stop();
  });

  it('starts every scenario within seconds', (t) => {
    // Given the whole lab (all scenarios) was started by before()
    // Then it took seconds, not minutes
    t.diagnostic(`lab start-up: ${lab.startupMs} ms`);
    assert.ok(lab.startupMs < 45_000, `start-up took ${lab.startupMs} ms`);
    assert.ok(existsSync(`/etc/netns/${lab.ns}/resolv.conf`));
    assert.match(lab.caPem, /BEGIN CERTIFICATE/);
  });

  it("listens only on the scenario addresses (and jabberd2's routers), the lab resolver and ejabberd's local Erlang port", async () => {
    // When every listening socket in the namespace is listed
    const r = await lab.exec(['ss', '-H', '-l', '-t', '-u', '-n']);
    const local = new Set(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => l.trim().split(/\s+/)[4]),
    );
    // Then each is one the lab meant to open, none on a wildcard address
    const expected = new Set([
      `${lab.dnsIp}:53`,
      ...Object.values(lab.domains)
        .filter((d) => d.running)
        .flatMap((d) => [`${d.address}:${d.port}`, ...(d.extraListeners ?? [])]),
    ]);
    assert.deepEqual([...local].sort(), [...expected].sort());
  });

  it('dnsmasq answers SRV, A, CNAME, the "." target and NXDOMAIN, and forwards nothing', async () => {
    // When Node's resolver inside the namespace asks the lab DNS
    const [srv, srv5270, fallback, cname, dot, nx, xfed, outside] = await resolveInLab(lab, [
      ['_xmpp-server._tcp.prosody-ok.test', 'SRV'],
      ['_xmpp-server._tcp.port-5270.test', 'SRV'],
      ['no-srv.test', 'A'],
      ['alias.srv-cname.test', 'CNAME'],
      ['_xmpp-server._tcp.srv-dot.test', 'SRV'],
      [NXDOMAIN_NAME, 'A'],
      ['xfed.test', 'A'],
      ['example.com', 'A'],
    ]);
    // Then each record is what the scenario table says
    assert.deepEqual(srv, { answer: [{ name: 'xmpp.prosody-ok.test', port: 5269, priority: 0, weight: 5 }] });
    assert.deepEqual(srv5270, {
      answer: [{ name: 'xmpp.port-5270.test', port: 5270, priority: 0, weight: 5 }],
    });
    assert.deepEqual(fallback, { answer: ['127.0.0.21'] });
    assert.deepEqual(cname, { answer: ['xmpp.srv-cname.test'] });
    // Node reports the RFC 2782 "." target as an empty name with port 0.
    assert.deepEqual(dot, { answer: [{ name: '', port: 0, priority: 0, weight: 0 }] });
    assert.deepEqual(nx, { error: 'ENOTFOUND' });
    assert.deepEqual(xfed, { answer: ['127.0.0.200'] });
    // And a name outside the lab zone gets no answer (the lab never reaches the real DNS)
    assert.ok('error' in (outside as object), JSON.stringify(outside));
  });

  const features: [ScenarioName, { tls: 'required' | 'optional' | 'none'; dialback: boolean }][] = [
    ['prosody-ok.test', { tls: 'required', dialback: true }],
    ['tls-optional.test', { tls: 'optional', dialback: true }],
    ['no-tls.test', { tls: 'none', dialback: true }],
    ['secure-auth.test', { tls: 'required', dialback: false }],
    ['port-5270.test', { tls: 'required', dialback: true }],
    ['no-srv.test', { tls: 'required', dialback: true }],
    ['expired.test', { tls: 'required', dialback: true }],
    // ejabberd announces dialback only after TLS (interop notes), so only STARTTLS here.
    ['ejabberd-ok.test', { tls: 'required', dialback: false }],
  ];
  for (const [domain, want] of features) {
    it(`${domain} answers a stream header with STARTTLS ${want.tls === 'none' ? 'absent' : want.tls} and dialback ${want.dialback ? 'offered' : 'absent'}`, async () => {
      // When xfed.test opens an s2s stream to the scenario's address
      const h = await lab.streamHello({ domain });
      // Then the server answers as that domain with the promised features
      assert.equal(h.outcome, 'features', h.received);
      assert.match(h.received, new RegExp(`from=['"]${domain.replace(/\./g, '\\.')}['"]`));
      const f = streamFeatures(h.received);
      const starttls = /<starttls[\s\S]*?(<\/starttls>|\/>)/.exec(f)?.[0];
      if (want.tls === 'none') assert.equal(starttls, undefined, f);
      else assert.equal(/<required\s*\/>/.test(starttls ?? ''), want.tls === 'required', f);
      assert.equal(/urn:xmpp:features:dialback/.test(f), want.dialback, f);
    });
  }

  it('a server refuses a domain it does not host with <host-unknown/>', async () => {
    // When a stream for another domain reaches Prosody's address
    const h = await lab.streamHello({
      domain: 'unhosted.test',
      address: lab.domains['prosody-ok.test'].address,
      port: 5269,
    });
    // Then it closes with the RFC 6120 §4.9.3.6 stream error
    assert.equal(h.outcome, 'stream-error');
    assert.match(h.received, /<host-unknown/);
  });

  it('silent.test accepts the connection and never sends a byte; closed.test refuses it', async () => {
    const silent = await lab.streamHello({ domain: 'silent.test', timeoutMs: 1500 });
    assert.equal(silent.outcome, 'silent');
    assert.equal(silent.connected, true);
    assert.equal(silent.received, '');
    const closed = await lab.streamHello({ domain: 'closed.test', timeoutMs: 1500 });
    assert.equal(closed.outcome, 'refused');
    assert.equal(closed.error, 'ECONNREFUSED');
  });

  const certs: [ScenarioName, (leaf: X509Certificate, chain: X509Certificate[], verify: string) => void][] = [
    [
      'prosody-ok.test',
      (leaf, chain, verify) => {
        assert.equal(chain.length, 2);
        assert.match(leaf.subjectAltName ?? '', /DNS:prosody-ok\.test/);
        assert.equal(verify, '0 (ok)');
      },
    ],
    [
      'ejabberd-ok.test',
      (leaf, chain, verify) => {
        assert.equal(chain.length, 2);
        assert.match(leaf.subjectAltName ?? '', /DNS:ejabberd-ok\.test/);
        assert.equal(verify, '0 (ok)');
      },
    ],
    [
      'expired.test',
      (leaf, chain, verify) => {
        assert.equal(chain.length, 2);
        assert.ok(new Date(leaf.validTo).getTime() < Date.now(), leaf.validTo);
        assert.match(verify, /^10 /); // X509_V_ERR_CERT_HAS_EXPIRED
      },
    ],
    [
      'wrong-name.test',
      (leaf, _chain, verify) => {
        assert.equal(leaf.subjectAltName, 'DNS:other.test');
        assert.equal(verify, '0 (ok)'); // the chain is fine; only the name is wrong
      },
    ],
    [
      'self-signed.test',
      (leaf, chain, verify) => {
        assert.equal(chain.length, 1);
        assert.equal(leaf.issuer, leaf.subject);
        assert.match(verify, /^18 /); // X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT
      },
    ],
    [
      'ecdsa.test',
      (leaf, _chain, verify) => {
        assert.equal(leaf.publicKey.asymmetricKeyType, 'ec');
        assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
        assert.equal(verify, '0 (ok)');
      },
    ],
    [
      'srvid-only.test',
      (leaf, _chain, verify) => {
        const san = leaf.subjectAltName ?? '';
        assert.doesNotMatch(san, /DNS:/);
        assert.doesNotMatch(leaf.subject, /srvid-only\.test/);
        // Node prints otherName SANs as "othername:<unsupported>"; check the DER instead.
        assert.match(leaf.raw.toString('latin1'), /_xmpp-server\.srvid-only\.test/);
        assert.equal(verify, '0 (ok)');
      },
    ],
    [
      'no-intermediate.test',
      (leaf, chain, verify) => {
        assert.equal(chain.length, 1);
        assert.match(leaf.issuer, /intermediate CA/);
        assert.match(verify, /^(20|21) /); // unable to get local issuer / verify the first certificate
      },
    ],
  ];
  for (const [domain, check] of certs) {
    it(`${domain} serves the certificate its scenario describes`, async () => {
      // When openssl s_client does STARTTLS to the scenario (trusting only the lab root)
      const peek = await lab.peekTls({ domain });
      // Then the chain it got matches the scenario
      assert.ok(peek.chain.length > 0, peek.output);
      const chain = peek.chain.map((p) => new X509Certificate(p));
      check(chain[0] as X509Certificate, chain, peek.verify);
    });
  }

  it('Prosody trusts the lab CA: SASL EXTERNAL for a lab-issued client certificate, not for a self-signed one', async () => {
    // Given xfed.test's lab-issued certificate, and the self-signed.test certificate as a stranger's
    const xfed = { certFile: lab.xfedCert.chainFile, keyFile: lab.xfedCert.keyFile };
    const strangerCert = lab.domains['self-signed.test'].cert!;
    const stranger = { certFile: strangerCert.chainFile, keyFile: strangerCert.keyFile };
    for (const domain of ['prosody-ok.test', 'secure-auth.test'] as const) {
      // When xfed.test does STARTTLS with its certificate
      const good = await lab.streamHello({ domain, tls: xfed });
      // Then the server verified it (RFC 6120 §6.4.3 EXTERNAL is offered only for a valid certificate)
      assert.equal(good.outcome, 'tls-features', good.tlsReceived ?? good.received);
      assert.equal(good.authorized, true, good.authorizationError);
      assert.match(good.tlsReceived ?? '', /<mechanism>EXTERNAL<\/mechanism>/);
    }
    // When a certificate the lab CA did not issue is presented instead
    const optional = await lab.streamHello({ domain: 'prosody-ok.test', tls: stranger });
    const strict = await lab.streamHello({ domain: 'secure-auth.test', tls: stranger });
    // Then Prosody offers no EXTERNAL (dialback remains), and with s2s_secure_auth it closes the stream
    assert.equal(optional.outcome, 'tls-features', optional.tlsReceived ?? optional.received);
    assert.doesNotMatch(optional.tlsReceived ?? '', /EXTERNAL/);
    assert.match(optional.tlsReceived ?? '', /urn:xmpp:features:dialback/);
    assert.equal(strict.outcome, 'stream-error', strict.tlsReceived ?? strict.received);
    assert.match(strict.tlsReceived ?? '', /<not-authorized/);
  });

  it('ejabberd loads the lab CA and its own certificate without complaint', async () => {
    // When xfed.test does STARTTLS to ejabberd with its lab certificate
    const h = await lab.streamHello({
      domain: 'ejabberd-ok.test',
      tls: { certFile: lab.xfedCert.chainFile, keyFile: lab.xfedCert.keyFile },
    });
    assert.equal(h.outcome, 'tls-features', h.tlsReceived ?? h.received);
    assert.equal(h.authorized, true, h.authorizationError);
    // Then its log has none of the errors a missing trust store causes
    const log = readFileSync(lab.domains['ejabberd-ok.test'].logFile!, 'utf8');
    assert.doesNotMatch(log, /unknown CA|Invalid certificate/i);
  });

  it('Prosody and ejabberd resolve xfed.test through the lab DNS and call back to 127.0.0.200:5269', async () => {
    // Given a listener where `xfed dialback` would listen (xfed.test -> 127.0.0.200:5269)
    const listener = lab.spawn(
      [process.execPath, NS_HELPER, 'silent', '127.0.0.200', '5269'],
      'xfed-listener.log',
    );
    await waitForLog(listener.logFile, /silent listener on/, 5000);
    const dbResult = (to: string) => `<db:result from='xfed.test' to='${to}'>0123456789abcdef</db:result>`;
    // When xfed.test asks Prosody (TLS optional) for dialback before TLS
    const p = await lab.streamHello({ domain: 'tls-optional.test', send: dbResult('tls-optional.test') });
    assert.equal(p.outcome, 'features', p.received);
    // Then Prosody looked xfed.test up in the lab DNS and connected back (XEP-0220 §2.1.2)
    await waitForLog(listener.logFile, /connection from/, 8000);
    // When xfed.test asks ejabberd after STARTTLS with its lab certificate
    const before = countMatches(readFileSync(listener.logFile, 'utf8'), /connection from/g);
    const e = await lab.streamHello({
      domain: 'ejabberd-ok.test',
      tls: { certFile: lab.xfedCert.chainFile, keyFile: lab.xfedCert.keyFile },
      send: dbResult('ejabberd-ok.test'),
    });
    assert.equal(e.outcome, 'tls-features', e.tlsReceived ?? e.received);
    // Then ejabberd (Erlang's own resolver, pointed at the lab DNS by inetrc) connected back too
    await waitForLog(listener.logFile, (text) => countMatches(text, /connection from/g) > before, 8000);
  });

  it('stop() ends every process in the namespace and removes the namespace', async () => {
    // Given the running lab's processes
    const pids = await namespacePids(lab.ns);
    assert.ok(pids.length >= 15, `expected all servers, found ${pids.length} processes`);
    // When it is stopped
    await lab.stop();
    // Then none of them is left, and neither is the namespace nor its /etc/netns entry
    const alive = pids.filter(running);
    assert.deepEqual(alive, []);
    assert.equal(namespaceExists(lab.ns), false);
    assert.equal(existsSync(`/etc/netns/${lab.ns}`), false);
    assert.equal(existsSync(lab.dir), false);
  });
});

describe('interop lab start-up failures', labSuiteOptions(), () => {
  it('a server that does not answer in time fails startLab with its log, and leaves nothing behind', async () => {
    // Given a readiness deadline no server can meet
    // When the lab starts
    const err = await startLab({ scenarios: ['prosody-ok.test'], readyTimeoutMs: 1 }).then(
      () => assert.fail('startLab should have failed'),
      (e: Error) => e,
    );
    // Then the error names the scenario, its address and the tail of its log
    assert.match(err.message, /prosody-ok\.test not ready on 127\.0\.0\.10:5269 within 1 ms/);
    assert.match(err.message, /--- \/.*prosody\.log/);
    // And no namespace of this process is left
    const { execCommand } = await import('./lab/exec.js');
    const list = await execCommand('ip', ['netns', 'list']);
    assert.doesNotMatch(list.stdout, new RegExp(`xfed-lab-${process.pid}-`));
  });
});
