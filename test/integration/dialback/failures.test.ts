/**
 * xfed dialback when the handshake fails: each answer type and error condition of the peer,
 * stream errors, silence, callbacks that fail in TLS or never come, Prosody-style callbacks
 * whose own key cannot be verified, a peer without dialback, a missing stream id, the ping,
 * and a listener that cannot bind. Each case asserts the exact finding id that names the step.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { xep0185Key } from '../../../src/protocol/dialback/keys.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { FEATURES, serverHeader, streamError } from '../../fakes/xmpp-peer.js';
import { assertValidReport } from '../../helpers/schema.js';
import {
  attrs,
  DB_ELEMENT,
  ejabberdCallback,
  ejabberdStyle,
  OUR,
  PEER,
  PEER_SECRET,
  type PeerBehaviour,
  type Received,
  runDialback,
  startWorld,
  type World,
} from './world.js';

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
  closeDnsSockets();
});

async function world(b: PeerBehaviour): Promise<World> {
  const w = await startWorld(b);
  worlds.push(w);
  return w;
}

/** Waits for xfed to close the originating stream, then hangs up. */
async function hangUpLater(r: Received): Promise<void> {
  await r.c.waitFor(/<\/stream:stream>/, 15_000).catch(() => {});
  r.c.end();
}

/** A peer that answers our db:result with `xml`, optionally after a proper callback. */
function answering(xml: string, opts: { callbackFirst?: boolean } = {}): PeerBehaviour {
  return {
    async onResult(r) {
      if (opts.callbackFirst) await ejabberdCallback(r);
      r.c.send(xml);
      await hangUpLater(r);
    },
  };
}

const errorResult = (condition: string, text = '') =>
  `<db:result from='${PEER}' to='${OUR}' type='error'><error type='cancel'><${condition} xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>${text ? `<text xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>${text}</text>` : ''}</error></db:result>`;

describe('xfed dialback: the peer answers the db:result with a failure', () => {
  it('names an invalid answer after a correct callback', async () => {
    // Given a peer that verifies our key (xfed answers valid) and still says invalid
    const w = await world(
      answering(`<db:result from='${PEER}' to='${OUR}' type='invalid'/>`, { callbackFirst: true }),
    );
    const { ids, facts, report } = await runDialback(w);
    // Then the result is named, and no callback problem is invented
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.invalid'],
    );
    assert.equal(facts.sessions[0]?.verifies[0]?.answer, 'valid');
    assertValidReport(report);
  });

  const conditions: [string, string][] = [
    ['remote-server-not-found', 'dialback.result.remote-server-not-found'],
    ['remote-connection-failed', 'dialback.result.remote-connection-failed'],
    ['remote-server-timeout', 'dialback.result.remote-server-timeout'],
    ['item-not-found', 'dialback.result.item-not-found'],
    ['not-allowed', 'dialback.result.not-allowed'],
    ['policy-violation', 'dialback.result.policy-violation'],
    ['not-authorized', 'dialback.result.not-authorized'],
    ['forbidden', 'dialback.result.forbidden'],
    ['resource-constraint', 'dialback.result.error'],
  ];
  for (const [condition, id] of conditions) {
    it(`maps a type='error' answer with <${condition}/> to ${id}`, async () => {
      const w = await world(answering(errorResult(condition, 'DNS lookup failed: nxdomain')));
      const { ids, facts, report } = await runDialback(w);
      assert.deepEqual(
        ids.filter((i) => i.startsWith('dialback.')),
        [id],
      );
      assert.equal(facts.result?.condition, condition);
      const f = report.findings.find((x) => x.id === id);
      assert.equal(f?.evidence.text, 'DNS lookup failed: nxdomain');
      // And the evidence names where the callback should have gone
      assert.equal(f?.evidence.callbacks, 0);
      assert.deepEqual(f?.evidence.ourTargets, [`xmpp.${OUR} 127.0.0.1:${w.listenPort}`]);
    });
  }

  const streamErrors: [string, string][] = [
    ['not-authorized', 'dialback.stream.not-authorized'],
    ['policy-violation', 'dialback.stream.policy-violation'],
    ['host-unknown', 'xmpp.stream.host-unknown'],
    // RFC 3920 §8.3 style: the failed callback reported by closing the stream
    ['remote-connection-failed', 'dialback.result.remote-connection-failed'],
    ['remote-server-not-found', 'dialback.result.remote-server-not-found'],
  ];
  for (const [condition, id] of streamErrors) {
    it(`names a stream error ${condition} in answer to db:result (${id})`, async () => {
      const w = await world(answering(streamError(condition, 'dialback authentication failed')));
      const { ids, facts } = await runDialback(w);
      assert.deepEqual(
        ids.filter((i) => catalogSeverityIsError(i)),
        [id],
      );
      assert.equal(facts.result?.outcome, 'stream-error');
    });
  }

  it('names a peer that closes the stream instead of answering', async () => {
    const w = await world({
      async onResult(r) {
        r.c.send('</stream:stream>');
        r.c.end();
      },
    });
    const { ids, facts } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.closed'],
    );
    assert.equal(facts.result?.outcome, 'closed');
  });

  it('ignores answers that do not correlate (wrong from/to) and takes the real one', async () => {
    // Given a peer that first sends spoofed answers for other domain pairs
    const w = await world({
      async onResult(r) {
        r.c.send(
          `<db:result from='evil.test' to='${OUR}' type='valid'/><db:result from='${PEER}' to='other.test' type='valid'/>`,
        );
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='invalid'/>`);
        await hangUpLater(r);
      },
    });
    const { ids, facts } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.invalid'],
    );
    assert.equal(facts.result?.ignored, 2);
  });
});

/** Error-severity ids only (the connection's info findings are not the point here). */
function catalogSeverityIsError(id: string): boolean {
  return ![
    'tls.starttls.required',
    'cert.check.ok',
    'xmpp.auth.dialback-offered',
    'xmpp.auth.external-offered',
  ].includes(id);
}

describe('xfed dialback: the callback', () => {
  it('reports no callback at all before the deadline as dialback.callback.timeout', async () => {
    // Given a peer that never calls back and never answers (our domain leads nowhere from its side)
    const w = await world({ onResult: hangUpLater });
    const started = Date.now();
    const { ids, facts, report } = await runDialback(w, { resultTimeoutMs: 600, timeoutMs: 1000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.callback.timeout'],
    );
    assert.equal(facts.sessions.length, 0);
    // And the run ends by itself soon after the deadline
    assert.ok(Date.now() - started < 4000, `took ${Date.now() - started} ms`);
    const f = report.findings.find((x) => x.id === 'dialback.callback.timeout');
    assert.equal(f?.evidence.timeoutMs, 600);
  });

  it('names the missing callback when the peer gives up first (Prosody s2s_timeout: connection-timeout)', async () => {
    // Given a peer that never calls back and closes the stream after its own deadline
    const w = await world({
      async onResult(r) {
        await new Promise((res) => setTimeout(res, 200));
        r.c.send(streamError('connection-timeout'));
        r.c.end();
      },
    });
    const { ids, report } = await runDialback(w, { resultTimeoutMs: 3000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.callback.timeout'],
    );
    assert.ok(!ids.includes('xmpp.stream.connection-timeout'));
    const f = report.findings.find((x) => x.id === 'dialback.callback.timeout');
    assert.match(f?.cause ?? '', /connection-timeout/);
  });

  it('reports a callback that was answered valid but no result as dialback.result.timeout', async () => {
    const w = await world({
      async onResult(r) {
        await ejabberdCallback(r);
        await hangUpLater(r);
      },
    });
    const { ids } = await runDialback(w, { resultTimeoutMs: 800, timeoutMs: 1000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.timeout'],
    );
  });

  it('ends by itself when the peer keeps every connection open and ignores our closes', async () => {
    // Given a peer that calls back (answered valid), then never answers the db:result and never
    // closes either connection, whatever xfed sends
    let callbackClosedByXfed = false;
    const w = await world({
      async onResult(r) {
        const cb = await r.world.callback();
        cb.c.send(`<db:verify from='${PEER}' to='${OUR}' id='${r.streamId}'>${r.key}</db:verify>`);
        await cb.c.next(DB_ELEMENT);
        cb.c.socket.once('close', () => {
          callbackClosedByXfed = true;
        });
        await new Promise((res) => r.c.socket.once('close', res));
      },
    });
    const started = Date.now();
    const { ids, facts } = await runDialback(w, { resultTimeoutMs: 800, timeoutMs: 1000 });
    const tookMs = Date.now() - started;
    // Then the wait for the answer ends at its deadline, both connections are dropped after the
    // bounded close (at most 1 s, in parallel), and the step that failed is named
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.timeout'],
    );
    assert.ok(tookMs < 800 + 1000 + 1500, `took ${tookMs} ms`);
    assert.equal(facts.sessions[0]?.end?.how, 'by-us');
    await new Promise((res) => setTimeout(res, 50));
    assert.ok(callbackClosedByXfed, 'xfed dropped the callback connection');
  });

  it('reports a callback whose TLS handshake fails as dialback.callback.tls-failed', async () => {
    // Given a peer whose callback offers only TLS 1.0, which the listener refuses
    const w = await world({
      async onResult(r) {
        await r.world
          .callback({ tlsOpts: { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT:@SECLEVEL=0' } })
          .catch(() => {});
        await hangUpLater(r);
      },
    });
    const { ids, facts, report } = await runDialback(w, { resultTimeoutMs: 800, timeoutMs: 1000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.callback.tls-failed'],
    );
    assert.equal(facts.sessions[0]?.tls?.ok, false);
    const f = report.findings.find((x) => x.id === 'dialback.callback.tls-failed');
    assert.equal(f?.evidence.certSubject, `CN=${OUR}`);
  });

  it('reports a Prosody-style callback whose own key its own authoritative server rejects as dialback.callback.peer-key-rejected, at once', async () => {
    // Given a Prosody-style peer whose own db:result carries a key its authoritative server rejects
    const w = await world({
      async onResult(r) {
        const cb = await r.world.callback();
        cb.c.send(`<db:result from='${PEER}' to='${OUR}'>not-the-right-key</db:result>`);
        await cb.c.next(DB_ELEMENT, 5000);
        cb.c.close();
        await hangUpLater(r);
      },
    });
    const { ids, facts, report } = await runDialback(w, { resultTimeoutMs: 5000, timeoutMs: 1000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.callback.peer-key-rejected'],
    );
    // Then xfed asked peer.test's authoritative server and relayed its 'invalid'
    const own = facts.sessions[0]?.results[0];
    assert.equal(own?.answer, 'invalid');
    assert.equal(own?.verification?.answer?.outcome, 'invalid');
    // And stopped right after, instead of waiting the 5 s for an answer that cannot come
    assert.equal(facts.result?.outcome, 'stopped');
    assert.ok((facts.result?.durationMs ?? 5000) < 2500, String(facts.result?.durationMs));
    assert.match(
      report.findings.find((f) => f.id === 'dialback.callback.peer-key-rejected')?.cause ?? '',
      /answered invalid/,
    );
  });

  it("checks at most 8 of the peer's own keys per run and answers a flood beyond that at once (resource-constraint)", async () => {
    // Given a peer whose callback sends 12 db:results, each of which would make xfed dial back
    const answers: Record<string, number> = {};
    const w = await world({
      async onResult(r) {
        const cb = await r.world.callback();
        // (for conference.peer.test: a rejected key of peer.test itself would end the run at once)
        for (let i = 0; i < 12; i++)
          cb.c.send(`<db:result from='conference.${PEER}' to='${OUR}'>bad-${i}</db:result>`);
        for (let i = 0; i < 12; i++) {
          const m = await cb.c.next(DB_ELEMENT, 8000);
          const key = `${attrs(m[0]).type}${/<resource-constraint /.test(m[0]) ? ' resource-constraint' : ''}`;
          answers[key] = (answers[key] ?? 0) + 1;
        }
        cb.c.close();
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='invalid'/>`);
        await hangUpLater(r);
      },
    });
    const { ids, facts } = await runDialback(w, { resultTimeoutMs: 5000, timeoutMs: 1000 });
    // Then 8 keys went to peer.test's authoritative server (which said invalid), the other 4 were
    // refused without any traffic, and the run ended on the peer's answer
    assert.deepEqual(answers, { invalid: 8, 'error resource-constraint': 4 });
    assert.equal(w.peer.connections(), 1 + 8);
    assert.equal(facts.sessions[0]?.results.filter((x) => x.verification).length, 8);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.invalid', 'dialback.callback.reverse-failed'],
    );
  });

  it('reports a callback connection that never asks as dialback.callback.no-verify', async () => {
    const w = await world({
      async onResult(r) {
        const cb = await r.world.callback();
        cb.c.close();
        await hangUpLater(r);
      },
    });
    const { ids } = await runDialback(w, { resultTimeoutMs: 800, timeoutMs: 1000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.callback.no-verify'],
    );
  });

  it('answers invalid to a key xfed did not issue and names it dialback.callback.key-mismatch', async () => {
    const w = await world({
      async onResult(r) {
        const cb = await r.world.callback();
        cb.c.send(
          `<db:verify from='${PEER}' to='${OUR}' id='${r.streamId}'>${r.key.slice(0, -4)}beef</db:verify>`,
        );
        const ans = await cb.c.next(DB_ELEMENT);
        cb.c.close();
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='${attrs(ans[0]).type}'/>`);
        await hangUpLater(r);
      },
    });
    const { ids, facts } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.invalid', 'dialback.callback.key-mismatch'],
    );
    assert.equal(facts.sessions[0]?.verifies[0]?.keyMatches, false);
  });
});

describe('xfed dialback: before and after the dialback exchange', () => {
  it('stops with dialback.feature.not-offered when the peer offers only SASL EXTERNAL', async () => {
    const w = await world({ postTls: [FEATURES.external], onResult: hangUpLater });
    const { ids, facts } = await runDialback(w);
    assert.ok(ids.includes('dialback.feature.not-offered'), ids.join());
    assert.ok(ids.includes('xmpp.auth.external-only'));
    assert.equal(facts.resultSent, undefined);
  });

  it('stops with dialback.stream.missing-id when the restarted stream has no id', async () => {
    const w = await world({
      onResult: hangUpLater,
      async custom(c, _i, wo) {
        await c.waitFor(/<stream:stream[^>]*>/);
        c.send(
          serverHeader(PEER, 'pre') + '<stream:features>' + FEATURES.starttlsRequired + '</stream:features>',
        );
        await c.waitFor(/<starttls/);
        c.send("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        await c.startTls({ cert: wo.certs.peer.chainPem, key: wo.certs.peer.keyPem });
        await c.waitFor(/<stream:stream[^>]*>/);
        c.send(
          `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${PEER}' version='1.0'><stream:features>${FEATURES.dialback}</stream:features>`,
        );
        await c.waitFor(/<\/stream:stream>/, 5000).catch(() => {});
        c.end();
      },
    });
    const { ids } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.stream.missing-id'],
    );
  });

  it('reports a peer that accepts us but never answers the ping as dialback.ping.no-reply', async () => {
    const w = await world(answering(`<db:result from='${PEER}' to='${OUR}' type='valid'/>`));
    const { ids, facts } = await runDialback(w, { resultTimeoutMs: 700, timeoutMs: 1000 });
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.ping.no-reply', 'dialback.result.valid'],
    );
    assert.equal(facts.ping?.outcome, 'timeout');
  });

  it('counts a service-unavailable ping error as proof of the route (dialback.ping.ok)', async () => {
    const w = await world({
      async onResult(r) {
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='valid'/>`);
        const iq = await r.c.waitFor(/<iq [^>]*>[\s\S]*?<\/iq>/);
        const id = attrs(/<iq [^>]*>/.exec(iq)?.[0] ?? '').id;
        r.c.send(
          `<iq type='error' from='${PEER}' to='${OUR}' id='${id}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
        );
        await hangUpLater(r);
      },
    });
    const { ids, facts } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.valid', 'dialback.ping.ok'],
    );
    assert.equal(facts.ping?.via, 'originating');
    assert.equal(facts.ping?.condition, 'service-unavailable');
  });

  it('reports a remote-server-not-found ping error as dialback.ping.error', async () => {
    const w = await world({
      async onResult(r) {
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='valid'/>`);
        const iq = await r.c.waitFor(/<iq [^>]*>[\s\S]*?<\/iq>/);
        const id = attrs(/<iq [^>]*>/.exec(iq)?.[0] ?? '').id;
        r.c.send(
          `<iq type='error' from='${PEER}' to='${OUR}' id='${id}'><error type='cancel'><remote-server-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`,
        );
        await hangUpLater(r);
      },
    });
    const { ids } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.ping.error', 'dialback.result.valid'],
    );
  });

  it('warns with dialback.listener.no-tls when run without --cert/--key', async () => {
    const w = await world(answering(`<db:result from='${PEER}' to='${OUR}' type='invalid'/>`));
    const { ids, facts } = await runDialback(w, { noTls: true });
    assert.ok(ids.includes('dialback.listener.no-tls'), ids.join());
    assert.equal(facts.listener.tls, false);
  });

  it('warns with dialback.our-cert.name-mismatch when the certificate does not name --as, although a lenient peer accepts', async () => {
    // Given a peer that does not check our certificate, and a certificate from a CA it trusts
    // that names only xmpp.our.test (the host our.test's SRV record points at), not our.test
    const w = await world(ejabberdStyle);
    // When xfed presents it for our.test
    const { ids, report } = await runDialback(w, { cert: w.certs.ourHostOnly });
    // Then the handshake works, and the report still warns, naming what the certificate presents
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.our-cert.name-mismatch', 'dialback.result.valid', 'dialback.ping.ok'],
    );
    assert.equal(report.status, 'warn');
    const f = report.findings.find((x) => x.id === 'dialback.our-cert.name-mismatch');
    assert.deepEqual(f?.evidence.names, [`DNS:xmpp.${OUR}`]);
    assert.match(f?.fix ?? '', /DNS:our\.test/);
    assertValidReport(report);
  });

  it('reports a listener that cannot bind as dialback.listener.bind-failed, without any traffic to the peer', async () => {
    // Given the listen port is taken
    const w = await world({ onResult: hangUpLater });
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(w.listenPort, '127.0.0.1', r));
    try {
      const { ids, facts } = await runDialback(w);
      assert.deepEqual(ids, ['dialback.listener.port-in-use']);
      assert.equal(facts.listener.code, 'EADDRINUSE');
      assert.equal(w.peer.connections(), 0);
      // An address that is not this machine's is another bind failure, with its own advice
      const na = await runDialback(w, { listenHost: '192.0.2.1' });
      assert.deepEqual(na.ids, ['dialback.listener.bind-failed']);
      assert.equal(na.facts.listener.code, 'EADDRNOTAVAIL');
      assert.match(na.report.findings[0]?.fix ?? '', /--listen with an address of this machine/);
      assert.doesNotMatch(na.report.findings[0]?.fix ?? '', /as root/);
      assert.equal(w.peer.connections(), 0);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
  });

  it("keeps the peer's db:result for another domain apart (piggybacking) and answers only what it can", async () => {
    // Given a Prosody-style peer that also authenticates conference.peer.test on the same
    // callback stream, and asks about a domain xfed does not serve
    let answers: Record<string, string>[] = [];
    const w = await world({
      async onResult(r) {
        const cb = await r.world.callback();
        const own = xep0185Key(PEER_SECRET, { receiving: OUR, originating: PEER, streamId: cb.id });
        const conf = xep0185Key(PEER_SECRET, {
          receiving: OUR,
          originating: `conference.${PEER}`,
          streamId: cb.id,
        });
        cb.c.send(`<db:result from='${PEER}' to='${OUR}'>${own}</db:result>`);
        cb.c.send(`<db:result from='conference.${PEER}' to='${OUR}'>${conf}</db:result>`);
        cb.c.send(`<db:result from='${PEER}' to='elsewhere.test'>${own}</db:result>`);
        cb.c.send(`<db:verify from='${PEER}' to='elsewhere.test' id='x1'>abc</db:verify>`);
        const got: RegExpExecArray[] = [];
        for (let i = 0; i < 4; i++) got.push(await cb.c.next(DB_ELEMENT));
        answers = got.map((m) => ({ element: m[1] as string, ...attrs(m[0]) }));
        cb.c.send(`<db:verify from='${PEER}' to='${OUR}' id='${r.streamId}'>${r.key}</db:verify>`);
        const type = attrs((await cb.c.next(DB_ELEMENT))[0]).type;
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='${type}'/>`);
        const iq = await r.c.waitFor(/<iq [^>]*>[\s\S]*?<\/iq>/);
        cb.c.send(
          `<iq type='result' from='${PEER}' to='${OUR}' id='${attrs(/<iq [^>]*>/.exec(iq)?.[0] ?? '').id}'/>`,
        );
        await hangUpLater(r);
        cb.c.close();
      },
    });
    const { ids, facts } = await runDialback(w);
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.result.valid', 'dialback.ping.ok'],
    );
    const s = facts.sessions.find((x) => x.results.length > 0);
    const byFrom = Object.fromEntries((s?.results ?? []).map((x) => [`${x.from}>${x.to}`, x.answer]));
    // Then each sender domain was verified with its own authoritative server
    assert.equal(byFrom[`${PEER}>${OUR}`], 'valid');
    assert.equal(byFrom[`conference.${PEER}>${OUR}`], 'valid');
    // And what xfed does not serve got item-not-found, without any key check
    assert.equal(byFrom[`${PEER}>elsewhere.test`], 'error');
    // (a db:verify for a domain we do not serve is third-party evidence, not the peer's callback)
    assert.equal(
      s?.verifies.find((v) => v.to === 'elsewhere.test'),
      undefined,
    );
    assert.equal(s?.thirdParty?.find((v) => v.to === 'elsewhere.test')?.condition, 'item-not-found');
    // And the peer received exactly those answers, each addressed back to the pair it asked about
    // (the unhosted ones at once, the two keys after their checks)
    const wire = answers.map((a) => `${a.element} ${a.from}>${a.to} ${a.type}`).sort();
    assert.deepEqual(
      wire,
      [
        `result ${OUR}>${PEER} valid`,
        `result ${OUR}>conference.${PEER} valid`,
        `result elsewhere.test>${PEER} error`,
        `verify ${OUR}>${PEER} error`,
      ].sort(),
    );
  });
});
