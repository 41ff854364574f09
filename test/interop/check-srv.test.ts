/**
 * `xfed check srv` against a real resolver: dnsmasq serving the lab's private `.test` zone in
 * a network namespace, the built CLI run inside it with `--resolver 127.0.0.53`. The real-
 * resolver versions of the DNS findings (RFC 6120 §3.2, RFC 2782): exact ids and exit codes.
 * Needs root (see docs/interop-lab.md); skips on a laptop, fails under CI=true.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jsonLines } from '../helpers/cli.js';
import { assertValidReport, idsOf } from '../helpers/schema.js';
import {
  DNS_IP,
  type Lab,
  labSuiteOptions,
  NXDOMAIN_NAME,
  type ScenarioName,
  startLab,
} from './lab/index.js';

interface Case {
  domain: string;
  what: string;
  /** Exact finding ids, in report order (errors, then warnings, then info). */
  ids: string[];
  exit: 0 | 1;
}

const CASES: Case[] = [
  { domain: 'prosody-ok.test', what: 'a healthy SRV record', ids: ['dns.srv.ok'], exit: 0 },
  {
    domain: 'no-srv.test',
    what: 'no SRV record but an A record (RFC 6120 §3.2.2 fallback)',
    ids: ['dns.srv.missing'],
    exit: 0,
  },
  { domain: 'srv-dot.test', what: 'an SRV record with target "."', ids: ['dns.srv.target-dot'], exit: 1 },
  { domain: 'srv-cname.test', what: 'an SRV target that is a CNAME', ids: ['dns.srv.target-cname'], exit: 0 },
  {
    domain: 'srv-noaddr.test',
    what: 'an SRV target without A/AAAA records',
    ids: ['dns.srv.no-usable-target', 'dns.srv.target-no-address'],
    exit: 1,
  },
  {
    domain: 'port-5270.test',
    what: 'an SRV record to a port other than 5269',
    ids: ['dns.srv.port-nonstandard', 'dns.srv.ok'],
    exit: 0,
  },
  {
    domain: NXDOMAIN_NAME,
    what: 'a domain that does not exist (NXDOMAIN)',
    ids: ['dns.domain.nxdomain'],
    exit: 1,
  },
  {
    domain: 'legacy-jabber.test',
    what: 'a legacy _jabber._tcp record beside a proper SRV',
    ids: ['dns.srv.legacy-jabber', 'dns.srv.ok'],
    exit: 0,
  },
];

const DNS_SCENARIOS: ScenarioName[] = [
  'prosody-ok.test',
  'no-srv.test',
  'srv-dot.test',
  'srv-cname.test',
  'srv-noaddr.test',
  'port-5270.test',
  'legacy-jabber.test',
];

describe('xfed check srv against dnsmasq (interop lab)', labSuiteOptions(), () => {
  let lab: Lab;

  before(async () => {
    // DNS only: check srv talks to the resolver, never to the XMPP servers.
    lab = await startLab({ scenarios: DNS_SCENARIOS, servers: false });
  });
  after(async () => {
    await lab?.stop();
  });

  for (const c of CASES) {
    it(`reports ${c.ids.join(' + ')} and exits ${c.exit} for ${c.what}`, async () => {
      // Given dnsmasq serving the lab zone inside the namespace
      // When the built CLI checks the domain against it
      const r = await lab.run(['check', 'srv', c.domain, '--resolver', DNS_IP, '--json', '--timeout', '3s']);
      // Then stdout is one valid report with exactly these findings, and the exit code follows them
      const docs = jsonLines(r.stdout);
      assert.equal(docs.length, 1, r.stdout + r.stderr);
      assertValidReport(docs[0]);
      assert.deepEqual(idsOf(docs[0]), c.ids, JSON.stringify((docs[0] as { facts: unknown }).facts));
      assert.equal(r.code, c.exit, r.stderr);
      assert.equal(r.stderr, '');
    });
  }

  it('uses the namespace resolv.conf (the lab DNS) when no --resolver is given', async () => {
    // When check srv runs without --resolver inside the namespace
    const r = await lab.run(['check', 'srv', 'prosody-ok.test', '--json']);
    // Then it asked 127.0.0.53 from /etc/netns/<ns>/resolv.conf and found the healthy record
    const doc = jsonLines(r.stdout)[0] as { findings: { evidence: { resolver?: string } }[] };
    assert.deepEqual(idsOf(doc), ['dns.srv.ok']);
    assert.equal(doc.findings[0]?.evidence.resolver, `${DNS_IP}:53`);
    assert.equal(r.code, 0);
  });

  it('checks several lab domains in one run as JSON Lines in input order', async () => {
    // When three domains are checked together
    const r = await lab.run([
      'check',
      'srv',
      'prosody-ok.test',
      NXDOMAIN_NAME,
      'no-srv.test',
      '--resolver',
      DNS_IP,
      '--json',
    ]);
    // Then there is one report per domain, in the order given, and the NXDOMAIN makes it exit 1
    const docs = jsonLines(r.stdout);
    assert.deepEqual(
      docs.map((d) => [(d as { target: string }).target, idsOf(d)]),
      [
        ['prosody-ok.test', ['dns.srv.ok']],
        [NXDOMAIN_NAME, ['dns.domain.nxdomain']],
        ['no-srv.test', ['dns.srv.missing']],
      ],
    );
    assert.equal(r.code, 1);
  });
});
