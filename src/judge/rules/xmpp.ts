/**
 * XMPP stream rules for probe tls: stream errors mapped one id per condition (RFC 6120
 * §4.9.3), non-XMPP services, restricted or oversized XML (§11), stream versions (§4.7.5)
 * and the authentication methods offered after TLS (XEP-0178, XEP-0220). Pure: facts in,
 * hits out; wording lives in catalog/xmpp.ts.
 */
import type { AttemptFacts, FeatureFacts, SaslFacts, StepFailure, StreamFacts } from '../../facts/tls.js';
import type { FindingId } from '../catalog/index.js';
import { type Hit, hit } from '../judge.js';

/** Who we talked to, for the evidence of every stream finding. */
export interface StreamContext {
  endpoint: string;
  domain: string;
  /** Our stream `from`, if any (--from). */
  from?: string;
  /**
   * The client certificate we presented (--cert), by subject; null when none was presented.
   * Undefined (unknown) leaves a certificate refusal as the generic not-authorized finding.
   */
  clientCert?: string | null;
}

/** Prosody's texts when s2s_secure_auth refuses a server ("Your server's certificate could not be validated", "… is not trusted"). */
const CERTIFICATE_TEXT = /your server.s certificate|could not be validated/i;

/** Stream error conditions with their own finding id; anything else is xmpp.stream.error-other. */
const STREAM_ERROR_IDS: Record<string, FindingId> = {
  'host-unknown': 'xmpp.stream.host-unknown',
  'host-gone': 'xmpp.stream.host-gone',
  'policy-violation': 'xmpp.stream.policy-violation',
  'not-authorized': 'xmpp.stream.not-authorized',
  'improper-addressing': 'xmpp.stream.improper-addressing',
  'invalid-from': 'xmpp.stream.invalid-from',
  'invalid-namespace': 'xmpp.stream.invalid-namespace',
  'see-other-host': 'xmpp.stream.see-other-host',
  'system-shutdown': 'xmpp.stream.system-shutdown',
  'unsupported-version': 'xmpp.stream.unsupported-version',
  'connection-timeout': 'xmpp.stream.connection-timeout',
  'resource-constraint': 'xmpp.stream.resource-constraint',
  'internal-server-error': 'xmpp.stream.internal-server-error',
};

/** Conditions a peer uses when it wants to know who is connecting (RFC 6120 §4.7.1, §4.9.3.9/.11). */
const FROM_CONDITIONS = new Set(['improper-addressing', 'invalid-from']);

const NOT_XMPP_KIND: Record<string, string> = {
  'not-xmpp-http': 'http',
  'not-xmpp-tls': 'tls',
  'not-xmpp-ssh': 'ssh',
  'not-xmpp-smtp': 'smtp',
  'not-xmpp': 'other',
};

/** Hits for one failed stream step (header, features, starttls answer, ...). */
export function stepFailureHits(f: StepFailure, c: StreamContext): Hit[] {
  const base = { endpoint: c.endpoint, domain: c.domain, step: f.step };
  switch (f.failure) {
    case 'timeout':
      return [hit('xmpp.stream.timeout', { ...base, timeoutMs: f.timeoutMs })];
    case 'closed':
      return [hit('xmpp.stream.closed', { ...base, closedBy: f.closedBy ?? 'eof' })];
    case 'unexpected':
      return [hit('xmpp.stream.unexpected-element', { ...base, element: f.element })];
    case 'parse-error': {
      const pe = f.parseError;
      const detail = pe?.message ?? 'unparsable input';
      const code = pe?.code ?? 'not-well-formed';
      if (code in NOT_XMPP_KIND) {
        return [hit('xmpp.service.not-xmpp', { ...base, kind: NOT_XMPP_KIND[code], detail })];
      }
      if (code === 'restricted-xml') return [hit('xmpp.stream.restricted-xml', { ...base, detail })];
      if (code === 'invalid-utf8') return [hit('xmpp.stream.invalid-utf8', { ...base, detail })];
      if (code === 'limit') return [hit('xmpp.stream.too-large', { ...base, detail })];
      return [hit('xmpp.stream.malformed', { ...base, detail })];
    }
    case 'stream-error': {
      const e = f.streamError;
      const condition = e?.condition ?? 'undefined-condition';
      const evidence: Record<string, unknown> = { ...base, condition, text: e?.text ?? null };
      if (c.from) evidence.from = c.from;
      if (FROM_CONDITIONS.has(condition) && !c.from) return [hit('xmpp.stream.from-required', evidence)];
      if (condition === 'see-other-host') evidence.otherHost = e?.otherHost ?? null;
      if (
        condition === 'not-authorized' &&
        c.clientCert !== undefined &&
        CERTIFICATE_TEXT.test(e?.text ?? '')
      ) {
        evidence.certificatePresented = c.clientCert !== null;
        if (c.clientCert === null) return [hit('xmpp.auth.certificate-required', evidence)];
        return [hit('xmpp.auth.certificate-rejected', { ...evidence, subject: c.clientCert })];
      }
      return [hit(STREAM_ERROR_IDS[condition] ?? 'xmpp.stream.error-other', evidence)];
    }
  }
}

/** Hits for one stream open: its failure, or a header without version 1.x. */
export function streamHits(s: StreamFacts | undefined, c: StreamContext): Hit[] {
  if (!s) return [];
  if (s.failed) return stepFailureHits(s.failed, c);
  if (s.header && !s.header.version?.startsWith('1.')) {
    return [hit('xmpp.stream.legacy-version', { endpoint: c.endpoint, version: s.header.version ?? null })];
  }
  return [];
}

/**
 * Authentication options after TLS: SASL EXTERNAL (XEP-0178) and/or dialback (XEP-0220).
 * Prosody offers EXTERNAL only to a peer whose client certificate it validated; xfed shows
 * none, so dialback alone is the healthy answer there.
 */
export function authHits(features: FeatureFacts | null | undefined, c: StreamContext): Hit[] {
  if (!features) return [];
  const mechanisms = features.saslMechanisms ?? [];
  const external = mechanisms.some((m) => m.toUpperCase() === 'EXTERNAL');
  const dialback = features.dialback.offered;
  if (!external && !dialback) {
    return [hit('xmpp.auth.none', { endpoint: c.endpoint, domain: c.domain, features: features.all })];
  }
  if (!dialback) return [hit('xmpp.auth.external-only', { endpoint: c.endpoint, mechanisms })];
  const hits = [
    hit('xmpp.auth.dialback-offered', { endpoint: c.endpoint, errors: features.dialback.errors }),
  ];
  if (external) hits.push(hit('xmpp.auth.external-offered', { endpoint: c.endpoint, mechanisms }));
  return hits;
}

/** Stream hits of one attempt: the plain stream, then the stream over TLS with its auth offers. */
export function attemptStreamHits(a: AttemptFacts, c: StreamContext): { pre: Hit[]; secure: Hit[] } {
  let pre = streamHits(a.stream, c);
  // A port that closed on our XML but completed a TLS handshake when greeted with TLS is TLS-first.
  if (a.tlsFirst?.ok && a.stream?.failed?.failure === 'closed') {
    pre = [
      hit('xmpp.service.not-xmpp', {
        endpoint: c.endpoint,
        domain: c.domain,
        step: a.stream.failed.step,
        kind: 'tls',
        detail: `it closed the connection on our stream header, but a second connection completed a TLS handshake (${a.tlsFirst.protocol ?? 'TLS'})`,
      }),
    ];
  }
  const secure = streamHits(a.secureStream, c);
  if (a.secureStream && !a.secureStream.failed && a.secureStream.features) {
    secure.push(...authHits(a.secureStream.features, c));
  }
  if (a.sasl) secure.push(...saslHits(a.sasl, c));
  return { pre, secure };
}

/** SASL EXTERNAL with our certificate (XEP-0178): accepted, refused, not offered, or no answer. */
export function saslHits(s: SaslFacts, c: StreamContext): Hit[] {
  const base = {
    endpoint: c.endpoint,
    domain: c.domain,
    from: s.authzid,
    subject: c.clientCert ?? null,
  };
  if (!s.offered) return [hit('sasl.external.not-offered', { ...base, mechanisms: s.mechanisms })];
  if (s.outcome === 'success') return [hit('sasl.external.ok', base)];
  if (s.outcome === 'failure') {
    return [hit('sasl.external.refused', { ...base, condition: s.condition ?? null, text: s.text ?? null })];
  }
  return s.failed ? stepFailureHits(s.failed, c) : [];
}
