/**
 * Hostile or runaway zones (issue 13): thousands of SRV records must not make xfed query every
 * target nor print a finding per target; repeated findings are aggregated.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { MAX_SRV_TARGETS } from '../../../src/gather/srv.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { type FakeDnsServer, type FakeZone, startFakeDns } from '../../fakes/fake-dns-server.js';
import { probe } from '../probe-tls/probe-helpers.js';
import { a, cname, runCheck, srv } from './run-check.js';

const servers: FakeDnsServer[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  closeDnsSockets();
});

async function dns(zone: FakeZone): Promise<FakeDnsServer> {
  const s = await startFakeDns({ zone });
  servers.push(s);
  return s;
}

describe('check srv: bounded by hostile zones', () => {
  it('follows only the first targets of a huge SRV answer and says so', async () => {
    // Given 1,000 SRV records (a ~60 KB answer, over TCP after a truncated UDP one), each
    // target with a CNAME
    const n = 1000;
    const zone: FakeZone = {
      '_xmpp-server._tcp.big.test': Array.from({ length: n }, (_, i) => srv(10, 0, 5269, `t${i}.big.test`)),
    };
    for (let i = 0; i < n; i++) zone[`t${i}.big.test`] = [cname(`host.big.test`)];
    zone['host.big.test'] = [a('127.0.0.1')];
    const d = await dns(zone);
    // When the domain is checked
    const { ids, report, facts } = await runCheck('big.test', { resolvers: [d.address] }, 3000);
    // Then only MAX_SRV_TARGETS targets were looked up, the cap is a finding, and the CNAME
    // findings are aggregated
    const addressQuestions = d.questions.filter((q) => q.type === 'A' || q.type === 'AAAA');
    assert.ok(
      addressQuestions.length <= 2 * 2 * (MAX_SRV_TARGETS + 1),
      `${addressQuestions.length} address questions`,
    );
    const svc = facts.views[0]?.services['xmpp-server'];
    assert.equal(svc?.records.length, n);
    assert.equal(svc?.notResolved, n - MAX_SRV_TARGETS);
    const cap = report.findings.find((f) => f.id === 'dns.srv.too-many-targets');
    assert.ok(cap, ids.join(' '));
    assert.equal(cap.evidence.count, n);
    assert.equal(cap.evidence.resolved, MAX_SRV_TARGETS);
    assert.equal(ids.filter((id) => id === 'dns.srv.target-cname').length, 3);
    const rep = report.findings.find((f) => f.id === 'dns.finding.repeated');
    assert.ok(rep, ids.join(' '));
    assert.equal(rep.evidence.repeatedId, 'dns.srv.target-cname');
    assert.equal(rep.evidence.count, MAX_SRV_TARGETS - 3);
    assert.ok(report.findings.length < 10, ids.join(' '));
    assert.ok(JSON.stringify(report.findings).length < 20_000);
  });

  it('probe tls probes only the followed targets of a huge SRV answer', async () => {
    // Given 1,000 SRV records pointing at closed ports on loopback
    const n = 1000;
    const zone: FakeZone = {
      '_xmpp-server._tcp.big.test': Array.from({ length: n }, (_, i) => srv(10, 0, 9, `t${i}.big.test`)),
    };
    for (let i = 0; i < n; i++) zone[`t${i}.big.test`] = [a('127.0.0.1')];
    const d = await dns(zone);
    // When probe tls runs
    const r = await probe({ target: 'big.test', resolvers: [d.address], timeoutMs: 3000 });
    // Then at most MAX_SRV_TARGETS addresses were tried, and the DNS cap is carried into the report
    assert.ok(r.facts.attempts.length <= MAX_SRV_TARGETS, `${r.facts.attempts.length} attempts`);
    assert.ok(r.ids.includes('dns.srv.too-many-targets'), r.ids.join(' '));
    assert.equal(r.ids.filter((id) => id === 'tcp.connect.refused').length, 3);
    const rep = r.report.findings.find((f) => f.id === 'xmpp.target.repeated');
    assert.equal(rep?.evidence.repeatedId, 'tcp.connect.refused');
    assert.equal(rep?.evidence.count, r.facts.attempts.length - 3);
    assert.ok(r.report.findings.length < 12, r.ids.join(' '));
  });
});
