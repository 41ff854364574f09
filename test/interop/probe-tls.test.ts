/**
 * xfed probe tls against real Prosody and ejabberd in the interop lab (docs/interop-lab.md):
 * one row per scenario with the exact finding ids and the exit code of `xfed probe tls --json`,
 * plus stream errors only a real server gives (host-unknown, not-authorized) and a direct-TLS
 * probe of a STARTTLS port. Needs root; skips on a laptop, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TlsProbeFacts } from '../../src/facts/tls.js';
import type { Report } from '../../src/report/model.js';
import { jsonLines } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import { type Lab, labSuiteOptions, NXDOMAIN_NAME, type ScenarioName, startLab } from './lab/index.js';

/** The healthy info findings of a STARTTLS-required server with a good certificate and dialback. */
const HEALTHY = ['tls.starttls.required', 'cert.check.ok', 'xmpp.auth.dialback-offered'];

interface Row {
  domain: string;
  ids: string[];
  code: 0 | 1;
  /** Extra checks on the report. */
  check?: (r: Report, f: TlsProbeFacts) => void;
}

const TABLE: Row[] = [
  {
    domain: 'prosody-ok.test',
    ids: HEALTHY,
    code: 0,
    check: (r, f) => {
      // Prosody offers EXTERNAL only to a peer whose client certificate it validated; xfed shows none.
      assert.equal(r.status, 'pass');
      assert.equal(f.attempts[0]?.secureStream?.features?.saslMechanisms ?? null, null);
      assert.equal(f.attempts[0]?.close?.peerClosed, true);
    },
  },
  { domain: 'ejabberd-ok.test', ids: [...HEALTHY, 'xmpp.auth.external-offered'], code: 0 },
  {
    domain: 'tls-optional.test',
    ids: ['tls.starttls.optional', 'cert.check.ok', 'xmpp.auth.dialback-offered'],
    code: 0,
  },
  { domain: 'no-tls.test', ids: ['tls.starttls.not-offered'], code: 1 },
  {
    domain: 'expired.test',
    ids: ['cert.validity.expired', 'tls.starttls.required', 'xmpp.auth.dialback-offered'],
    code: 1,
  },
  {
    domain: 'wrong-name.test',
    ids: ['cert.name.mismatch', 'tls.starttls.required', 'xmpp.auth.dialback-offered'],
    code: 1,
  },
  {
    domain: 'self-signed.test',
    ids: ['cert.chain.self-signed', 'tls.starttls.required', 'xmpp.auth.dialback-offered'],
    code: 1,
  },
  {
    domain: 'ecdsa.test',
    ids: HEALTHY,
    code: 0,
    check: (_r, f) => assert.equal(f.attempts[0]?.cert?.chain[0]?.keyType, 'ec'),
  },
  {
    domain: 'srvid-only.test',
    ids: HEALTHY,
    code: 0,
    check: (r) =>
      assert.equal(r.findings.find((x) => x.id === 'cert.check.ok')?.evidence.matchedVia, 'srv-id'),
  },
  {
    domain: 'no-intermediate.test',
    ids: ['cert.chain.incomplete', 'tls.starttls.required', 'xmpp.auth.dialback-offered'],
    code: 1,
  },
  {
    domain: 'port-5270.test',
    ids: HEALTHY,
    code: 0,
    check: (_r, f) => assert.equal(f.attempts[0]?.endpoint, 'xmpp.port-5270.test:5270'),
  },
  {
    domain: 'no-srv.test',
    // The DNS warning that servers find no SRV record is carried into the probe report.
    ids: ['dns.srv.missing', ...HEALTHY],
    code: 0,
    check: (_r, f) => assert.equal(f.attempts[0]?.source, 'fallback'),
  },
  {
    domain: 'closed.test',
    ids: ['tcp.connect.refused'],
    code: 1,
    check: (r) => assert.equal(r.findings[0]?.evidence.endpoint, 'xmpp.closed.test:5269'),
  },
  { domain: 'silent.test', ids: ['xmpp.stream.timeout'], code: 1 },
  {
    domain: 'secure-auth.test',
    // Prosody with s2s_secure_auth refuses the TLS stream of a peer without a certificate
    // ("Your server's certificate could not be validated"): its own finding, not the generic one.
    ids: ['xmpp.auth.certificate-required', 'tls.starttls.required', 'cert.check.ok'],
    code: 1,
    check: (r) => assert.equal(r.findings[0]?.evidence.step, 'TLS stream features'),
  },
  { domain: 'srv-dot.test', ids: ['dns.srv.target-dot'], code: 1 },
  { domain: NXDOMAIN_NAME, ids: ['dns.domain.nxdomain'], code: 1 },
];

const SCENARIOS = TABLE.map((r) => r.domain).filter((d) => d !== NXDOMAIN_NAME) as ScenarioName[];

describe('probe tls against the interop lab', labSuiteOptions(), () => {
  let lab: Lab;
  // The lab issues 90-day leaves, so the default --warn-days (30) must keep healthy rows quiet.
  const common = () => ['--json', '--ca', lab.caFile, '--timeout', '3000'];

  before(async () => {
    lab = await startLab({ scenarios: SCENARIOS });
  });
  after(async () => {
    await lab?.stop();
  });

  for (const row of TABLE) {
    it(`${row.domain}: exit ${row.code}, ${row.ids.join(', ')}`, async () => {
      // Given the scenario's real server (or DNS shape) in the lab
      // When xfed probe tls runs inside the namespace against the domain
      const r = await lab.run(['probe', 'tls', row.domain, ...common()]);
      // Then the report has exactly these finding ids and the exit code matches
      const docs = jsonLines(r.stdout);
      assert.equal(docs.length, 1, r.stdout + r.stderr);
      assertValidReport(docs[0]);
      assert.deepEqual(idsOf(docs[0]), row.ids);
      assert.equal(r.code, row.code, r.stderr);
      assert.equal(r.stderr, '');
      const report = docs[0] as Report;
      row.check?.(report, report.facts as unknown as TlsProbeFacts);
    });
  }

  for (const server of ['prosody-ok.test', 'ejabberd-ok.test'] as const) {
    it(`says a domain the server does not host is host-unknown (${server.split('-')[0]})`, async () => {
      // Given a real server that hosts only its scenario domain
      const info = lab.domains[server];
      // When xfed probes unhosted.test at that server's address
      const r = await lab.run([
        'probe',
        'tls',
        'unhosted.test',
        '--connect',
        `${info.address}:${info.port}`,
        ...common(),
      ]);
      // Then the stream error host-unknown names the domain
      const doc = jsonLines(r.stdout)[0] as Report;
      assert.deepEqual(idsOf(doc), ['xmpp.stream.host-unknown']);
      assert.equal(r.code, 1);
      assert.match(doc.findings[0]?.cause ?? '', /does not serve unhosted\.test/);
    });
  }

  it('reports direct TLS to a STARTTLS port as plain text', async () => {
    // Given Prosody's STARTTLS port
    const info = lab.domains['prosody-ok.test'];
    // When xfed connects there with --direct-tls
    const r = await lab.run([
      'probe',
      'tls',
      `${info.address}:${info.port}`,
      '--domain',
      'prosody-ok.test',
      '--direct-tls',
      ...common(),
    ]);
    // Then the TLS handshake meets XML, not TLS
    assert.deepEqual(idsOf(jsonLines(r.stdout)[0]), ['tls.direct.plaintext']);
    assert.equal(r.code, 1);
  });

  it('probes several domains in one run as JSON Lines in input order', async () => {
    // When three scenarios are probed together
    const domains = ['prosody-ok.test', 'closed.test', 'ejabberd-ok.test'];
    const r = await lab.run(['probe', 'tls', ...domains, ...common(), '--concurrency', '3']);
    // Then one document per domain, in order; the refused one makes the exit 1
    const docs = jsonLines(r.stdout) as Report[];
    assert.deepEqual(
      docs.map((d) => d.target),
      domains,
    );
    assert.equal(r.code, 1);
  });
});
