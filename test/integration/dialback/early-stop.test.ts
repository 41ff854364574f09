/**
 * xfed dialback stops waiting as soon as the outcome is known, with its own finding, instead of
 * running into --callback-timeout: a peer that closes every callback right after TLS (jabberd2
 * 2.7 does so when asked for a client certificate) — stopped after a few, with a bounded number
 * of accepted connections; a callback that asks for STARTTLS the listener cannot offer (no
 * --cert); the peer's own key rejected by the peer's own authoritative server (dialback secret
 * not shared between its nodes). Scripted peers: no real server in the lab reconnects in a loop
 * without the client-certificate request, so the loop is scripted; the interop test covers the
 * real jabberd2 cluster with two secrets.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, describe, it } from 'node:test';
import { xep0185Key } from '../../../src/protocol/dialback/keys.js';
import { closeDnsSockets } from '../../../src/protocol/dns/client.js';
import { assertValidReport } from '../../helpers/schema.js';
import {
  attrs,
  DB_ELEMENT,
  ejabberdCallback,
  OUR,
  PEER,
  RawClient,
  runDialback,
  startWorld,
  type World,
} from './world.js';

const worlds: World[] = [];
after(async () => {
  for (const w of worlds) await w.close();
  closeDnsSockets();
});

const RESULT_TIMEOUT_MS = 8000;

describe('xfed dialback: early stops', () => {
  it('stops after a few callbacks that close right after TLS, names the count, and accepts a bounded number of connections', async () => {
    // Given a peer that calls back in a tight loop: STARTTLS, handshake, then drop, again and again
    let attempts = 0;
    let refusedOrFailed = 0;
    let stopLoop = false;
    const w = await startWorld({
      async onResult(r) {
        const loop = async () => {
          while (!stopLoop && attempts < 200) {
            attempts++;
            try {
              const cl = await RawClient.connect('127.0.0.1', r.world.listenPort);
              cl.send(
                `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${PEER}' to='${OUR}' version='1.0'>`,
              );
              await cl.next(/<stream:features>[\s\S]*?<\/stream:features>/, 2000);
              cl.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
              await cl.next(/<proceed[^>]*\/>/, 2000);
              await cl.startTls({ rejectUnauthorized: false, servername: OUR });
              // Nothing more: the callback is dropped right after the handshake
              cl.socket.destroy();
            } catch {
              refusedOrFailed++;
            }
          }
        };
        // Two callbacks at once, as a busy server does
        await Promise.all([loop(), loop()]);
        await r.c.waitFor(/<\/stream:stream>/, 5000).catch(() => {});
        r.c.end();
      },
    });
    worlds.push(w);
    // When xfed runs the handshake
    const started = Date.now();
    const { report, facts, ids } = await runDialback(w, { resultTimeoutMs: RESULT_TIMEOUT_MS });
    const elapsed = Date.now() - started;
    stopLoop = true;
    // Then its own finding names the loop and the count, and nothing blames the peer for never asking
    assert.equal(ids[0], 'dialback.callback.closed-after-tls', ids.join());
    assert.ok(!ids.includes('dialback.callback.no-verify'));
    assert.equal(facts.stoppedEarly?.reason, 'closed-after-tls');
    assert.equal(facts.result?.outcome, 'stopped');
    const f = report.findings[0];
    assert.ok(Number(f?.evidence.count) >= 3, JSON.stringify(f?.evidence));
    assert.match(f?.title ?? '', /closed \d+ callbacks right after TLS/);
    // And it stopped long before the callback timeout
    assert.ok(elapsed < RESULT_TIMEOUT_MS / 2, `took ${elapsed} ms`);
    // And the listener accepted a bounded number of connections (the rest refused at once)
    assert.ok(facts.sessions.length <= (facts.listener.maxSessions ?? 0), String(facts.sessions.length));
    assert.ok(facts.sessions.length < 24);
    // And it did not ask for a client certificate (the default)
    assert.equal(facts.listener.requestClientCert, undefined);
    assert.ok(refusedOrFailed >= 0);
    assertValidReport(report);
  });

  it('counts a callback that completes TLS and then stays silent without closing like one that closed, and stops early', async () => {
    // Given a peer that calls back, completes STARTTLS, then sends nothing and keeps the
    // connection open, reconnecting meanwhile (jabberd2 2.7 asked for a client certificate)
    let stopLoop = false;
    const held: RawClient[] = [];
    const w = await startWorld({
      async onResult(r) {
        const loop = async () => {
          while (!stopLoop && held.length < 200) {
            try {
              const cl = await RawClient.connect('127.0.0.1', r.world.listenPort);
              held.push(cl);
              cl.send(
                `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${PEER}' to='${OUR}' version='1.0'>`,
              );
              await cl.next(/<stream:features>[\s\S]*?<\/stream:features>/, 2000);
              cl.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
              await cl.next(/<proceed[^>]*\/>/, 2000);
              await cl.startTls({ rejectUnauthorized: false, servername: OUR });
              // Nothing more, and no close: the next callback starts while this one hangs
            } catch {
              await new Promise((res) => setTimeout(res, 50));
            }
          }
        };
        await loop();
        await r.c.waitFor(/<\/stream:stream>/, 5000).catch(() => {});
        r.c.end();
      },
    });
    worlds.push(w);
    // When xfed runs the handshake with a callback timeout far above the silence it tolerates
    const resultTimeoutMs = 20_000;
    const started = Date.now();
    const { report, facts, ids } = await runDialback(w, { resultTimeoutMs });
    const elapsed = Date.now() - started;
    stopLoop = true;
    for (const c of held) c.socket.destroy();
    // Then the run stopped early with its own finding, not no-verify after the timeout
    assert.equal(ids[0], 'dialback.callback.closed-after-tls', ids.join());
    assert.ok(!ids.includes('dialback.callback.no-verify'));
    assert.equal(facts.stoppedEarly?.reason, 'closed-after-tls');
    const f = report.findings[0];
    assert.ok(Number(f?.evidence.count) >= 3, JSON.stringify(f?.evidence));
    // And the silent callbacks were closed by the listener (idle), not by the peer
    const silent = facts.sessions.filter((s) => s.closedAfterTls);
    assert.ok(silent.length >= 3);
    assert.ok(silent.every((s) => s.tls?.ok === true && s.end?.how === 'idle'));
    assert.ok(elapsed < resultTimeoutMs / 2, `took ${elapsed} ms`);
    assertValidReport(report);
  });

  it('without --cert: stops as soon as the callback asks for STARTTLS and makes that the primary error', async () => {
    // Given a peer that insists on TLS on its callback (Prosody, ejabberd, jabberd2 by default)
    const w = await startWorld({
      async onResult(r) {
        const cl = await RawClient.connect('127.0.0.1', r.world.listenPort);
        cl.send(
          `<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${PEER}' to='${OUR}' version='1.0'>`,
        );
        await cl.next(/<stream:features>[\s\S]*?<\/stream:features>/);
        cl.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
        await cl.next(/<failure/).catch(() => {});
        // ...and then would wait its own timeout (20 s for Prosody) before answering
        await r.c.waitFor(/<\/stream:stream>/, 20_000).catch(() => {});
        r.c.end();
      },
    });
    worlds.push(w);
    const started = Date.now();
    const { report, facts, ids } = await runDialback(w, { noTls: true, resultTimeoutMs: RESULT_TIMEOUT_MS });
    const elapsed = Date.now() - started;
    // Then the first finding is the missing certificate, and the run did not wait
    assert.equal(ids[0], 'dialback.callback.starttls-unavailable', ids.join());
    assert.ok(!ids.includes('dialback.listener.no-tls'), 'one fact, one finding');
    assert.equal(facts.stoppedEarly?.reason, 'starttls-unavailable');
    assert.ok(elapsed < 3000, `took ${elapsed} ms`);
    assert.match(report.findings[0]?.fix ?? '', /--cert .*--key/);
    assertValidReport(report);
  });

  it("names the peer's own key rejected by its own authoritative server (secrets differ between its nodes) and stops at once", async () => {
    // Given an ejabberd-style peer whose traffic node signs its own db:result with another secret
    // than the node its DNS points at (which answers db:verify with peer.test's usual secret)
    const w = await startWorld({
      async onResult(r) {
        const type = await ejabberdCallback(r);
        r.c.send(`<db:result from='${PEER}' to='${OUR}' type='${type}'/>`);
        await r.c.waitFor(/<iq [^>]*>[\s\S]*?<\/iq>/, 10_000);
        const t = await r.world.callback();
        const key = xep0185Key('other-node-secret', { receiving: OUR, originating: PEER, streamId: t.id });
        t.c.send(`<db:result from='${PEER}' to='${OUR}'>${key}</db:result>`);
        const ans = await t.c.next(DB_ELEMENT, 10_000).catch(() => undefined);
        assert.equal(ans && attrs(ans[0]).type, 'invalid');
        await r.c.waitFor(/<\/stream:stream>/, 10_000).catch(() => {});
        r.c.end();
        t.c.close();
      },
    });
    worlds.push(w);
    const started = Date.now();
    const { report, facts, ids } = await runDialback(w, { resultTimeoutMs: RESULT_TIMEOUT_MS });
    const elapsed = Date.now() - started;
    // Then dialback to the peer succeeded, and the one error says whose secret is wrong
    assert.deepEqual(
      ids.filter((i) => i.startsWith('dialback.')),
      ['dialback.callback.peer-key-rejected', 'dialback.result.valid'],
    );
    assert.ok(!ids.includes('dialback.ping.no-reply'));
    assert.equal(facts.stoppedEarly?.reason, 'peer-key-rejected');
    assert.equal(facts.ping?.outcome, 'stopped');
    const f = report.findings[0];
    assert.match(f?.fix ?? '', /On peer\.test\u2019s side/);
    assert.match(f?.fix ?? '', /dialback_secret/);
    assert.match(f?.fix ?? '', /Dialback secret/);
    // And it did not wait for the ping timeout
    assert.ok(elapsed < RESULT_TIMEOUT_MS / 2, `took ${elapsed} ms`);
    assertValidReport(report);
  });
});

describe('xfed dialback: the listener port is taken', () => {
  it('says what holds the port and suggests --listen with a specific address, not "run as root"', async () => {
    // Given a process (this one) listening on the port
    const holder = net.createServer();
    await new Promise<void>((r) => holder.listen(0, '0.0.0.0', () => r()));
    const port = (holder.address() as net.AddressInfo).port;
    try {
      const w = await startWorld({ async onResult() {} });
      worlds.push(w);
      const { report, ids } = await runDialback(w, { listenPort: port, listenHost: '0.0.0.0' });
      assert.deepEqual(ids, ['dialback.listener.port-in-use']);
      const f = report.findings[0];
      assert.doesNotMatch(f?.fix ?? '', /as root/);
      assert.match(f?.fix ?? '', /--listen <ip>:\d+/);
      if (process.platform === 'linux') {
        // /proc names the holder: this test process
        assert.match(String(f?.evidence.holder), new RegExp(`pid ${process.pid}\\b`));
      }
      assertValidReport(report);
    } finally {
      await new Promise<void>((r) => holder.close(() => r()));
    }
  });
});
