/**
 * DNS rules as a table: hand-built SrvFacts in, exact finding ids out (no network). Each
 * row also has a fake-resolver test in test/integration/check-srv that provokes it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type {
  AddressLookup,
  DnsQueryFact,
  ResolverView,
  ServiceLookup,
  SrvFacts,
  SrvRecordFact,
} from '../../../../src/facts/srv.js';
import { connectList } from '../../../../src/gather/srv.js';
import { judge } from '../../../../src/judge/judge.js';
import { dnsRules, viewSummary } from '../../../../src/judge/rules/dns.js';

const addr = (host: string, ips: string[], extra: Partial<AddressLookup> = {}): AddressLookup => ({
  host,
  a: ips.length > 0 ? 'answer' : 'nodata',
  aaaa: 'nodata',
  addresses: ips.map((ip) => ({ ip, family: 4, ttl: 300 })),
  cnameChain: [],
  ...extra,
});
const rec = (priority: number, port: number, target: string, resolved?: AddressLookup): SrvRecordFact => {
  const r: SrvRecordFact = { priority, weight: 0, port, target, ttl: 300 };
  if (resolved) r.resolved = resolved;
  return r;
};
const svc = (
  service: ServiceLookup['service'],
  outcome: ServiceLookup['outcome'],
  records: SrvRecordFact[] = [],
): ServiceLookup => ({
  service,
  name: `_${service}._tcp.example.org`,
  outcome,
  records,
  explicitlyUnavailable: records.length === 1 && records[0]?.target === '.',
});
const query = (outcome: DnsQueryFact['outcome'], extra: Partial<DnsQueryFact> = {}): DnsQueryFact => ({
  name: '_xmpp-server._tcp.example.org',
  type: 'SRV',
  resolver: '192.0.2.53:53',
  transport: 'udp',
  tcpRetry: false,
  outcome,
  answers: [],
  cnameChain: [],
  attempts: 1,
  durationMs: 3,
  ...extra,
});

function view(
  over: Partial<Omit<ResolverView, 'services'>> & { services?: Partial<ResolverView['services']> } = {},
): ResolverView {
  const { services, ...rest } = over;
  return {
    resolver: '192.0.2.53:53',
    answered: true,
    domainAddresses: addr('example.org', ['192.0.2.1']),
    queries: [query('answer')],
    ...rest,
    services: {
      'xmpp-server': svc('xmpp-server', 'answer', [
        rec(5, 5269, 'xmpp.example.org', addr('xmpp.example.org', ['192.0.2.10'])),
      ]),
      'xmpps-server': svc('xmpps-server', 'nxdomain'),
      jabber: svc('jabber', 'nxdomain'),
      ...services,
    },
  };
}

function facts(views: ResolverView[], mode: SrvFacts['mode'] = 'failover'): SrvFacts {
  const primary = views.findIndex((v) => v.answered);
  const f: SrvFacts = {
    domain: 'example.org',
    family: undefined,
    tcpForced: false,
    mode,
    views,
    primary: primary >= 0 ? primary : null,
    connect: [],
  };
  f.connect = connectList(f, { order: 'expected' });
  return f;
}

const ids = (f: SrvFacts) => judge(f, dnsRules).map((x) => x.id);

describe('dns rules', () => {
  const rows: [string, SrvFacts, string[]][] = [
    ['healthy domain', facts([view()]), ['dns.srv.ok']],
    [
      'NXDOMAIN everywhere',
      facts([
        view({
          services: {
            'xmpp-server': svc('xmpp-server', 'nxdomain'),
            'xmpps-server': svc('xmpps-server', 'nxdomain'),
          },
          domainAddresses: addr('example.org', [], { a: 'nxdomain', aaaa: 'nxdomain' }),
        }),
      ]),
      ['dns.domain.nxdomain'],
    ],
    [
      'no SRV, fallback works',
      facts([view({ services: { 'xmpp-server': svc('xmpp-server', 'nodata') } })]),
      ['dns.srv.missing'],
    ],
    [
      'no SRV, no fallback',
      facts([
        view({
          services: { 'xmpp-server': svc('xmpp-server', 'nodata') },
          domainAddresses: addr('example.org', []),
        }),
      ]),
      ['dns.srv.fallback-missing'],
    ],
    [
      'no SRV and the fallback lookup failed: only the query finding speaks',
      facts([
        view({
          services: { 'xmpp-server': svc('xmpp-server', 'nodata') },
          domainAddresses: addr('example.org', [], { a: 'servfail', aaaa: 'servfail' }),
          queries: [query('servfail', { type: 'A', name: 'example.org', rcode: 'SERVFAIL' })],
        }),
      ]),
      ['dns.query.servfail'],
    ],
    [
      '"." target',
      facts([view({ services: { 'xmpp-server': svc('xmpp-server', 'answer', [rec(0, 0, '.')]) } })]),
      ['dns.srv.target-dot'],
    ],
    [
      'CNAME target',
      facts([
        view({
          services: {
            'xmpp-server': svc('xmpp-server', 'answer', [
              rec(
                5,
                5269,
                'xmpp.example.org',
                addr('xmpp.example.org', ['192.0.2.10'], {
                  cnameChain: ['xmpp.example.org -> host.example.net'],
                }),
              ),
            ]),
          },
        }),
      ]),
      ['dns.srv.target-cname'],
    ],
    [
      'target lookups failed (not definitely absent): no target-no-address, but nothing usable',
      facts([
        view({
          services: {
            'xmpp-server': svc('xmpp-server', 'answer', [
              rec(
                5,
                5269,
                'xmpp.example.org',
                addr('xmpp.example.org', [], { a: 'timeout', aaaa: 'timeout' }),
              ),
            ]),
          },
          queries: [
            query('timeout', { type: 'A', name: 'xmpp.example.org', error: 'no answer within 5000 ms' }),
          ],
        }),
      ]),
      ['dns.resolver.timeout', 'dns.srv.no-usable-target'],
    ],
    [
      'no resolver answered',
      facts([view({ answered: false, queries: [query('timeout', { error: 'no answer within 5000 ms' })] })]),
      ['dns.resolver.timeout'],
    ],
    [
      'TCP retry after truncation',
      facts([view({ queries: [query('answer', { tcpRetry: true, transport: 'tcp' })] })]),
      ['dns.answer.needs-tcp', 'dns.srv.ok'],
    ],
  ];
  for (const [name, f, expected] of rows) {
    it(`${name} -> ${expected.join(', ')}`, () => {
      assert.deepEqual(ids(f), expected);
    });
  }

  it('compares resolvers only in compare mode, and only those that answered', () => {
    const inside = view({
      resolver: '10.0.0.53:53',
      services: {
        'xmpp-server': svc('xmpp-server', 'answer', [
          rec(5, 5269, 'xmpp.example.org', addr('xmpp.example.org', ['10.0.0.10'])),
        ]),
      },
    });
    assert.deepEqual(ids(facts([view(), inside], 'compare')), ['dns.resolvers.disagree']);
    assert.deepEqual(ids(facts([view(), view({ resolver: '10.0.0.53:53' })], 'compare')), ['dns.srv.ok']);
    assert.notEqual(viewSummary(view()), viewSummary(inside));
  });

  it('fills the catalog text with the real names', () => {
    const f = facts([view({ services: { 'xmpp-server': svc('xmpp-server', 'nodata') } })]);
    const [finding] = judge(f, dnsRules);
    assert.equal(
      finding?.title,
      'No _xmpp-server._tcp SRV record for example.org; servers fall back to example.org:5269 (192.0.2.1)',
    );
  });
});
