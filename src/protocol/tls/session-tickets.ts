/**
 * Waiting out the session tickets a TLS 1.3 server sends right after the handshake (RFC 8446
 * §4.6.1), so a client can acknowledge each one before it sends the request that the server
 * answers. Why: a server with Nagle's algorithm on (Prosody's default) writes each ticket
 * separately, so its second ticket, and then its answer, wait in its send queue until the first
 * one is acknowledged; our kernel delays that ACK by ~40 ms when it has nothing to send. A write
 * of ours after each ticket carries the ACK at once.
 */
import type { TLSSocket } from 'node:tls';

/** Above this round-trip time a ticket costs more to wait for than the stall it avoids. */
export const TICKET_WAIT_MAX_RTT_MS = 5;
/** Never wait longer than this in all: half the delayed-ACK stall that the wait avoids. */
export const TICKET_WAIT_CAP_MS = 20;
/**
 * The first ticket is waited for at least this long, however short the round trip: on a busy
 * machine the event loop alone can take longer than two loopback round trips, and then the
 * wait would end before a ticket that is already on its way is read. Still half the cap.
 */
export const TICKET_FIRST_WAIT_MIN_MS = 10;
/**
 * OpenSSL (Prosody, ejabberd) and BoringSSL send two tickets after a full handshake
 * (SSL_CTX_set_num_tickets); after the second no more is expected, and the request written
 * next carries its ACK.
 */
export const TICKETS_EXPECTED = 2;

export interface TicketWatch {
  /** Resolves once no further ticket is expected (or the socket closed, or the cap passed). */
  settled: Promise<void>;
  /** Tickets seen so far. */
  readonly count: number;
  /** Stops watching; no onTicket call happens after this. */
  stop(): void;
}

/**
 * Whether waiting for tickets can pay off: only TLS 1.3 sends them after the handshake (TLS 1.2
 * sends its ticket inside the handshake), and only on a short path is a round trip (the time a
 * ticket takes) much cheaper than the delayed-ACK stall.
 */
export function ticketsWorthWaitingFor(
  socket: TLSSocket,
  rttMs: number,
  maxRttMs = TICKET_WAIT_MAX_RTT_MS,
): boolean {
  return socket.getProtocol() === 'TLSv1.3' && rttMs <= maxRttMs;
}

/**
 * Watches for session tickets from now on and calls `onTicket` after each but the last
 * (outside Node's 'session' callback, where a write corrupts the record layer). `settled`
 * resolves at the TICKETS_EXPECTED-th ticket, when no ticket came within two round trips plus a
 * margin (at least TICKET_FIRST_WAIT_MIN_MS), or no further ticket within one round trip plus a
 * margin of the last (the next one is released by our acknowledgement, so it takes one round
 * trip), and at the latest after TICKET_WAIT_CAP_MS. The caller's next write acknowledges what came last.
 */
export function watchSessionTickets(
  socket: TLSSocket,
  o: {
    rttMs: number;
    onTicket: () => void;
    /**
     * Tests only: wait this long for the first ticket, for each next one and in all, instead of
     * the round-trip-based waits and TICKET_WAIT_CAP_MS. A long one leaves the end of the wait
     * to the tickets (or the socket closing), so that a busy machine cannot end it first.
     */
    waitMs?: number;
  },
): TicketWatch {
  const started = Date.now();
  const firstWaitMs = o.waitMs ?? Math.max(2 * o.rttMs + 3, TICKET_FIRST_WAIT_MIN_MS);
  const nextWaitMs = o.waitMs ?? o.rttMs + 2;
  const capMs = o.waitMs ?? TICKET_WAIT_CAP_MS;
  let count = 0;
  let last = started;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let finish: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    socket.off('session', onSession);
    socket.off('close', stop);
    finish();
  };
  let generation = 0;
  const arm = () => {
    clearTimeout(timer);
    const armed = ++generation;
    const due = Math.min(count === 0 ? started + firstWaitMs : last + nextWaitMs, started + capMs);
    // When the deadline passes, let one I/O poll run first: the caller may have been busy (e.g.
    // parsing the certificate chain) while a ticket was already waiting in the socket, and the
    // event loop runs due timers before it reads sockets.
    timer = setTimeout(
      () =>
        setImmediate(() => {
          if (armed === generation) stop();
        }),
      Math.max(0, due - Date.now()),
    );
  };
  function onSession(): void {
    count++;
    last = Date.now();
    if (count >= TICKETS_EXPECTED) {
      clearTimeout(timer);
      generation++;
      setImmediate(stop);
      return;
    }
    setImmediate(() => {
      if (!stopped) o.onTicket();
    });
    arm();
  }
  socket.on('session', onSession);
  socket.once('close', stop);
  arm();
  return {
    settled,
    get count() {
      return count;
    },
    stop,
  };
}
