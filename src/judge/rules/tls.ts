/**
 * probe tls rules: TCP reachability, STARTTLS policy (RFC 6120 §5), the TLS handshake and
 * protocol version (RFC 7590, RFC 8996), direct TLS (XEP-0368), the certificate (delegated
 * to the cert rules) and the stream rules of rules/xmpp.ts, per connection attempt. When a
 * later target completed TLS, an earlier target's problems become one failover warning each
 * (RFC 6120 §3.2.1: servers move on to the next target). Pure; wording in catalog/tls.ts.
 */
import type { AttemptFacts, HandshakeFacts, TlsProbeFacts } from '../../facts/tls.js';
import { endpointOf } from '../../report/endpoint.js';
import { catalogEntry } from '../catalog/index.js';
import { capList, capRepeats, fillTemplate, type Hit, hit, MAX_SAME, type Rule } from '../judge.js';
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
  if (a.redirect) hits.push(...redirectHits(a, a.redirect, f));
  return hits;
}

/**
 * The see-other-host redirect, followed once: how its target does. Its problems are reported
 * as its own findings (they name its endpoint); one info finding says where it led and whether
 * a server that follows the redirect gets through.
 */
function redirectHits(a: AttemptFacts, r: NonNullable<AttemptFacts['redirect']>, f: TlsProbeFacts): Hit[] {
  const base = { endpoint: a.endpoint, domain: f.domain, otherHost: r.to };
  if (!r.attempt) {
    return [
      hit('xmpp.stream.redirect-followed', {
        ...base,
        otherEndpoint: r.to,
        result: 'not reachable',
        problems: [r.error ?? 'no address'],
      }),
    ];
  }
  const own = attemptHits(r.attempt, f);
  const problems = own.filter((h) => catalogEntry(h.id).severity !== 'info');
  const works = r.attempt.tlsEstablished && !problems.some((h) => catalogEntry(h.id).severity === 'error');
  return [
    hit('xmpp.stream.redirect-followed', {
      ...base,
      otherEndpoint: r.attempt.endpoint,
      result: works ? 'works' : 'fails',
      problems: problems.map((h) => `${fillTemplate(catalogEntry(h.id).title, h.evidence)} (${h.id})`),
    }),
    ...problems,
  ];
}

/** Nothing to connect to: the DNS errors that explain why, or the host lookup failure. */
export const resolutionRule: Rule<TlsProbeFacts> = (f) => {
  const r = f.resolution;
  if (r.targets.length > 0) {
    // Reachable, but the DNS behind it matters to other servers too (no SRV record, a CNAME
    // target, split DNS between --resolver views, a dead first resolver, a capped answer):
    // carried into the probe report rather than a bare pass (issue 13).
    const srv = r.method === 'srv' ? r.srv : undefined;
    if (!srv) return [];
    return dnsRules.flatMap((rule) => rule(srv)).filter((h) => catalogEntry(h.id).severity !== 'info');
  }
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

/** The A or AAAA record behind an address, as a zone file line names it. */
function addressRecord(a: AttemptFacts): string {
  return `${a.host} ${a.ip.includes(':') ? 'AAAA' : 'A'} ${a.ip}`;
}

/** ip:port of an attempt (brackets for IPv6), the address a finding names. */
function addressOf(a: AttemptFacts): string {
  return endpointOf(a.ip, a.port);
}

/** "xmpp.example.org:5269 [192.0.2.1] (priority 0)": one attempt named for a list. */
function attemptLabel(a: AttemptFacts): string {
  const ip = a.ip !== a.host ? ` [${a.ip}]` : '';
  return `${a.endpoint}${ip}${a.priority !== undefined ? ` (priority ${a.priority})` : ''}`;
}

const severityOf = (h: Hit) => catalogEntry(h.id).severity;

/**
 * Every attempt judged, the way sending servers experience the targets (RFC 6120 §3.2.1: on a
 * failed connection they move on to the next target or address):
 * - a target that works (TLS up, no error) is judged on its own;
 * - a target that refuses or cannot be reached while another works costs a retry: one
 *   warning, xmpp.target.address-failover when another address of the same host works (the
 *   stale A/AAAA record is the fix), else xmpp.target.failover (the SRV target is);
 * - a target that accepts the connection and then fails (certificate, TLS, stream error)
 *   breaks every connection that lands on it: its errors stand, whatever the other targets do;
 * - when no target works, every problem stands, and with several targets
 *   xmpp.target.none-usable says that none of them can be used, in priority order.
 */
export const attemptsRule: Rule<TlsProbeFacts> = (f) => {
  const judged = f.attempts.map((a) => {
    const own = attemptHits(a, f);
    const works = a.tlsEstablished && !own.some((h) => severityOf(h) === 'error');
    return { a, own, works };
  });
  const working = judged.filter((j) => j.works);
  const hits: Hit[] = [];
  for (const { a, own, works } of judged) {
    if (works || a.connect.ok || working.length === 0) {
      hits.push(...own);
      continue;
    }
    const problem = own.find((h) => severityOf(h) !== 'info') ?? own[0];
    if (!problem) continue;
    const details = {
      problem: fillTemplate(catalogEntry(problem.id).title, problem.evidence),
      problemId: problem.id,
    };
    const sibling = working.find((w) => w.a.host === a.host && w.a.port === a.port && w.a.ip !== a.ip);
    if (sibling) {
      hits.push(
        hit('xmpp.target.address-failover', {
          domain: f.domain,
          host: a.host,
          deadAddress: addressOf(a),
          usedAddress: addressOf(sibling.a),
          record: addressRecord(a),
          ...details,
        }),
      );
      continue;
    }
    const used = (working[0] as (typeof working)[number]).a;
    const evidence: Record<string, unknown> = {
      domain: f.domain,
      deadEndpoint: a.endpoint,
      deadAddress: addressOf(a),
      usedEndpoint: used.endpoint,
      ...details,
    };
    if (a.priority !== undefined) evidence.priority = a.priority;
    hits.push(hit('xmpp.target.failover', evidence));
  }
  if (working.length === 0 && judged.length > 1) {
    hits.push(
      hit('xmpp.target.none-usable', {
        domain: f.domain,
        count: judged.length,
        targets: judged.map(({ a, own }) => {
          const p = own.find((h) => severityOf(h) === 'error') ?? own[0];
          const why = p ? `${fillTemplate(catalogEntry(p.id).title, p.evidence)} (${p.id})` : 'no TLS';
          return `${attemptLabel(a)}: ${why}`;
        }),
      }),
    );
  }
  return hits;
};

/** The hits of an id beyond MAX_SAME become one xmpp.target.repeated naming their endpoints. */
function aggregateRepeats(domain: string, hits: Hit[]): Hit[] {
  return capRepeats(hits, (id, same) => {
    const rest = same
      .slice(MAX_SAME)
      .map((h) => String(h.evidence.endpoint ?? h.evidence.deadEndpoint ?? '?'));
    return hit('xmpp.target.repeated', {
      domain,
      repeatedId: id,
      count: rest.length,
      shown: MAX_SAME,
      others: capList(rest),
    });
  });
}

export const tlsProbeRules: readonly Rule<TlsProbeFacts>[] = [
  resolutionRule,
  (f) => aggregateRepeats(f.domain, attemptsRule(f)),
];
