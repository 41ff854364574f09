/**
 * The authoritative listener under malformed and hostile input: DTDs, garbage, oversized
 * elements, floods, missing attributes, huge keys, wrong domains and namespaces, STARTTLS
 * without a certificate, silent and surplus connections. Every case ends the offending
 * stream with the right stream error (RFC 6120 §4.9.3) and leaves the listener serving.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { ResultReceivedFacts } from '../../../src/facts/dialback.js';
import { AuthoritativeListener, type ListenerOptions } from '../../../src/protocol/dialback/authoritative.js';
import { xep0185Key } from '../../../src/protocol/dialback/keys.js';
import { Transcript } from '../../../src/transcript/recorder.js';
import { attrs, certs, DB_ELEMENT, OUR, PEER, RawClient } from './world.js';

const SECRET = 'listener-test-secret';
const HEADER = (to = OUR, ns = 'jabber:server') =>
  `<?xml version='1.0'?><stream:stream xmlns='${ns}' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='${PEER}' to='${to}' version='1.0'>`;

let listener: AuthoritativeListener;
let port = 0;
const checked: ResultReceivedFacts[] = [];

async function open(o: { tls?: boolean } = {}): Promise<{ c: RawClient; id: string }> {
  const c = await RawClient.connect('127.0.0.1', port);
  c.send(HEADER());
  let h = await c.next(/<stream:stream[^>]*>/);
  await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
  if (o.tls) {
    c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await c.next(/<proceed[^>]*\/>/);
    await c.startTls({ rejectUnauthorized: false, servername: OUR });
    c.send(HEADER());
    h = await c.next(/<stream:stream[^>]*>/);
    await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
  }
  return { c, id: attrs(h[0]).id ?? '' };
}

const streamErrorOf = async (c: RawClient) => (await c.next(/<stream:error><([\w-]+)/))[1];

before(async () => {
  const k = certs();
  listener = new AuthoritativeListener({
    our: OUR,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    tls: { cert: k.our.chainPem, key: k.our.keyPem },
    timeoutMs: 1000,
    idleMs: 800,
    transcript: new Transcript(),
    clock: () => 0,
    checkResult: async (_req, rec) => {
      checked.push(rec);
      return { answer: 'valid' };
    },
    ourStreamIds: () => ['originating-id'],
    maxConnections: 6,
    maxElements: 20,
  });
  const f = await listener.start();
  assert.ok(f.ok);
  port = f.port;
});

after(async () => {
  await listener.close(200);
});

describe('listener: answering db:verify', () => {
  it('answers valid for its own key and invalid for any other, never echoing the key', async () => {
    const { c } = await open({ tls: true });
    const good = xep0185Key(SECRET, { receiving: PEER, originating: OUR, streamId: 'originating-id' });
    c.send(`<db:verify from='${PEER}' to='${OUR}' id='originating-id'>${good}</db:verify>`);
    const a = await c.next(DB_ELEMENT);
    assert.equal(attrs(a[0]).type, 'valid');
    assert.equal(a[2], undefined);
    // A 50 000-character key is compared, answered invalid, and not sent back
    c.send(`<db:verify from='${PEER}' to='${OUR}' id='originating-id'>${'a'.repeat(50_000)}</db:verify>`);
    const b = await c.next(DB_ELEMENT);
    assert.equal(attrs(b[0]).type, 'invalid');
    assert.ok(b[0].length < 200);
    const s = listener.sessions.at(-1);
    assert.deepEqual(
      s?.verifies.map((v) => [v.answer, v.keyMatches, v.idIsOurStream, v.keyLength]),
      [
        ['valid', true, true, 64],
        ['invalid', false, true, 50_000],
      ],
    );
    c.close();
  });

  it('ignores a typed db:verify (not a request on an inbound stream) and answers item-not-found for other domains', async () => {
    const { c } = await open({ tls: true });
    c.send(`<db:verify from='${PEER}' to='${OUR}' id='x' type='valid'/>`);
    c.send(`<db:verify from='${PEER}' to='other.test' id='x'>k</db:verify>`);
    const a = await c.next(DB_ELEMENT);
    assert.equal(attrs(a[0]).type, 'error');
    assert.match(a[0], /item-not-found/);
    assert.deepEqual(listener.sessions.at(-1)?.ignored, ['db:verify type=valid']);
    c.close();
  });

  it('closes a db:verify without id with improper-addressing', async () => {
    const { c } = await open({ tls: true });
    c.send(`<db:verify from='${PEER}' to='${OUR}'>k</db:verify>`);
    assert.equal(await streamErrorOf(c), 'improper-addressing');
  });

  it("passes the peer's db:result to the receiving-server check and relays the verdict", async () => {
    const { c, id } = await open({ tls: true });
    c.send(`<db:result from='${PEER}' to='${OUR}'>some-key</db:result>`);
    const a = await c.next(DB_ELEMENT);
    assert.equal(attrs(a[0]).type, 'valid');
    assert.equal(checked.at(-1)?.streamId, id);
    c.close();
  });
});

describe('listener: hostile and malformed input', () => {
  it('refuses a DOCTYPE with restricted-xml', async () => {
    const c = await RawClient.connect('127.0.0.1', port);
    c.send(`<?xml version='1.0'?><!DOCTYPE x [<!ENTITY a "aaaa">]>${HEADER()}`);
    // Then a stream header comes first (RFC 6120 §4.9.1.2), then the error
    await c.next(/^<\?xml version='1.0'\?><stream:stream [^>]*>/);
    assert.equal(await streamErrorOf(c), 'restricted-xml');
    assert.equal(listener.sessions.at(-1)?.end?.how, 'parse-error');
  });

  it('answers garbage with not-well-formed', async () => {
    const { c } = await open();
    c.send('<<<this is not xml>>>');
    assert.equal(await streamErrorOf(c), 'not-well-formed');
  });

  it('cuts an element larger than 64 KiB with policy-violation', async () => {
    const { c } = await open();
    c.send(`<message to='${OUR}'><body>${'x'.repeat(70 * 1024)}`);
    assert.equal(await streamErrorOf(c), 'policy-violation');
    assert.equal(listener.sessions.at(-1)?.parseError?.code, 'limit');
  });

  it('cuts a flood of elements with policy-violation', async () => {
    const { c } = await open({ tls: true });
    c.send(`<presence from='${PEER}' to='${OUR}'/>`.repeat(30));
    assert.equal(await streamErrorOf(c), 'policy-violation');
    // (the limit counts every element of the connection, the STARTTLS request included)
    assert.equal(listener.sessions.at(-1)?.stanzas.length, 19);
  });

  it('refuses a stream to a domain it does not serve (host-unknown) and a client namespace (invalid-namespace)', async () => {
    const a = await RawClient.connect('127.0.0.1', port);
    a.send(HEADER('someone-else.test'));
    assert.equal(await streamErrorOf(a), 'host-unknown');
    const b = await RawClient.connect('127.0.0.1', port);
    b.send(HEADER(OUR, 'jabber:client'));
    assert.equal(await streamErrorOf(b), 'invalid-namespace');
  });

  it('closes a silent stream after the idle deadline with connection-timeout', async () => {
    const { c } = await open();
    const started = Date.now();
    assert.equal(await streamErrorOf(c), 'connection-timeout');
    assert.ok(Date.now() - started < 2500);
    // And the session records why it ended: idleness, not a stream error from the peer
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(listener.sessions.at(-1)?.end?.how, 'idle');
  });

  it('refuses connections beyond its limit and keeps serving afterwards', async () => {
    // Given 6 idle connections (the limit), one more is dropped at once
    const idle = await Promise.all(Array.from({ length: 6 }, () => RawClient.connect('127.0.0.1', port)));
    await new Promise((r) => setTimeout(r, 50));
    const extra = await RawClient.connect('127.0.0.1', port);
    await assert.rejects(extra.next(/<stream:stream/, 1000), /closed/);
    assert.ok(listener.facts.refusedConnections >= 1);
    for (const c of idle) c.socket.destroy();
    await new Promise((r) => setTimeout(r, 100));
    // Then a new stream is served normally
    const { id } = await open();
    assert.ok(id.length > 0);
  });
});

/** A second listener without a certificate, whose key checks all fail; `extra` overrides its options. */
function plainListener(extra: Partial<ListenerOptions> = {}): AuthoritativeListener {
  return new AuthoritativeListener({
    our: OUR,
    secret: SECRET,
    host: '127.0.0.1',
    port: 0,
    timeoutMs: 1000,
    idleMs: 1000,
    transcript: new Transcript(),
    clock: () => 0,
    checkResult: async () => ({ answer: 'invalid' }),
    ourStreamIds: () => [],
    ...extra,
  });
}

describe('listener: connections over the whole run', () => {
  it('refuses connections beyond its per-run limit even when each one closed before the next', async () => {
    // Given a listener that accepts 3 connections per run (with a certificate: without one, the
    // first callback that hangs up silently ends the run, see early-stop.test.ts)
    const k = certs();
    const capped = plainListener({ maxSessions: 3, tls: { cert: k.our.chainPem, key: k.our.keyPem } });
    const f = await capped.start();
    try {
      // When a peer connects, opens a stream and hangs up, again and again
      for (let i = 0; i < 3; i++) {
        const c = await RawClient.connect('127.0.0.1', f.port);
        c.send(HEADER());
        await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
        c.socket.destroy();
      }
      const late = await RawClient.connect('127.0.0.1', f.port);
      late.send(HEADER());
      // Then the fourth connection is dropped without a stream, and the facts stay at 3 sessions
      await assert.rejects(late.next(/<stream:stream/, 1000), /closed/);
      assert.equal(capped.sessions.length, 3);
      assert.equal(capped.facts.refusedConnections, 1);
    } finally {
      await capped.close(200);
    }
  });
});

describe('listener without a certificate', () => {
  it('answers STARTTLS with <failure/> and records it', async () => {
    const plain = plainListener();
    const f = await plain.start();
    const c = await RawClient.connect('127.0.0.1', f.port);
    c.send(HEADER());
    const feats = await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
    assert.doesNotMatch(feats[0], /starttls/);
    c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
    await c.next(/<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'\/>/);
    assert.equal(plain.sessions[0]?.starttlsRefused, true);
    await plain.close(200);
  });
});

describe('listener: closing', () => {
  it('ends a session whose peer ignores our </stream:stream> as closed by us, with nothing after our close', async () => {
    // Given a listener whose idle deadline passes while its close is still waiting for the peer
    const k = certs();
    const l = new AuthoritativeListener({
      our: OUR,
      secret: SECRET,
      host: '127.0.0.1',
      port: 0,
      tls: { cert: k.our.chainPem, key: k.our.keyPem },
      timeoutMs: 1000,
      idleMs: 200,
      transcript: new Transcript(),
      clock: () => 0,
      checkResult: async () => ({ answer: 'valid' }),
      ourStreamIds: () => [],
    });
    const f = await l.start();
    assert.ok(f.ok);
    const c = await RawClient.connect('127.0.0.1', f.port);
    c.send(HEADER());
    await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
    // When xfed closes while the peer stays silent and keeps the connection open
    await l.close(600);
    // Then the session ended by us, and no stream error followed our stream close
    assert.equal(l.sessions[0]?.end?.how, 'by-us');
    await c.next(/<\/stream:stream>/, 1000);
    await assert.rejects(c.next(/<stream:error>/, 300), /not received|closed before/);
    c.socket.destroy();
  });
});

describe('listener: strict answers to db:verify', () => {
  it('answers invalid to case and space variants of its own key, and records requests from others as third-party', async () => {
    const k = certs();
    const strict = new AuthoritativeListener({
      our: OUR,
      peer: PEER,
      secret: SECRET,
      host: '127.0.0.1',
      port: 0,
      tls: { cert: k.our.chainPem, key: k.our.keyPem },
      timeoutMs: 1000,
      idleMs: 1000,
      transcript: new Transcript(),
      clock: () => 0,
      checkResult: async () => ({ answer: 'invalid' }),
      ourStreamIds: () => ['originating-id'],
    });
    const f = await strict.start();
    try {
      const c = await RawClient.connect('127.0.0.1', f.port);
      c.send(HEADER());
      await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
      c.send("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>");
      await c.next(/<proceed[^>]*\/>/);
      await c.startTls({ rejectUnauthorized: false, servername: OUR });
      c.send(HEADER());
      await c.next(/<stream:features>[\s\S]*?<\/stream:features>/);
      const good = xep0185Key(SECRET, { receiving: PEER, originating: OUR, streamId: 'originating-id' });
      const ask = async (from: string, to: string, key: string) => {
        c.send(`<db:verify from='${from}' to='${to}' id='originating-id'>${key}</db:verify>`);
        const a = attrs((await c.next(DB_ELEMENT))[0]);
        return `${a.from}>${a.to} ${a.type}`;
      };
      // Variants of the right key are not the key
      assert.equal(await ask(PEER, OUR, good.toUpperCase()), `${OUR}>${PEER} invalid`);
      assert.equal(await ask(PEER, OUR, ` ${good}\n`), `${OUR}>${PEER} invalid`);
      assert.equal(await ask(PEER, OUR, good), `${OUR}>${PEER} valid`);
      // A domain we do not serve: an error from our own domain, never an answer in its name
      assert.equal(await ask(PEER, 'other.test', good), `${OUR}>${PEER} error`);
      // Someone else asking: answered strictly, recorded apart
      assert.equal(await ask('mallory.test', OUR, good), `${OUR}>mallory.test invalid`);
      const s = strict.sessions[0];
      assert.deepEqual(
        s?.verifies.map((v) => v.answer),
        ['invalid', 'invalid', 'valid'],
      );
      assert.deepEqual(
        s?.thirdParty?.map((v) => `${v.from}>${v.to} ${v.answer}`),
        [`${PEER}>other.test error`, `mallory.test>${OUR} invalid`],
      );
      c.close();
    } finally {
      await strict.close(200);
    }
  });
});
