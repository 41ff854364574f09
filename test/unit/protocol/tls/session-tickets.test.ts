/** Unit tests for waiting out TLS 1.3 session tickets (src/protocol/tls/session-tickets.ts), with a stand-in socket. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import type { TLSSocket } from 'node:tls';
import {
  TICKET_WAIT_CAP_MS,
  TICKET_WAIT_MAX_RTT_MS,
  TICKETS_EXPECTED,
  ticketsWorthWaitingFor,
  watchSessionTickets,
} from '../../../../src/protocol/tls/session-tickets.js';

/** Only what the watcher uses of a TLSSocket: 'session' and 'close' events, getProtocol(). */
function fakeSocket(protocol = 'TLSv1.3'): TLSSocket & EventEmitter {
  const s = new EventEmitter() as TLSSocket & EventEmitter;
  (s as unknown as { getProtocol: () => string }).getProtocol = () => protocol;
  return s;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ticketsWorthWaitingFor', () => {
  it('waits only for TLS 1.3 on a short path', () => {
    assert.equal(ticketsWorthWaitingFor(fakeSocket('TLSv1.3'), 0), true);
    assert.equal(ticketsWorthWaitingFor(fakeSocket('TLSv1.3'), TICKET_WAIT_MAX_RTT_MS), true);
    assert.equal(ticketsWorthWaitingFor(fakeSocket('TLSv1.3'), TICKET_WAIT_MAX_RTT_MS + 1), false);
    assert.equal(ticketsWorthWaitingFor(fakeSocket('TLSv1.2'), 0), false);
    assert.equal(ticketsWorthWaitingFor(fakeSocket('TLSv1.3'), 50, 100), true);
  });
});

describe('watchSessionTickets', () => {
  it('acknowledges a ticket outside the session callback and settles at the second without acknowledging it', async () => {
    // Given a watch on a socket that receives a first ticket
    const s = fakeSocket();
    let acks = 0;
    const w = watchSessionTickets(s, { rttMs: 0, onTicket: () => acks++ });
    s.emit('session', Buffer.alloc(0));
    // Then nothing is written inside the callback, the acknowledgement follows right after
    assert.equal(acks, 0);
    await new Promise((r) => setImmediate(r));
    assert.equal(acks, 1);
    // When the second (OpenSSL's last) ticket arrives
    s.emit('session', Buffer.alloc(0));
    await w.settled;
    // Then the watch settles at once, leaving its acknowledgement to the caller's next write
    assert.equal(acks, 1);
    assert.equal(w.count, TICKETS_EXPECTED);
  });

  it('settles one round trip plus a margin after a single ticket', async () => {
    // Given a server that sends one ticket only (as Java's TLS stack does)
    const s = fakeSocket();
    let acks = 0;
    const started = Date.now();
    const w = watchSessionTickets(s, { rttMs: 1, onTicket: () => acks++ });
    s.emit('session', Buffer.alloc(0));
    // When the watch settles
    await w.settled;
    // Then the ticket was acknowledged and no second one was waited for beyond the quiet period
    assert.equal(acks, 1);
    assert.equal(w.count, 1);
    assert.ok(Date.now() - started < TICKET_WAIT_CAP_MS, `${Date.now() - started} ms`);
  });

  it('gives up on tickets after about two round trips when none comes', async () => {
    // Given a TLS 1.3 server that sends no ticket
    const s = fakeSocket();
    const started = Date.now();
    const w = watchSessionTickets(s, { rttMs: 1, onTicket: () => assert.fail('no ticket was sent') });
    // When the watch settles
    await w.settled;
    // Then it took the first wait (2 x 1 ms + 3 ms, raised to TICKET_FIRST_WAIT_MIN_MS), not the cap
    assert.equal(w.count, 0);
    assert.ok(Date.now() - started < TICKET_WAIT_CAP_MS, `${Date.now() - started} ms`);
  });

  it('never waits past the cap, however late the first ticket', async () => {
    // Given a path whose round trip allows a long first wait, and a server that sends no ticket
    const s = fakeSocket();
    const started = Date.now();
    const w = watchSessionTickets(s, { rttMs: 1000, onTicket: () => {} });
    await w.settled;
    // Then the watch settles at the cap (timers may fire a little late on a busy machine)
    const waited = Date.now() - started;
    assert.ok(waited >= TICKET_WAIT_CAP_MS - 1 && waited < TICKET_WAIT_CAP_MS + 200, `${waited} ms`);
  });

  it('settles at once when the connection closes, and acknowledges nothing afterwards', async () => {
    // Given a watch that has just seen a ticket
    const s = fakeSocket();
    let acks = 0;
    const w = watchSessionTickets(s, { rttMs: 5, onTicket: () => acks++ });
    s.emit('session', Buffer.alloc(0));
    // When the socket closes before the acknowledgement was written
    s.emit('close');
    await w.settled;
    await sleep(5);
    // Then no write is attempted on the closed connection, and later tickets are ignored
    s.emit('session', Buffer.alloc(0));
    await sleep(5);
    assert.equal(acks, 0);
    assert.equal(w.count, 1);
    assert.equal(s.listenerCount('session'), 0);
  });
});
