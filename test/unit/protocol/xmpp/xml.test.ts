import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseFeatures, parseStreamError } from '../../../../src/protocol/xmpp/features.js';
import { type XmlEvent, XmlStreamParser } from '../../../../src/protocol/xmpp/xml.js';

function parse(chunks: (string | Buffer)[], opts = {}): XmlEvent[] {
  const out: XmlEvent[] = [];
  const p = new XmlStreamParser((e) => out.push(e), opts);
  for (const c of chunks) p.write(c);
  return out;
}

const HDR =
  "<?xml version='1.0'?><stream:stream xmlns='jabber:server' xmlns:stream='http://etherx.jabber.org/streams' xmlns:db='jabber:server:dialback' from='a.test' id='X1' version='1.0'>";

describe('XmlStreamParser', () => {
  it('emits the header, then one element per top-level child, even across chunk splits', () => {
    const doc = `${HDR}<stream:features><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls></stream:features><db:result from='a.test' to='b.test' type='valid'/></stream:stream>`;
    const chunks = doc.match(/[\s\S]{1,7}/g) as string[];
    const ev = parse(chunks);
    assert.deepEqual(
      ev.map((e) => e.kind),
      ['header', 'element', 'element', 'close'],
    );
    const hdr = ev[0] as Extract<XmlEvent, { kind: 'header' }>;
    assert.equal(hdr.el.attrs.id, 'X1');
    const db = ev[2] as Extract<XmlEvent, { kind: 'element' }>;
    assert.equal(db.el.ns, 'jabber:server:dialback');
    assert.equal(db.el.local, 'result');
  });

  it('splits a multi-byte UTF-8 character across chunks without damage', () => {
    const buf = Buffer.from(`${HDR}<message><body>grüße</body></message>`, 'utf8');
    const at = buf.indexOf(Buffer.from('ü')) + 1;
    const ev = parse([buf.subarray(0, at), buf.subarray(at)]);
    const msg = ev[1] as Extract<XmlEvent, { kind: 'element' }>;
    assert.equal(msg.el.children[0]?.text, 'grüße');
  });

  it('accepts Cisco XCP odd xml:lang values', () => {
    const ev = parse([HDR.replace("id='X1' version='1.0'", "id='X1' version='1.0' xml:lang='en-US.UTF-8'")]);
    assert.equal(ev[0]?.kind, 'header');
  });

  it('rejects a DOCTYPE with entity declarations as restricted XML', () => {
    const ev = parse([
      `<?xml version='1.0'?><!DOCTYPE lol [<!ENTITY lol "lol">]><stream:stream xmlns:stream='http://etherx.jabber.org/streams'>`,
    ]);
    assert.deepEqual(
      ev.map((e) => e.kind),
      ['error'],
    );
    assert.equal((ev[0] as Extract<XmlEvent, { kind: 'error' }>).code, 'restricted-xml');
  });

  it('rejects undefined entity references as not well-formed', () => {
    const ev = parse([`${HDR}<message>&lol;</message>`]);
    assert.equal(ev.at(-1)?.kind, 'error');
    assert.equal((ev.at(-1) as Extract<XmlEvent, { kind: 'error' }>).code, 'not-well-formed');
  });

  it('stops at the byte limit for an endless stanza and ignores further input', () => {
    const out: XmlEvent[] = [];
    const p = new XmlStreamParser((e) => out.push(e), { maxStanzaBytes: 10_000 });
    p.write(HDR);
    p.write('<message><body>');
    for (let i = 0; i < 100; i++) p.write('x'.repeat(1000));
    assert.deepEqual(
      out.map((e) => e.kind),
      ['header', 'error'],
    );
    assert.equal((out[1] as Extract<XmlEvent, { kind: 'error' }>).code, 'limit');
    assert.equal(p.hasFailed, true);
  });

  it('recognises HTTP, TLS and SSH answers', () => {
    assert.equal((parse(['HTTP/1.1 400 Bad Request\r\n'])[0] as { code: string }).code, 'not-xmpp-http');
    assert.equal(
      (parse([Buffer.from([0x16, 0x03, 0x01, 0x00, 0x10])])[0] as { code: string }).code,
      'not-xmpp-tls',
    );
    assert.equal((parse(['SSH-2.0-OpenSSH_9.2\r\n'])[0] as { code: string }).code, 'not-xmpp-ssh');
    assert.equal((parse(['<html><body>hi</body></html>'])[0] as { code: string }).code, 'not-xmpp');
  });

  it('treats garbage as not well-formed', () => {
    const ev = parse(['\u0001\u0002 hello <<<']);
    assert.equal(ev[0]?.kind, 'error');
  });
});

describe('features and stream errors', () => {
  it('reads features in any order', () => {
    const ev = parse([
      `${HDR}<stream:features><dialback xmlns='urn:xmpp:features:dialback'><errors/></dialback><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>EXTERNAL</mechanism></mechanisms><starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/></stream:features>`,
    ]);
    const f = parseFeatures((ev[1] as Extract<XmlEvent, { kind: 'element' }>).el);
    assert.deepEqual(f.starttls, { offered: true, required: false });
    assert.deepEqual(f.dialback, { offered: true, errors: true });
    assert.deepEqual(f.saslMechanisms, ['EXTERNAL']);
  });

  it('reads a stream error condition, text and see-other-host target', () => {
    const ev = parse([
      `${HDR}<stream:error><host-unknown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>This host does not serve b.test</text></stream:error>`,
    ]);
    const e = parseStreamError((ev[1] as Extract<XmlEvent, { kind: 'element' }>).el);
    assert.equal(e.condition, 'host-unknown');
    assert.equal(e.text, 'This host does not serve b.test');
    const ev2 = parse([
      `${HDR}<stream:error><see-other-host xmlns='urn:ietf:params:xml:ns:xmpp-streams'>[2001:db8::1]:5269</see-other-host></stream:error>`,
    ]);
    assert.equal(
      parseStreamError((ev2[1] as Extract<XmlEvent, { kind: 'element' }>).el).otherHost,
      '[2001:db8::1]:5269',
    );
  });
});
