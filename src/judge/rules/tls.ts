/**
 * probe tls rules: TCP reachability, STARTTLS policy (RFC 6120 §5), the TLS handshake and
 * protocol version (RFC 7590, RFC 8996), direct TLS (XEP-0368), the certificate (delegated
 * to the cert rules) and the stream rules of rules/xmpp.ts, per connection attempt. When a
 * later target completed TLS, an earlier target's problems become one failover warning each
 * (RFC 6120 §3.2.1: servers move on to the next target). Pure; wording in catalog/tls.ts.
 */
import type { AttemptFacts, HandshakeFacts, TlsProbeFacts } from '../../facts/tls.js';
import { catalogEntry } from '../catalog/index.js';
import { fillTemplate, type Hit, hit, type Rule } from '../judge.js';
import { judgeCert } from './cert.js';
import { dnsRules } from './dns.js';
import { attemptStreamHits, type StreamContext, stepFailureHits } from './xmpp.js';

/** TLS versions below 1.2, as node:tls names them (RFC 8996 deprecates them; RFC 7590 needs 1.2+). */
const OLD_PROTOCOLS = new Set(['SSLv3', 'TLSv1', 'TLSv1.1']);

/** OpenSSL errors that mean "the bytes that came back are not TLS" (a plain-text service). */
const NOT_TLS =
  /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|HTTP_REQUEST|RECORD_LAYER_FAILURE|wrong version number|packet length too long/i;

function tcpHits(a: AttemptFacts, domain: string, timeoutMs: number): Hit[] {
  const base = { endpoint: a.endpoint, ip: a.ip, port: a.port, domain };
  switch (a.connect.reason) {
    case 'refused':
      return [hit('tcp.connect.refused', base)];
    case 'timeout':
      return [hit('tcp.connect.timeout', { ...base, timeoutMs })];
    case 'unreachable':
      return [hit('tcp.connect.unreachable', { ...base, code: a.connect.code ?? 'EHOSTUNREACH' })];
    default:
      return [
        hit('tcp.connect.failed', {
          ...base,
          code: a.connect.code ?? a.connect.reason ?? 'error',
          message: a.connect.message ?? 'unknown error',
        }),
      ];
  }
}

function handshakeHits(a: AttemptFacts, t: HandshakeFacts, domain: string, timeoutMs: number): Hit[] {
  const base = { endpoint: a.endpoint, domain };
  if (!t.ok) {
    if (t.reason === 'timeout') return [hit('tls.handshake.timeout', { ...base, timeoutMs })];
    const message = t.message ?? 'handshake failed';
    if (a.directTls && NOT_TLS.test(`${t.code ?? ''} ${message}`)) {
      return [hit('tls.direct.plaintext', { ...base, message })];
    }
    const alert = t.alert ?? (t.reason === 'closed' ? 'none, the connection was closed' : 'none');
    return [hit('tls.handshake.failed', { ...base, sni: t.sni, alert, message })];
  }
  const hits: Hit[] = [];
  if (t.protocol && OLD_PROTOCOLS.has(t.protocol))
    hits.push(hit('tls.protocol.old', { ...base, protocol: t.protocol }));
  if (a.directTls) {
    hits.push(
      hit('tls.direct.ok', {
        ...base,
        protocol: t.protocol ?? null,
        cipher: t.cipher ?? null,
        alpn: t.alpn ?? null,
      }),
    );
  }
  return hits;
}

/** Every hit for one connection attempt, in the order the steps happened. */
export function attemptHits(a: AttemptFacts, f: TlsProbeFacts): Hit[] {
  if (!a.connect.ok) return tcpHits(a, f.domain, f.timeoutMs);
  const c: StreamContext = { endpoint: a.endpoint, domain: f.domain };
  if (f.from) c.from = f.from;
  if (f.clientCert !== undefined) c.clientCert = f.clientCert?.subject ?? null;
  const { pre, secure } = attemptStreamHits(a, c);
  const hits: Hit[] = [...pre];
  const features = a.stream && !a.stream.failed ? a.stream.features : undefined;
  if (!a.directTls && features) {
    const base = { endpoint: a.endpoint, domain: f.domain };
    if (!features.starttls.offered)
      hits.push(hit('tls.starttls.not-offered', { ...base, features: features.all }));
    else if (!features.starttls.required) hits.push(hit('tls.starttls.optional', base));
    else if (a.tlsEstablished) {
      hits.push(
        hit('tls.starttls.required', {
          ...base,
          protocol: a.tls?.protocol ?? null,
          cipher: a.tls?.cipher ?? null,
        }),
      );
    }
  }
  if (a.starttls?.answer === 'failure') {
    hits.push(hit('tls.starttls.failure', { endpoint: a.endpoint, domain: f.domain }));
  } else if (a.starttls?.failed) {
    hits.push(...stepFailureHits(a.starttls.failed, c));
  }
  if (a.tls) hits.push(...handshakeHits(a, a.tls, f.domain, f.timeoutMs));
  if (a.cert) hits.push(...judgeCert(a.cert));
  hits.push(...secure);
  return hits;
}

/** Nothing to connect to: the DNS errors that explain why, or the host lookup failure. */
export const resolutionRule: Rule<TlsProbeFacts> = (f) => {
  const r = f.resolution;
  if (r.targets.length > 0) return [];
  if (r.method === 'srv' && r.srv) {
    const srv = r.srv;
    const errors = dnsRules
      .flatMap((rule) => rule(srv))
      .filter((h) => catalogEntry(h.id).severity === 'error');
    if (errors.length > 0) return errors;
    return [
      hit('xmpp.target.no-address', {
        host: f.domain,
        domain: f.domain,
        reason: 'no-target',
        message: `no usable _xmpp-server._tcp/_xmpps-server._tcp target and no A/AAAA record for ${f.domain}`,
      }),
    ];
  }
  return [
    hit('xmpp.target.no-address', {
      host: r.host ?? f.domain,
      domain: f.domain,
      reason: r.error?.reason ?? 'nodata',
      message: r.error?.message ?? 'no address',
    }),
  ];
};

/**
 * Every attempt judged. If some attempt completed TLS, the problems of the attempts that did
 * not become xmpp.target.failover warnings (the domain is reachable, but servers that try the
 * dead target first are slowed down or fail); otherwise they stand as they are.
 */
export const attemptsRule: Rule<TlsProbeFacts> = (f) => {
  const used = f.attempts.find((a) => a.tlsEstablished);
  const hits: Hit[] = [];
  for (const a of f.attempts) {
    const own = attemptHits(a, f);
    if (!used || a.tlsEstablished) {
      hits.push(...own);
      continue;
    }
    for (const h of own) {
      if (catalogEntry(h.id).severity === 'info') continue;
      hits.push(
        hit('xmpp.target.failover', {
          domain: f.domain,
          deadEndpoint: a.endpoint,
          usedEndpoint: used.endpoint,
          problem: fillTemplate(catalogEntry(h.id).title, h.evidence),
          problemId: h.id,
        }),
      );
    }
  }
  return hits;
};

export const tlsProbeRules: readonly Rule<TlsProbeFacts>[] = [resolutionRule, attemptsRule];
