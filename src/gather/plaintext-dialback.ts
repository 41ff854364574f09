/**
 * The check behind "STARTTLS offered without <required/>": the features only say what a server
 * advertises, not what it enforces (jabberd2 and Cisco XCP never advertise <required/>, even
 * with require_tls on). So, where it is safe — `xfed dialback verify`, which already sends a
 * db:verify with a random key — xfed opens one more stream to the same address, skips the
 * optional STARTTLS and sends the same kind of request (a random key: nobody can be
 * authenticated by it). An answer (invalid, error) means the server processes dialback on
 * unencrypted streams; silence, a close or a stream error means it enforces TLS.
 *
 * Its own module, called from gather/dialback.ts, so probe tls's gatherer stays as it is.
 * Reuses the one outgoing sequence (connectXmpp, told to skip STARTTLS) and the db:verify
 * exchange; facts only.
 */
import type { OutboundFacts, PlaintextCheckFacts } from '../facts/dialback.js';
import { LabelledTranscript } from '../protocol/dialback/labelled-transcript.js';
import {
  exchangeVerify,
  parseDialbackAnswer,
  randomVerifyRequest,
} from '../protocol/dialback/verify-probe.js';
import type { Transcript } from '../transcript/recorder.js';
import { connectXmpp, type OutboundStream, stepFailure } from './tls.js';

/**
 * Longest wait for an answer on the plaintext stream. Servers that process the request answer
 * within milliseconds; jabberd2 with require_tls ignores it and drops the connection ~10 s later.
 */
export const PLAINTEXT_CHECK_MAX_MS = 3000;

/** True when the used attempt offered STARTTLS without <required/> (the case worth checking). */
export function optionalStarttls(o: OutboundFacts): boolean {
  const a = o.attempts[o.attempts.length - 1];
  const f = a?.stream?.features;
  return !!a && !a.directTls && !!f && f.starttls.offered && !f.starttls.required;
}

/**
 * Opens a stream to the address the outbound connection used, without STARTTLS, and sends a
 * db:verify with a random key from `our` to `peer`. Undefined when there is nothing to check.
 */
export async function checkPlaintextDialback(
  o: OutboundFacts,
  our: string,
  stream: Omit<OutboundStream, 'domain' | 'sent' | 'transcript' | 'skipStartTls'>,
  transcript: Transcript,
  clock: () => number,
): Promise<PlaintextCheckFacts | undefined> {
  if (!optionalStarttls(o)) return undefined;
  const used = o.attempts[o.attempts.length - 1];
  const target = o.resolution.targets.find((t) => used && t.ip === used.ip && t.port === used.port);
  if (!used || !target) return undefined;
  const t = new LabelledTranscript(transcript, 'plaintext check');
  const startedAtMs = clock();
  const facts: PlaintextCheckFacts = {
    endpoint: used.endpoint,
    outcome: 'not-checked',
    startedAtMs,
    durationMs: 0,
  };
  // The one outgoing sequence, stopped before STARTTLS on purpose.
  const r = await connectXmpp(target, {
    ...stream,
    domain: o.domain,
    sent: { to: o.domain, from: our },
    transcript: t,
    skipStartTls: true,
  });
  const conn = r.conn;
  try {
    const features = r.attempt.stream?.features;
    // Not the situation we meant to check (the server changed its mind, or failed): say so.
    if (!conn || !r.ready || !features?.starttls.offered || features.starttls.required) return facts;
    t.note('skipping the optional STARTTLS on purpose: db:verify with a random key over plain TCP');
    const req = randomVerifyRequest(our, o.domain);
    const waitMs = Math.min(stream.timeoutMs, PLAINTEXT_CHECK_MAX_MS);
    const sentAt = clock();
    const x = await exchangeVerify(conn, req, waitMs);
    facts.waitedMs = clock() - sentAt;
    if (x.answer) {
      const p = parseDialbackAnswer(x.answer);
      facts.outcome = 'answered';
      facts.answer = p.type;
      if (p.condition) facts.condition = p.condition;
    } else {
      const failure = stepFailure(x.failure ?? { kind: 'eof' }, 'plaintext db:verify');
      facts.outcome =
        failure.failure === 'timeout'
          ? 'ignored'
          : failure.failure === 'stream-error'
            ? 'stream-error'
            : 'closed';
      if (failure.streamError) facts.condition = failure.streamError.condition;
    }
    if (conn.socket.writable) conn.send('</stream:stream>');
    return facts;
  } finally {
    conn?.destroy();
    facts.durationMs = clock() - startedAtMs;
  }
}
