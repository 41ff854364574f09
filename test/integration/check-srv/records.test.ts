/**
 * check srv against an in-process fake resolver: each record-level condition (missing SRV,
 * "." targets, CNAME targets, targets without addresses, ports, legacy records, NXDOMAIN)
 * provokes exactly its finding, and a healthy domain produces no warning or error.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connectList } from '../../../src/gather/srv.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { type FakeDnsServer, startFakeDns } from '../../fakes/fake-dns-server.js';
import { assertValidReport } from '../../helpers/schema.js';
import { a, aaaa, cname, runCheck, srv } from './run-check.js';

describe('check srv: record findings', () => {
  let dns: FakeDnsServer;
  const resolvers = () => [dns.address];

  before(async () => {
    dns = await startFakeDns({
      zone: {
        // healthy: two targets, one direct-TLS target, all canonical with addresses
        '_xmpp-server._tcp.good.test': [
          srv(10, 60, 5269, 'xmpp1.good.test'),
          srv(10, 40, 5269, 'xmpp2.good.test'),
        ],
        '_xmpps-server._tcp.good.test': [srv(5, 0, 5270, 'xmpp1.good.test')],
        'xmpp1.good.test': [a('127.0.0.11'), aaaa('::1')],
        'xmpp2.good.test': [a('127.0.0.12')],
        'good.test': [a('127.0.0.10')],
        // no SRV, but the domain has an address
        'fallback.test': [a('127.0.0.20')],
        // no SRV and no address: empty.test exists only as an empty non-terminal (NODATA)
        'www.empty.test': [a('127.0.0.30')],
        // "." target: explicitly no service, even though the domain has an address
        '_xmpp-server._tcp.dot.test': [srv(0, 0, 0, '.')],
        'dot.test': [a('127.0.0.40')],
        // _xmpps-server "." beside a working _xmpp-server
        '_xmpp-server._tcp.nodirect.test': [srv(5, 0, 5269, 'xmpp.nodirect.test')],
        '_xmpps-server._tcp.nodirect.test': [srv(0, 0, 0, '.')],
        'xmpp.nodirect.test': [a('127.0.0.41')],
        // only direct TLS
        '_xmpp-server._tcp.tlsonly.test': [srv(0, 0, 0, '.')],
        '_xmpps-server._tcp.tlsonly.test': [srv(5, 0, 443, 'xmpp.tlsonly.test')],
        'xmpp.tlsonly.test': [a('127.0.0.42')],
        // SRV target behind a two-link CNAME chain
        '_xmpp-server._tcp.alias.test': [srv(5, 0, 5269, 'xmpp.alias.test')],
        'xmpp.alias.test': [cname('lb.alias.test')],
        'lb.alias.test': [cname('host1.hosting.test')],
        'host1.hosting.test': [a('127.0.0.50')],
        // one of two targets has no address
        '_xmpp-server._tcp.partial.test': [
          srv(5, 0, 5269, 'gone.partial.test'),
          srv(10, 0, 5269, 'xmpp.partial.test'),
        ],
        'xmpp.partial.test': [a('127.0.0.60')],
        // no target has an address (the domain's own A must not be used)
        '_xmpp-server._tcp.broken.test': [srv(5, 0, 5269, 'gone.broken.test')],
        'broken.test': [a('127.0.0.61')],
        // port other than 5269
        '_xmpp-server._tcp.port.test': [srv(5, 0, 5270, 'xmpp.port.test')],
        'xmpp.port.test': [a('127.0.0.70')],
        // legacy _jabber._tcp beside a good record
        '_xmpp-server._tcp.legacy.test': [srv(5, 0, 5269, 'xmpp.legacy.test')],
        '_jabber._tcp.legacy.test': [srv(5, 0, 5269, 'xmpp.legacy.test')],
        'xmpp.legacy.test': [a('127.0.0.80')],
        // IDN domain (bücher.test)
        '_xmpp-server._tcp.xn--bcher-kva.test': [srv(5, 0, 5269, 'xmpp.xn--bcher-kva.test')],
        'xmpp.xn--bcher-kva.test': [a('127.0.0.90')],
      },
    });
  });
  after(async () => {
    await dns.close();
    closeDnsSockets();
  });

  it('reports a healthy domain with only dns.srv.ok and lists the connect list in try order', async () => {
    // Given SRV records for both services, each target canonical and with addresses
    // When the domain is checked
    const { report, facts, ids } = await runCheck('good.test', { resolvers: resolvers() });
    // Then only the healthy info finding is reported, and the report validates
    assert.deepEqual(ids, ['dns.srv.ok']);
    assert.equal(report.status, 'pass');
    assertValidReport(JSON.parse(JSON.stringify(report)));
    // And the connect list merges both services by priority (direct TLS at priority 5 first),
    // then by weight within priority 10 (60 before 40), IPv6 before IPv4 for one host
    assert.deepEqual(
      facts.connect.map((c) => `${c.host} ${c.ip} ${c.port} ${c.directTls ? 'tls' : 'starttls'}`),
      [
        'xmpp1.good.test ::1 5270 tls',
        'xmpp1.good.test 127.0.0.11 5270 tls',
        'xmpp1.good.test ::1 5269 starttls',
        'xmpp1.good.test 127.0.0.11 5269 starttls',
        'xmpp2.good.test 127.0.0.12 5269 starttls',
      ],
    );
    // And the weighted order a server uses follows the random source (RFC 2782)
    const lastPick = connectList(facts, { random: () => 0.99 });
    assert.deepEqual(
      [...new Set(lastPick.map((c) => `${c.host}:${c.port}`))],
      ['xmpp1.good.test:5270', 'xmpp2.good.test:5269', 'xmpp1.good.test:5269'],
    );
  });

  it('reports dns.domain.nxdomain when neither the domain nor its SRV names exist', async () => {
    const { ids, facts, report } = await runCheck('missing.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.domain.nxdomain']);
    assert.equal(report.status, 'fail');
    assert.deepEqual(facts.connect, []);
  });

  it('reports dns.srv.missing with the A/AAAA fallback it found', async () => {
    const { ids, facts, report } = await runCheck('fallback.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.missing']);
    assert.deepEqual(report.findings[0]?.evidence.fallback, ['fallback.test:5269 (127.0.0.20)']);
    assert.match(report.findings[0]?.symptom ?? '', /Cisco Expressway does not fall back/);
    assert.deepEqual(
      facts.connect.map((c) => [c.host, c.ip, c.port, c.source]),
      [['fallback.test', '127.0.0.20', 5269, 'fallback']],
    );
  });

  it('reports dns.srv.fallback-missing when there is no SRV and no address either', async () => {
    const { ids, facts } = await runCheck('empty.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.fallback-missing']);
    assert.deepEqual(facts.connect, []);
  });

  it('reports dns.srv.target-dot and does not fall back to the domain address', async () => {
    const { ids, facts } = await runCheck('dot.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.target-dot']);
    assert.equal(facts.views[0]?.services['xmpp-server'].explicitlyUnavailable, true);
    assert.deepEqual(facts.connect, []);
  });

  it('treats a "." _xmpps-server beside a working _xmpp-server as information only', async () => {
    const { ids, report } = await runCheck('nodirect.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.xmpps-target-dot', 'dns.srv.ok']);
    assert.equal(report.status, 'pass');
  });

  it('reports dns.srv.only-direct-tls when only _xmpps-server has targets', async () => {
    const { ids, facts } = await runCheck('tlsonly.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.only-direct-tls']);
    assert.deepEqual(
      facts.connect.map((c) => [c.host, c.port, c.directTls, c.source]),
      [['xmpp.tlsonly.test', 443, true, 'xmpps-server']],
    );
  });

  it('reports dns.srv.target-cname with the whole CNAME chain', async () => {
    const { ids, report } = await runCheck('alias.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.target-cname']);
    const ev = report.findings[0]?.evidence ?? {};
    assert.equal(ev.canonical, 'host1.hosting.test');
    assert.deepEqual(ev.chain, ['xmpp.alias.test -> lb.alias.test', 'lb.alias.test -> host1.hosting.test']);
  });

  it('reports dns.srv.target-no-address for a target without A/AAAA while another still works', async () => {
    const { ids, report, facts } = await runCheck('partial.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.target-no-address']);
    assert.equal(report.findings[0]?.evidence.target, 'gone.partial.test');
    assert.deepEqual(
      facts.connect.map((c) => c.host),
      ['xmpp.partial.test'],
    );
  });

  it('reports dns.srv.no-usable-target when no SRV target has an address, without falling back', async () => {
    const { ids, facts } = await runCheck('broken.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.no-usable-target', 'dns.srv.target-no-address']);
    assert.deepEqual(facts.connect, []);
  });

  it('reports dns.srv.port-nonstandard as information', async () => {
    const { ids, report } = await runCheck('port.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.port-nonstandard', 'dns.srv.ok']);
    assert.equal(report.findings[0]?.evidence.port, 5270);
  });

  it('reports dns.srv.legacy-jabber as information', async () => {
    const { ids } = await runCheck('legacy.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.legacy-jabber', 'dns.srv.ok']);
  });

  it('resolves an IDN by its A-label and records the Unicode form', async () => {
    const { ids, facts } = await runCheck('xn--bcher-kva.test', { resolvers: resolvers() });
    assert.deepEqual(ids, ['dns.srv.ok']);
    assert.equal(facts.unicode, 'bücher.test');
    assert.ok(dns.questions.some((q) => q.name === '_xmpp-server._tcp.xn--bcher-kva.test'));
  });

  it('limits address lookups to A with family 4 and to AAAA with family 6', async () => {
    const before4 = dns.questions.length;
    const four = await runCheck('good.test', { resolvers: resolvers(), family: 4 });
    const asked4 = dns.questions.slice(before4).map((q) => q.type);
    assert.ok(asked4.includes('A') && !asked4.includes('AAAA'));
    assert.ok(four.facts.connect.every((c) => !c.ip.includes(':')));
    const before6 = dns.questions.length;
    const six = await runCheck('good.test', { resolvers: resolvers(), family: 6 });
    const asked6 = dns.questions.slice(before6).map((q) => q.type);
    assert.ok(asked6.includes('AAAA') && !asked6.includes('A'));
    // xmpp2.good.test has no AAAA: with -6 it is a target without address
    assert.deepEqual(six.ids, ['dns.srv.target-no-address']);
  });
});
