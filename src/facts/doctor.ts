/**
 * doctor facts: every layer of a domain pair, gathered once (issue 9). One DNS view per domain
 * shared by every later layer; the peer probed as our server would reach it, our domain probed
 * from outside as the peer would; dialback verify both ways; the full handshake with --listen.
 * Verdict-free: judge/doctor.ts decides per direction.
 */
import type { DialbackFacts, DialbackVerifyFacts } from './dialback.js';
import type { SrvFacts } from './srv.js';
import type { PresentedCertFacts, TlsProbeFacts } from './tls.js';

export interface DoctorFacts {
  /** The peer domain (A-label). */
  peer: string;
  /** Our domain (--as), when given. */
  our?: string;
  /** DNS of each domain, gathered once and shared by every later layer. */
  dns: SrvFacts[];
  /** The peer's every SRV target as our server reaches it (stream from our domain, our certificate, SASL EXTERNAL). */
  peerTls: TlsProbeFacts;
  /** Our domain's every SRV target as the peer reaches it (certificate judged for our domain). */
  ourTls?: TlsProbeFacts;
  /** `dialback verify <peer> --as <our>`: the peer's authoritative path answers. */
  peerVerify?: DialbackVerifyFacts;
  /** `dialback verify <our> --as <peer>`: our authoritative path answers. */
  ourVerify?: DialbackVerifyFacts;
  /** With --listen: the full dialback handshake our -> peer. */
  dialback?: DialbackFacts;
  /** The certificate presented for our domain (--cert), if any. */
  clientCert?: PresentedCertFacts;
  timeoutMs: number;
  checkedAt: string;
}
