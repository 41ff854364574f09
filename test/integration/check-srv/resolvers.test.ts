/**
 * check srv against misbehaving fake resolvers: SERVFAIL, REFUSED, other rcodes, silence,
 * a closed port, truncation (with and without working TCP), malformed packets, forced TCP,
 * failover between resolv.conf-style resolvers and disagreeing resolvers (split DNS).
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { newResolverMemory, SILENT_DOMAINS } from '../../../src/gather/srv.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import {
  closedPort,
  type FakeDnsOptions,
  type FakeDnsServer,
  startFakeDns,
} from '../../fakes/fake-dns-server.js';
import { a, runCheck, srv } from './run-check.js';

const ZONE = {
  '_xmpp-server._tcp.example.test': [srv(5, 0, 5269, 'xmpp.example.test')],
  'xmpp.example.test': [a('127.0.0.2')],
  'example.test': [a('127.0.0.3')],
};

describe('check srv: resolver and transport findings', () => {
  const servers: FakeDnsServer[] = [];
  const start = async (opts: FakeDnsOptions) => {
    const s = await startFakeDns({ zone: ZONE, ...opts });
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    closeDnsSockets();
  });

  it('reports dns.query.servfail for the query that failed', async () => {
    // Given a resolver that fails the _xmpp-server SRV lookup with SERVFAIL
    const dns = await start({
      handler: (q) =>
        q.type === 'SRV' && q.name.startsWith('_xmpp-server') ? { rcode: 'SERVFAIL' } : undefined,
    });
    // When the domain is checked
    const { ids, report } = await runCheck('example.test', { resolvers: [dns.address] });
    // Then the SERVFAIL is the only finding and names the failed query
    assert.deepEqual(ids, ['dns.query.servfail']);
    assert.deepEqual(report.findings[0]?.evidence.queries, ['SRV _xmpp-server._tcp.example.test']);
  });

  it('reports dns.query.refused when the resolver refuses recursion', async () => {
    const dns = await start({ handler: () => ({ rcode: 'REFUSED' }) });
    const { ids, facts } = await runCheck('example.test', { resolvers: [dns.address] });
    assert.deepEqual(ids, ['dns.query.refused']);
    assert.equal(facts.views[0]?.services['xmpp-server'].outcome, 'refused');
  });

  it('reports dns.query.error-rcode with the rcode for NOTIMP', async () => {
    const dns = await start({ handler: (q) => (q.type === 'SRV' ? { rcode: 'NOTIMP' } : undefined) });
    const { ids, report } = await runCheck('example.test', { resolvers: [dns.address] });
    assert.deepEqual(ids, ['dns.query.error-rcode']);
    assert.equal(report.findings[0]?.evidence.rcode, 'NOTIMP');
  });

  it('reports dns.resolver.timeout for a silent resolver within the deadline', async () => {
    // Given a resolver that never answers
    const dns = await start({ handler: () => ({ silent: true }) });
    // When checked with a 300 ms deadline per query
    const t0 = Date.now();
    const { ids, facts, report } = await runCheck('example.test', { resolvers: [dns.address] }, 300);
    // Then it is a timeout finding, not a hang: one deadline, with retransmissions
    assert.deepEqual(ids, ['dns.resolver.timeout']);
    assert.ok(Date.now() - t0 < 1500, `took ${Date.now() - t0} ms`);
    assert.equal(facts.primary, null);
    assert.equal(facts.views[0]?.queries[0]?.attempts, 3);
    assert.equal(report.findings[0]?.evidence.resolver, `127.0.0.1:${dns.port}`);
  });

  it('reports dns.resolver.unreachable for a closed port, naming the resolver', async () => {
    const port = await closedPort();
    const { ids, report } = await runCheck('example.test', { resolvers: [{ host: '127.0.0.1', port }] });
    assert.deepEqual(ids, ['dns.resolver.unreachable']);
    assert.equal(report.findings[0]?.evidence.resolver, `127.0.0.1:${port}`);
    assert.match(String(report.findings[0]?.evidence.error), /ECONNREFUSED/);
  });

  it('retries a truncated UDP answer over TCP and reports dns.answer.needs-tcp', async () => {
    // Given a resolver whose UDP answer to the SRV query is truncated
    const dns = await start({
      handler: (q) =>
        q.type === 'SRV' && q.name.startsWith('_xmpp-server')
          ? { ...zoneAnswer(q.name), truncate: true }
          : undefined,
    });
    // When the domain is checked
    const { ids, facts } = await runCheck('example.test', { resolvers: [dns.address] });
    // Then the query was repeated over TCP and the records were used
    const q = facts.views[0]?.queries.find((x) => x.name === '_xmpp-server._tcp.example.test');
    assert.equal(q?.tcpRetry, true);
    assert.equal(q?.transport, 'tcp');
    assert.ok(
      dns.questions.some((x) => x.transport === 'tcp' && x.name === '_xmpp-server._tcp.example.test'),
    );
    assert.deepEqual(ids, ['dns.answer.needs-tcp', 'dns.srv.ok']);
  });

  it('reports dns.answer.truncated when the TCP retry is impossible', async () => {
    const dns = await start({
      tcp: false,
      handler: (q) =>
        q.type === 'SRV' && q.name.startsWith('_xmpp-server') ? { truncate: true } : undefined,
    });
    const { ids, report } = await runCheck('example.test', { resolvers: [dns.address] });
    assert.deepEqual(ids, ['dns.answer.truncated']);
    assert.match(String(report.findings[0]?.evidence.error), /TCP retry failed/);
  });

  it('reports dns.answer.malformed for an undecodable reply', async () => {
    // Given a resolver that answers the SRV query with the right id and garbage after it
    const garbage = (id: number) =>
      Buffer.concat([
        Buffer.from([id >> 8, id & 0xff, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0]),
        Buffer.from([0xc0, 0xff, 0xff]),
      ]);
    const dns = await start({
      handler: (q) => (q.type === 'SRV' && q.name.startsWith('_xmpp-server') ? { raw: garbage } : undefined),
    });
    const { ids } = await runCheck('example.test', { resolvers: [dns.address] });
    assert.deepEqual(ids, ['dns.answer.malformed']);
  });

  it('reports dns.answer.malformed when only unattributable datagrams arrive', async () => {
    const dns = await start({
      handler: (q) =>
        q.type === 'SRV' && q.name.startsWith('_xmpp-server') ? { raw: Buffer.from('hello') } : undefined,
    });
    const { ids } = await runCheck('example.test', { resolvers: [dns.address] }, 300);
    assert.deepEqual(ids, ['dns.answer.malformed']);
  });

  it('uses TCP only when forced', async () => {
    const dns = await start({});
    const { ids, facts } = await runCheck('example.test', { resolvers: [dns.address], tcp: true });
    assert.deepEqual(ids, ['dns.srv.ok']);
    assert.ok(dns.questions.length > 0 && dns.questions.every((q) => q.transport === 'tcp'));
    assert.ok(facts.views[0]?.queries.every((q) => q.transport === 'tcp' && q.attempts === 0));
  });

  it('fails over to the next resolver like resolv.conf, and reports the dead one as a warning', async () => {
    const dead = await closedPort();
    const good = await start({});
    const { ids, facts, report } = await runCheck('example.test', {
      resolvers: [{ host: '127.0.0.1', port: dead }, good.address],
      compare: false,
    });
    // The domain resolves through the second resolver: a warning, not a failed domain (issue 13)
    assert.deepEqual(ids, ['dns.resolver.failover']);
    assert.equal(report.status, 'warn');
    assert.equal(report.findings[0]?.evidence.resolver, `127.0.0.1:${dead}`);
    assert.equal(report.findings[0]?.evidence.answeredBy, `127.0.0.1:${good.port}`);
    assert.equal(report.findings[0]?.evidence.outcome, 'unreachable');
    assert.equal(facts.mode, 'failover');
    assert.equal(facts.primary, 1);
    assert.deepEqual(
      facts.connect.map((c) => c.ip),
      ['127.0.0.2'],
    );
  });

  it('fails over past a resolver whose every reply is unusable, and reports it as malformed', async () => {
    // Given a first resolver that answers every question with bytes that are no DNS message
    const garbage = await start({ handler: () => ({ raw: Buffer.from('hello') }) });
    const good = await start({});
    // When resolv.conf-style failover is used
    const { ids, facts, report } = await runCheck(
      'example.test',
      { resolvers: [garbage.address, good.address], compare: false },
      300,
    );
    // Then the second resolver's records are used, and the first one is still reported
    assert.equal(facts.views[0]?.answered, false);
    assert.equal(facts.primary, 1);
    assert.deepEqual(ids, ['dns.resolver.failover']);
    assert.equal(report.findings[0]?.evidence.outcome, 'malformed');
    assert.deepEqual(
      facts.connect.map((c) => c.ip),
      ['127.0.0.2'],
    );
  });

  it('stops waiting for a resolver that stayed silent for two domains of the run, and still reports it', async () => {
    // Given a silent first resolver, a working second one, and one memory for the whole run
    const silent = await start({ handler: () => ({ silent: true }) });
    const good = await start({});
    const opts = { resolvers: [silent.address, good.address], compare: false, memory: newResolverMemory() };
    // When two domains have waited for it in vain
    assert.equal(SILENT_DOMAINS, 2);
    for (const d of ['one.test', 'two.test']) {
      const { ids, facts } = await runCheck(d, opts, 300);
      assert.equal(facts.skipped, undefined);
      assert.ok(ids.includes('dns.resolver.failover'));
    }
    const asked = silent.questions.length;
    // Then the next domain does not ask it, takes no deadline, and fails over at once (checked
    // with a 3 s deadline: waiting on the silent resolver would take all of it, while the real
    // work, which on a loaded machine alone can take 300 ms, stays far below)
    const t0 = Date.now();
    const { ids, facts, report } = await runCheck('example.test', opts, 3000);
    assert.ok(Date.now() - t0 < 3000, `took ${Date.now() - t0} ms`);
    assert.equal(silent.questions.length, asked, 'the silent resolver must not be asked again');
    assert.deepEqual(
      facts.views.map((v) => v.resolver),
      [`127.0.0.1:${good.port}`],
    );
    assert.deepEqual(
      facts.connect.map((c) => c.ip),
      ['127.0.0.2'],
    );
    // And its report still names the silent resolver, with the evidence from the earlier domains
    assert.deepEqual(facts.skipped?.[0]?.silentFor, ['one.test', 'two.test']);
    assert.deepEqual(ids, ['dns.resolver.failover']);
    const ev = report.findings[0]?.evidence ?? {};
    assert.equal(ev.resolver, `127.0.0.1:${silent.port}`);
    assert.equal(ev.answeredBy, `127.0.0.1:${good.port}`);
    assert.deepEqual(ev.silentFor, ['one.test', 'two.test']);
    assert.match(report.findings[0]?.cause ?? '', /not asked about example\.test/);
  });

  it('keeps asking a resolver that answered earlier in the run, even if one zone is slow', async () => {
    // Given a resolver that answers example.test but stays silent for names under slow.test
    const flaky = await start({
      handler: (q) => (q.name.endsWith('slow.test') ? { silent: true } : undefined),
    });
    const good = await start({});
    const opts = { resolvers: [flaky.address, good.address], compare: false, memory: newResolverMemory() };
    await runCheck('example.test', opts, 300);
    // When several slow domains follow
    for (const d of ['a.slow.test', 'b.slow.test']) await runCheck(d, opts, 300);
    const before = flaky.questions.length;
    const { facts } = await runCheck('c.slow.test', opts, 300);
    // Then it is still asked: it is not a silent resolver
    assert.ok(flaky.questions.length > before);
    assert.equal(facts.skipped, undefined);
  });

  it('never leaves every resolver out: a lone silent resolver is asked for every domain', async () => {
    const silent = await start({ handler: () => ({ silent: true }) });
    const opts = { resolvers: [silent.address], memory: newResolverMemory() };
    for (const d of ['one.test', 'two.test']) await runCheck(d, opts, 300);
    const before = silent.questions.length;
    const { ids, facts } = await runCheck('three.test', opts, 300);
    assert.ok(silent.questions.length > before);
    assert.equal(facts.skipped, undefined);
    assert.deepEqual(ids, ['dns.resolver.timeout']);
  });

  it('reports dns.resolvers.disagree with both answers side by side (split DNS)', async () => {
    // Given an inside and an outside view that give the SRV target different addresses
    const outside = await start({});
    const inside = await start({ zone: { ...ZONE, 'xmpp.example.test': [a('127.0.10.2')] } });
    // When both are given as resolvers
    const { ids, report, facts } = await runCheck('example.test', {
      resolvers: [outside.address, inside.address],
    });
    // Then they are compared and the finding shows each answer
    assert.equal(facts.mode, 'compare');
    assert.deepEqual(ids, ['dns.resolvers.disagree']);
    const answers = report.findings[0]?.evidence.answers as string[];
    assert.equal(answers.length, 2);
    assert.match(
      answers[0] ?? '',
      new RegExp(`^127\\.0\\.0\\.1:${outside.port} → .*xmpp\\.example\\.test: 127\\.0\\.0\\.2`),
    );
    assert.match(
      answers[1] ?? '',
      new RegExp(`^127\\.0\\.0\\.1:${inside.port} → .*xmpp\\.example\\.test: 127\\.0\\.10\\.2`),
    );
  });

  it('does not report disagreement when compared resolvers agree', async () => {
    const one = await start({});
    const two = await start({});
    const { ids } = await runCheck('example.test', { resolvers: [one.address, two.address] });
    assert.deepEqual(ids, ['dns.srv.ok']);
  });
});

function zoneAnswer(name: string) {
  return { answers: name === '_xmpp-server._tcp.example.test' ? ZONE[name] : [] };
}
