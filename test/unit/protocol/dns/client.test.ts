/**
 * The DNS client against the in-process fake server: outcomes are kept apart (answer,
 * NODATA, NXDOMAIN, SERVFAIL, REFUSED, timeout, unreachable, truncated, malformed), UDP
 * retransmits inside one deadline, TC leads to TCP, and CNAME chains are followed with a bound.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { closeDnsSockets, lookup, MAX_CNAME_CHAIN, query } from '../../../../src/protocol/dns/client.js';
import {
  closedPort,
  type FakeDnsOptions,
  type FakeDnsServer,
  startFakeDns,
} from '../../../fakes/fake-dns-server.js';

const srvRec = (i: number) =>
  ({ type: 'SRV', data: { priority: i, weight: 0, port: 5269, target: `xmpp${i}.example.test` } }) as const;

describe('DNS client', () => {
  const servers: FakeDnsServer[] = [];
  const start = async (opts: FakeDnsOptions) => {
    const s = await startFakeDns(opts);
    servers.push(s);
    return s;
  };
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    closeDnsSockets();
  });
  const opts = { timeoutMs: 400 };

  it('returns records, TTLs and header flags of a UDP answer', async () => {
    const dns = await start({
      zone: { 'x.test': [{ type: 'A', data: '127.0.0.7', ttl: 42 }] },
      handler: (q) =>
        q.name === 'signed.test'
          ? { answers: [{ type: 'A', data: '127.0.0.8' }], ad: true, aa: true }
          : undefined,
    });
    const r = await query(dns.address, 'X.test.', 'A', opts);
    assert.equal(r.outcome, 'answer');
    assert.equal(r.rcode, 'NOERROR');
    assert.equal(r.transport, 'udp');
    assert.equal(r.attempts, 1);
    assert.deepEqual(r.answers, [{ name: 'x.test', type: 'A', ttl: 42, data: '127.0.0.7' }]);
    const s = await query(dns.address, 'signed.test', 'A', opts);
    assert.deepEqual(s.flags, { aa: true, tc: false, ad: true, ra: true });
  });

  it('talks to an IPv6 resolver over UDP and TCP', async () => {
    const dns = await start({ host: '::1', zone: { 'x.test': [{ type: 'AAAA', data: '::1' }] } });
    const u = await query(dns.address, 'x.test', 'AAAA', opts);
    assert.equal(u.outcome, 'answer');
    assert.equal(u.resolver, `[::1]:${dns.port}`);
    const t = await query(dns.address, 'x.test', 'AAAA', { ...opts, tcp: true });
    assert.equal(t.outcome, 'answer');
  });

  it('keeps NXDOMAIN, NODATA, SERVFAIL and REFUSED apart', async () => {
    const dns = await start({
      zone: { 'host.test': [{ type: 'A', data: '127.0.0.1' }] },
      handler: (q) =>
        q.name === 'fail.test'
          ? { rcode: 'SERVFAIL' }
          : q.name === 'refuse.test'
            ? { rcode: 'REFUSED' }
            : undefined,
    });
    assert.equal((await query(dns.address, 'nope.test', 'A', opts)).outcome, 'nxdomain');
    assert.equal((await query(dns.address, 'host.test', 'AAAA', opts)).outcome, 'nodata');
    assert.equal((await query(dns.address, 'fail.test', 'A', opts)).outcome, 'servfail');
    assert.equal((await query(dns.address, 'refuse.test', 'A', opts)).outcome, 'refused');
  });

  it('retransmits inside the deadline and accepts the answer to a later transmission', async () => {
    // Given a server that drops the first datagram of each question
    let seen = 0;
    const dns = await start({
      zone: { 'late.test': [{ type: 'A', data: '127.0.0.9' }] },
      handler: () => (seen++ === 0 ? { silent: true } : undefined),
    });
    const r = await query(dns.address, 'late.test', 'A', { timeoutMs: 600, retries: 2 });
    assert.equal(r.outcome, 'answer');
    assert.equal(r.attempts, 2);
  });

  it('times out a silent server after the deadline, with 1 + retries transmissions', async () => {
    const dns = await start({ handler: () => ({ silent: true }) });
    const t0 = Date.now();
    const r = await query(dns.address, 'quiet.test', 'SRV', { timeoutMs: 300, retries: 2 });
    const took = Date.now() - t0;
    assert.equal(r.outcome, 'timeout');
    assert.equal(r.attempts, 3);
    assert.equal(dns.questions.length, 3);
    assert.ok(took >= 290 && took < 1000, `took ${took} ms`);
  });

  it('reports a closed port as unreachable at once', async () => {
    const port = await closedPort();
    const t0 = Date.now();
    const r = await query({ host: '127.0.0.1', port }, 'x.test', 'A', { timeoutMs: 5000 });
    assert.equal(r.outcome, 'unreachable');
    assert.ok(Date.now() - t0 < 2000);
    const t = await query({ host: '127.0.0.1', port }, 'x.test', 'A', { timeoutMs: 5000, tcp: true });
    assert.equal(t.outcome, 'unreachable');
  });

  it('repeats a truncated UDP answer over TCP and gets the full record set', async () => {
    // Given 40 SRV records (too many for 512 octets) and a server that sets TC over UDP
    const records = Array.from({ length: 40 }, (_, i) => srvRec(i));
    const dns = await start({ handler: () => ({ answers: records, truncate: true }) });
    const r = await query(dns.address, '_xmpp-server._tcp.big.test', 'SRV', opts);
    assert.equal(r.outcome, 'answer');
    assert.equal(r.tcpRetry, true);
    assert.equal(r.transport, 'tcp');
    assert.equal(r.records.length, 40);
    assert.deepEqual(
      dns.questions.map((q) => q.transport),
      ['udp', 'tcp'],
    );
  });

  it('reports truncated when TC is set and the TCP retry fails', async () => {
    const dns = await start({ tcp: false, handler: () => ({ truncate: true }) });
    const r = await query(dns.address, '_xmpp-server._tcp.big.test', 'SRV', opts);
    assert.equal(r.outcome, 'truncated');
    assert.equal(r.tcpRetry, true);
  });

  it('uses TCP only when forced', async () => {
    const dns = await start({ zone: { 'x.test': [{ type: 'A', data: '127.0.0.7' }] } });
    const r = await query(dns.address, 'x.test', 'A', { ...opts, tcp: true });
    assert.equal(r.outcome, 'answer');
    assert.equal(r.attempts, 0);
    assert.deepEqual(
      dns.questions.map((q) => q.transport),
      ['tcp'],
    );
  });

  it('times out a TCP server that accepts but never answers', async () => {
    const dns = await start({ handler: () => ({ silent: true }) });
    const r = await query(dns.address, 'x.test', 'A', { timeoutMs: 200, tcp: true });
    assert.equal(r.outcome, 'timeout');
  });

  it('reports malformed for undecodable bytes carrying the query id, over UDP and TCP', async () => {
    const dns = await start({
      handler: () => ({
        raw: (id) => Buffer.from([id >> 8, id & 0xff, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0, 7]),
      }),
    });
    const u = await query(dns.address, 'x.test', 'A', opts);
    assert.equal(u.outcome, 'malformed');
    const t = await query(dns.address, 'x.test', 'A', { ...opts, tcp: true });
    assert.equal(t.outcome, 'malformed');
  });

  it('ignores an answer to a different question and then reports malformed, not timeout', async () => {
    const dns = await start({
      handler: () => ({ answers: [{ type: 'A', data: '127.0.0.1', name: 'other.test' }] }),
    });
    // The fake echoes the question, so rewrite it: answer as if asked for other.test.
    const spoof = await start({
      handler: () => ({
        raw: (id) => {
          const b = Buffer.from([id >> 8, id & 0xff, 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0]);
          const name = Buffer.from([5, ...Buffer.from('other'), 4, ...Buffer.from('test'), 0, 0, 1, 0, 1]);
          return Buffer.concat([b, name]);
        },
      }),
    });
    assert.equal((await query(dns.address, 'x.test', 'A', opts)).outcome, 'nodata');
    const r = await query(spoof.address, 'x.test', 'A', { timeoutMs: 200 });
    assert.equal(r.outcome, 'malformed');
  });

  it('follows a CNAME chain inside one answer and records it', async () => {
    const dns = await start({
      zone: {
        'a.test': [{ type: 'CNAME', data: 'b.test' }],
        'b.test': [{ type: 'CNAME', data: 'c.test' }],
        'c.test': [{ type: 'A', data: '127.0.0.3' }],
      },
    });
    const r = await lookup(dns.address, 'a.test', 'A', opts);
    assert.equal(r.outcome, 'answer');
    assert.deepEqual(r.cnameChain, ['a.test -> b.test', 'b.test -> c.test']);
    assert.equal(r.queries.length, 1);
  });

  it('asks again when an authoritative-only server returns the CNAME alone', async () => {
    // Given a server that answers only with the alias record, never following it
    const dns = await start({
      handler: (q) =>
        q.name === 'alias.test'
          ? { answers: [{ type: 'CNAME', data: 'real.test' }] }
          : q.name === 'real.test'
            ? { answers: [{ type: 'A', data: '127.0.0.4' }] }
            : { rcode: 'NXDOMAIN' },
    });
    const r = await lookup(dns.address, 'alias.test', 'A', opts);
    assert.equal(r.outcome, 'answer');
    assert.deepEqual(r.cnameChain, ['alias.test -> real.test']);
    assert.equal(r.queries.length, 2);
  });

  it('stops at a CNAME loop and at overlong chains', async () => {
    const dns = await start({
      handler: (q) => {
        if (q.name === 'loop1.test') return { answers: [{ type: 'CNAME', data: 'loop2.test' }] };
        if (q.name === 'loop2.test') return { answers: [{ type: 'CNAME', data: 'loop1.test' }] };
        const m = /^hop(\d+)\.test$/.exec(q.name);
        if (m) return { answers: [{ type: 'CNAME', data: `hop${Number(m[1]) + 1}.test` }] };
        return undefined;
      },
    });
    const loop = await lookup(dns.address, 'loop1.test', 'A', opts);
    assert.equal(loop.outcome, 'nodata');
    assert.equal(loop.error, 'CNAME loop');
    const long = await lookup(dns.address, 'hop0.test', 'A', opts);
    assert.equal(long.outcome, 'nodata');
    assert.equal(long.cnameChain.length, MAX_CNAME_CHAIN);
    assert.match(long.error ?? '', /longer than/);
  });

  it('reports a root SRV target as "."', async () => {
    const dns = await start({
      zone: {
        '_xmpp-server._tcp.x.test': [{ type: 'SRV', data: { priority: 0, weight: 0, port: 0, target: '.' } }],
      },
    });
    const r = await query(dns.address, '_xmpp-server._tcp.x.test', 'SRV', opts);
    assert.deepEqual(r.records, [{ type: 'SRV', ttl: 300, priority: 0, weight: 0, port: 0, target: '.' }]);
  });

  it('multiplexes many concurrent queries over one socket', async () => {
    const zone = Object.fromEntries(
      Array.from({ length: 300 }, (_, i) => [
        `h${i}.test`,
        [{ type: 'A' as const, data: `127.0.${i >> 8}.${i & 255}` }],
      ]),
    );
    const dns = await start({ zone });
    const rs = await Promise.all(
      Array.from({ length: 300 }, (_, i) => query(dns.address, `h${i}.test`, 'A', { timeoutMs: 2000 })),
    );
    assert.ok(
      rs.every((r, i) => r.outcome === 'answer' && r.answers[0]?.data === `127.0.${i >> 8}.${i & 255}`),
    );
  });
});
