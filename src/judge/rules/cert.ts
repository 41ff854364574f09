/**
 * Certificate rules: judge one endpoint's chain as XMPP servers (RFC 6120 §13.7, XEP-0178) or
 * HTTPS clients (RFC 2818) do: identity (RFC 6125), validity dates, chain trust (RFC 5280 §6),
 * key and signature strength, extended key usage. Pure: facts in, hits out.
 */
import type { CertCheckFacts, CertificateInfo } from '../../facts/cert.js';
import { hasIdentitySan, matchIdentity, presentedNames, toALabel } from '../../protocol/tls/identity.js';
import { catalogEntry, type FindingId } from '../catalog/index.js';
import { fillTemplate, type Hit, hit, type Rule } from '../judge.js';

const DAY_MS = 86_400_000;
/** Minimum sizes in bits (RFC 7525 §4.3; OpenSSL security level 2, Debian's default). */
const MIN_RSA_BITS = 2048;
const MIN_EC_BITS = 256;
/** RFC 4985 / RFC 6120 §13.7.1.2.1 SRVName in openssl-config notation, as CA forms ask for it. */
const SRV_NAME_OID = '1.3.6.1.5.5.7.8.7';

/** OpenSSL verify errors that mean "an issuer certificate could not be found". */
const MISSING_ISSUER = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
]);

/** Findings that --insecure turns into a warning: trust and identity, not dates or key strength. */
const SOFTENED_BY_INSECURE = new Set<FindingId>([
  'cert.name.mismatch',
  'cert.name.wildcard-bare-domain',
  'cert.name.matches-srv-target-only',
  'cert.chain.self-signed',
  'cert.chain.issuer-unknown',
  'cert.chain.incomplete',
  'cert.chain.invalid',
]);

/** The subject for finding text; an empty subject (SAN-only certificate) is shown as such. */
function subjectOf(c: CertificateInfo): string {
  return c.subject || '(empty subject)';
}

type Role = 'leaf' | 'intermediate' | 'root';

function roleOf(c: CertificateInfo, index: number): Role {
  if (index === 0) return 'leaf';
  return c.selfSigned ? 'root' : 'intermediate';
}

/** The subjectAltName entries a correct certificate for this reference would carry. */
export function expectedSan(ref: string, service: CertCheckFacts['service']): string[] {
  if (/^[\d.]+$/.test(ref) || ref.includes(':')) return [`IP:${ref}`];
  const name = toALabel(ref) || ref;
  return service === 'xmpp-server'
    ? [`DNS:${name}`, `otherName:${SRV_NAME_OID};IA5:_xmpp-server.${name}`]
    : [`DNS:${name}`];
}

function identityHits(f: CertCheckFacts, leaf: CertificateInfo, base: Record<string, unknown>): Hit[] {
  const m = matchIdentity(f.referenceName, leaf, f.service);
  const names = presentedNames(leaf, f.service);
  const expected = expectedSan(f.referenceName, f.service);
  if (m.matched) {
    // One fact, one finding: a CN-only match is the cn-only warning, which also says that the
    // name matched; judgeCert adds no cert.check.ok beside it.
    return m.via === 'cn' ? [hit('cert.name.cn-only', { ...base, matchedValue: m.value, expected })] : [];
  }
  // A `*.domain` wildcard never covers `domain` itself (RFC 6125 §6.4.3): the most common form
  // of this mistake gets its own finding, naming the wildcard that looked right.
  const bare = toALabel(f.referenceName);
  const wildcards = [
    ...leaf.san.dns,
    ...(hasIdentitySan(leaf.san, f.service) ? [] : leaf.commonNames),
  ].filter((v) => bare !== '' && toALabel(v) === `*.${bare}`);
  if (wildcards.length > 0) {
    return [hit('cert.name.wildcard-bare-domain', { ...base, wildcard: wildcards[0], names, expected })];
  }
  // RFC 6120 §13.7.2.1: the SRV target is not a valid reference identifier, but a certificate
  // made for it is the most common mistake, so it gets its own finding.
  if (f.connectHost && toALabel(f.connectHost) !== toALabel(f.referenceName)) {
    const viaHost = matchIdentity(f.connectHost, leaf, f.service);
    if (viaHost.matched) {
      return [
        hit('cert.name.matches-srv-target-only', { ...base, connectHost: f.connectHost, names, expected }),
      ];
    }
  }
  return [hit('cert.name.mismatch', { ...base, names, expected })];
}

function validityHits(f: CertCheckFacts, chain: CertificateInfo[], nowMs: number): Hit[] {
  const hits: Hit[] = [];
  chain.forEach((c, i) => {
    // Local trust anchors are the checker's business, not the peer's; the leaf is always the
    // peer's, even when the user pinned it with --ca.
    if (i > 0 && c.trustAnchor) return;
    const role = roleOf(c, i);
    const notAfterMs = Date.parse(c.notAfter);
    const notBeforeMs = Date.parse(c.notBefore);
    const base = { endpoint: f.endpoint, referenceName: f.referenceName, subject: subjectOf(c), role };
    if (nowMs > notAfterMs) {
      hits.push(
        hit('cert.validity.expired', {
          ...base,
          notAfter: c.notAfter,
          daysAgo: Math.floor((nowMs - notAfterMs) / DAY_MS),
        }),
      );
    } else if (nowMs < notBeforeMs) {
      hits.push(
        hit('cert.validity.not-yet-valid', { ...base, notBefore: c.notBefore, checkedAt: f.checkedAt }),
      );
    } else {
      const daysLeft = Math.floor((notAfterMs - nowMs) / DAY_MS);
      if (f.warnDays > 0 && daysLeft < f.warnDays) {
        hits.push(
          hit('cert.validity.expires-soon', {
            ...base,
            notAfter: c.notAfter,
            daysLeft,
            warnDays: f.warnDays,
          }),
        );
      }
    }
  });
  return hits;
}

function strengthHits(f: CertCheckFacts, chain: CertificateInfo[]): Hit[] {
  const hits: Hit[] = [];
  chain.forEach((c, i) => {
    if (i > 0 && c.trustAnchor) return;
    const role = roleOf(c, i);
    const base = { endpoint: f.endpoint, subject: subjectOf(c), role };
    const minBits =
      c.keyType === 'rsa' || c.keyType === 'rsa-pss' || c.keyType === 'dsa'
        ? MIN_RSA_BITS
        : c.keyType === 'ec'
          ? MIN_EC_BITS
          : 0;
    if (c.keyBits !== undefined && c.keyBits < minBits) {
      hits.push(hit('cert.key.weak', { ...base, keyType: c.keyType, keyBits: c.keyBits, minBits }));
    }
    // A root's signature on itself is never checked by anyone (RFC 5280 §6.1: the trust anchor
    // is an input, not a certificate to verify), so a SHA-1 self-signed root is harmless.
    if (!(c.selfSigned && c.isCA) && /sha-?1(?!\d)/i.test(c.signatureAlgorithm)) {
      hits.push(hit('cert.signature.sha1', { ...base, signatureAlgorithm: c.signatureAlgorithm }));
    }
  });
  return hits;
}

function ekuHits(f: CertCheckFacts, leaf: CertificateInfo): Hit[] {
  // No EKU extension at all means every purpose is allowed (RFC 5280 §4.2.1.12).
  const eku = leaf.extKeyUsage;
  if (eku === null || eku.includes('anyExtendedKeyUsage')) return [];
  const base = {
    endpoint: f.endpoint,
    referenceName: f.referenceName,
    subject: subjectOf(leaf),
    extKeyUsage: eku,
  };
  const hits: Hit[] = [];
  if (!eku.includes('serverAuth')) hits.push(hit('cert.eku.no-server-auth', base));
  // The same certificate authenticates outgoing s2s connections, where the server is the TLS client.
  if (f.service === 'xmpp-server' && !eku.includes('clientAuth'))
    hits.push(hit('cert.eku.no-client-auth', base));
  return hits;
}

/** Turns the OpenSSL validation result into one trust finding, unless another hit already explains it. */
function trustHits(f: CertCheckFacts, chain: CertificateInfo[], explained: ReadonlySet<FindingId>): Hit[] {
  if (f.trust.authorized) return [];
  const leaf = chain[0] as CertificateInfo;
  const top = chain[chain.length - 1] as CertificateInfo;
  const code = f.trust.errorCode ?? 'UNKNOWN';
  const errorMessage = f.trust.errorMessage ?? code;
  if (
    code === 'DEPTH_ZERO_SELF_SIGNED_CERT' ||
    (leaf.selfSigned && chain.length === 1 && !leaf.trustAnchor)
  ) {
    return [
      hit('cert.chain.self-signed', {
        endpoint: f.endpoint,
        referenceName: f.referenceName,
        subject: subjectOf(leaf),
      }),
    ];
  }
  if (code === 'SELF_SIGNED_CERT_IN_CHAIN' || MISSING_ISSUER.has(code)) {
    // The peer sent only its leaf, which is not self-signed: the issuing intermediate is missing
    // (or the issuer is a private root; the fix text covers both).
    if (top === leaf && MISSING_ISSUER.has(code)) {
      return [
        hit('cert.chain.incomplete', {
          endpoint: f.endpoint,
          subject: subjectOf(leaf),
          issuer: leaf.issuer,
          caIssuers: leaf.caIssuers ?? [],
        }),
      ];
    }
    return [
      hit('cert.chain.issuer-unknown', {
        endpoint: f.endpoint,
        topSubject: subjectOf(top),
        topIssuer: top.issuer,
        errorCode: code,
        errorMessage,
      }),
    ];
  }
  // Codes that an earlier, more specific finding already explains.
  const explainedBy: Record<string, FindingId[]> = {
    CERT_HAS_EXPIRED: ['cert.validity.expired'],
    CERT_NOT_YET_VALID: ['cert.validity.not-yet-valid'],
    CA_MD_TOO_WEAK: ['cert.signature.sha1'],
    EE_KEY_TOO_SMALL: ['cert.key.weak'],
    CA_KEY_TOO_SMALL: ['cert.key.weak'],
    INVALID_PURPOSE: ['cert.eku.no-server-auth', 'cert.eku.no-client-auth'],
    // Node.js names only the classic OpenSSL verify codes; newer ones (SHA-1 refused, missing
    // keyCertSign, ...) arrive as UNSPECIFIED. Accept any specific finding as the explanation.
    UNSPECIFIED: [
      'cert.signature.sha1',
      'cert.key.weak',
      'cert.eku.no-server-auth',
      'cert.eku.no-client-auth',
      'cert.validity.expired',
      'cert.validity.not-yet-valid',
    ],
  };
  if ((explainedBy[code] ?? []).some((id) => explained.has(id))) return [];
  return [
    hit('cert.chain.invalid', {
      endpoint: f.endpoint,
      errorCode: code,
      errorMessage,
      chain: chain.map(subjectOf),
    }),
  ];
}

/**
 * The chain exactly as sent, against the order TLS asks for (RFC 5246 §7.4.2; RFC 8446 §4.4.2
 * keeps "leaf first" and asks receivers to tolerate the rest): the path runs from position 0
 * through the sent certificates that issued each other. A certificate off that path is
 * unrelated; an issuer sent before the certificate it issued is out of order.
 */
function sentChainHits(f: CertCheckFacts): Hit[] {
  const sent = f.sent;
  if (!sent?.captured || sent.certificates.length < 2) return [];
  const certs = sent.certificates;
  const label = (i: number) => `${i}: ${certs[i]?.subject || '(empty subject)'}`;
  const sentList = certs.map((_, i) => label(i));
  // Walk the issuer links from the leaf; the path order prefers the nearest issuer sent.
  const pathOrder: number[] = [];
  const onPath = new Set<number>();
  const queue = [0];
  while (queue.length > 0) {
    const i = queue.shift() as number;
    if (onPath.has(i)) continue;
    onPath.add(i);
    pathOrder.push(i);
    const issuers = [...(certs[i]?.issuedBy ?? [])].sort((a, b) => a - b);
    queue.push(...issuers.filter((j) => !onPath.has(j)));
  }
  const hits: Hit[] = [];
  for (const i of pathOrder) {
    const early = (certs[i]?.issuedBy ?? []).filter((j) => j < i && onPath.has(j));
    const first = early[0];
    if (first === undefined) continue;
    hits.push(
      hit('cert.chain.misordered', {
        endpoint: f.endpoint,
        position: first,
        subject: certs[first]?.subject || '(empty subject)',
        issuedPosition: i,
        issuedSubject: certs[i]?.subject || '(empty subject)',
        sent: sentList,
        pathOrder,
      }),
    );
    break; // one finding for the order of one chain
  }
  const off = certs.map((_, i) => i).filter((i) => !onPath.has(i));
  if (off.length > 0) {
    hits.push(
      hit('cert.chain.unrelated', {
        endpoint: f.endpoint,
        count: off.length,
        positions: off,
        unrelated: off.map(label),
        sent: sentList,
        pathOrder,
      }),
    );
  }
  return hits;
}

/** With --insecure, trust and identity problems become one warning each, naming the problem. */
function soften(h: Hit): Hit {
  if (!SOFTENED_BY_INSECURE.has(h.id)) return h;
  const problem = fillTemplate(catalogEntry(h.id).title, h.evidence);
  return hit('cert.check.insecure-skipped', { ...h.evidence, problem, skippedId: h.id });
}

/** Every certificate finding for one endpoint; a healthy certificate yields exactly `cert.check.ok`. */
export function judgeCert(f: CertCheckFacts): Hit[] {
  const leaf = f.chain[0];
  if (!leaf) return [hit('cert.peer.missing', { endpoint: f.endpoint, referenceName: f.referenceName })];
  const nowMs = Date.parse(f.checkedAt);
  const identity = identityHits(f, leaf, { endpoint: f.endpoint, referenceName: f.referenceName });
  const others = [
    ...validityHits(f, f.chain, nowMs),
    ...strengthHits(f, f.chain),
    ...ekuHits(f, leaf),
    ...sentChainHits(f),
  ];
  const explained = new Set<FindingId>(others.map((h) => h.id));
  let hits = [...identity, ...trustHits(f, f.chain, explained), ...others];
  if (f.insecure) hits = hits.map(soften);
  const blocking = hits.some(
    (h) =>
      h.id === 'cert.check.insecure-skipped' ||
      h.id === 'cert.name.cn-only' ||
      catalogEntry(h.id).severity === 'error',
  );
  if (!blocking) {
    const m = matchIdentity(f.referenceName, leaf, f.service);
    hits.push(
      hit('cert.check.ok', {
        endpoint: f.endpoint,
        referenceName: f.referenceName,
        subject: subjectOf(leaf),
        issuer: leaf.issuer,
        matchedVia: m.via,
        matchedValue: m.value,
        wildcard: m.wildcard ?? false,
        notAfter: leaf.notAfter,
        daysLeft: Math.floor((Date.parse(leaf.notAfter) - nowMs) / DAY_MS),
      }),
    );
  }
  return hits;
}

export const certRules: readonly Rule<CertCheckFacts>[] = [judgeCert];
