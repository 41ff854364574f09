/**
 * Service identity matching (RFC 6125 §6, XEP-0178 §3, RFC 6120 §13.7.1.2): does a
 * certificate's identifiers cover a reference identifier? Pure functions, no I/O.
 *
 * xmpp-server: DNS-ID (dNSName), SRV-ID (SRVName `_xmpp-server.<domain>`, RFC 4985) and
 * XmppAddr (id-on-xmppAddr, RFC 6120 §13.7.1.4); CN-ID only as a legacy fallback when the
 * certificate has no DNS/SRV/XmppAddr/URI SAN (RFC 6125 §6.4.4; RFC 9525 drops it).
 * https: DNS-ID and iPAddress SANs (RFC 2818 §3.1); CN-ID fallback as above.
 */
import { domainToASCII } from 'node:url';
import type { CertificateInfo } from '../../facts/cert.js';

export type IdentityService = 'xmpp-server' | 'https';
export type IdentityVia = 'dns-id' | 'srv-id' | 'xmppaddr' | 'cn' | 'ip';

export interface IdentityMatch {
  matched: boolean;
  /** Which identifier type matched. */
  via?: IdentityVia;
  /** The certificate value that matched, as written in the certificate. */
  value?: string;
  /** True when the match used a `*.` wildcard. */
  wildcard?: boolean;
}

/** RFC 6120 §13.7.1.2: the SRV-ID service label for server-to-server XMPP. */
const SRV_SERVICE = '_xmpp-server';

/**
 * Lower-case A-label form of a domain (IDNA via WHATWG URL rules), without a trailing dot.
 * Returns '' when the name cannot be converted (so it never matches).
 */
export function toALabel(name: string): string {
  const trimmed = name.trim().replace(/\.$/, '');
  if (trimmed === '') return '';
  // '*' is not valid in domainToASCII input; convert the rest and keep the wildcard label.
  if (trimmed.startsWith('*.')) {
    const rest = domainToASCII(trimmed.slice(2));
    return rest ? `*.${rest.toLowerCase()}` : '';
  }
  return domainToASCII(trimmed).toLowerCase();
}

/**
 * Compares a presented DNS name (maybe `*.` wildcard) with a reference domain.
 * Wildcard: only the complete left-most label, matching exactly one non-empty label
 * (XEP-0178 §3; RFC 6125 §6.4.3 made partial-label wildcards optional, RFC 9525 forbids them).
 */
export function dnsNameMatches(
  presented: string,
  reference: string,
): { matched: boolean; wildcard: boolean } {
  const ref = toALabel(reference);
  const pres = toALabel(presented);
  if (!ref || !pres) return { matched: false, wildcard: false };
  if (!pres.includes('*')) return { matched: pres === ref, wildcard: false };
  // Any '*' other than a complete left-most label (f*.example.org, a.*.example.org) never matches.
  if (!pres.startsWith('*.') || pres.indexOf('*', 1) !== -1) return { matched: false, wildcard: true };
  const suffix = pres.slice(2);
  // A wildcard must leave at least two labels (no `*.org`), per common CA/B and server practice.
  if (!suffix.includes('.')) return { matched: false, wildcard: true };
  const dot = ref.indexOf('.');
  if (dot <= 0) return { matched: false, wildcard: true };
  return { matched: ref.slice(dot + 1) === suffix, wildcard: true };
}

/** SRV-ID (RFC 4985): `_service.name`; only `_xmpp-server` counts for s2s (RFC 6120 §13.7.1.2.1). */
function srvIdMatches(presented: string, reference: string): { matched: boolean; wildcard: boolean } {
  const lower = presented.trim().toLowerCase();
  const dot = lower.indexOf('.');
  if (dot <= 0 || lower.slice(0, dot) !== SRV_SERVICE) return { matched: false, wildcard: false };
  return dnsNameMatches(lower.slice(dot + 1), reference);
}

/** XmppAddr (RFC 6120 §13.7.1.4): exact domain only; no wildcards; JIDs with '@' or '/' are not server identities. */
function xmppAddrMatches(presented: string, reference: string): boolean {
  if (presented.includes('@') || presented.includes('/') || presented.includes('*')) return false;
  const a = toALabel(presented);
  return a !== '' && a === toALabel(reference);
}

/** Canonical text form of an IP address, or '' when it is not one. */
export function canonicalIp(value: string): string {
  const v = value.trim().replace(/^\[|\]$/g, '');
  // WHATWG URL parsing canonicalises addresses without touching the network (no node:net here,
  // so judge/ stays free of socket modules even transitively).
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(v)) {
    const parts = v.split('.').map(Number);
    return parts.every((n) => n <= 255) ? parts.join('.') : '';
  }
  if (!v.includes(':') || !/^[0-9a-fA-F:.]+$/.test(v)) return '';
  try {
    return new URL(`http://[${v}]/`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return '';
  }
}

/** True when the certificate has a SAN type that rules out the CN fallback (RFC 6125 §6.4.4). */
export function hasIdentitySan(san: CertificateInfo['san'], service: IdentityService): boolean {
  if (san.dns.length > 0 || san.uri.length > 0) return true;
  if (service === 'xmpp-server') return san.srv.length > 0 || san.xmppAddr.length > 0;
  return san.ip.length > 0;
}

/**
 * Does the certificate identify `ref` for `service`? Checks in order of preference:
 * DNS-ID, SRV-ID, XmppAddr (xmpp-server) or iPAddress (https, IP references only),
 * then the CN fallback. Non-wildcard matches are preferred over wildcard ones.
 */
export function matchIdentity(
  ref: string,
  info: Pick<CertificateInfo, 'san' | 'commonNames'>,
  service: IdentityService,
): IdentityMatch {
  const ip = canonicalIp(ref);
  if (ip) {
    // IP references match only iPAddress SANs (RFC 6125 §1.7.2, RFC 2818 §3.1).
    const found = info.san.ip.find((v) => canonicalIp(v) === ip);
    return found ? { matched: true, via: 'ip', value: found, wildcard: false } : { matched: false };
  }
  const candidates: {
    via: IdentityVia;
    value: string;
    test: (v: string) => { matched: boolean; wildcard: boolean };
  }[] = [];
  for (const v of info.san.dns)
    candidates.push({ via: 'dns-id', value: v, test: (x) => dnsNameMatches(x, ref) });
  if (service === 'xmpp-server') {
    for (const v of info.san.srv)
      candidates.push({ via: 'srv-id', value: v, test: (x) => srvIdMatches(x, ref) });
    for (const v of info.san.xmppAddr) {
      candidates.push({
        via: 'xmppaddr',
        value: v,
        test: (x) => ({ matched: xmppAddrMatches(x, ref), wildcard: false }),
      });
    }
  }
  if (!hasIdentitySan(info.san, service)) {
    for (const v of info.commonNames)
      candidates.push({ via: 'cn', value: v, test: (x) => dnsNameMatches(x, ref) });
  }
  let wildcardMatch: IdentityMatch | undefined;
  for (const c of candidates) {
    const r = c.test(c.value);
    if (!r.matched) continue;
    if (!r.wildcard) return { matched: true, via: c.via, value: c.value, wildcard: false };
    wildcardMatch ??= { matched: true, via: c.via, value: c.value, wildcard: true };
  }
  return wildcardMatch ?? { matched: false };
}

/** Every identifier the certificate presents, labelled by type, for finding text ("DNS:example.org"). */
export function presentedNames(
  info: Pick<CertificateInfo, 'san' | 'commonNames'>,
  service: IdentityService,
): string[] {
  const out = [
    ...info.san.dns.map((v) => `DNS:${v}`),
    ...info.san.srv.map((v) => `SRV:${v}`),
    ...info.san.xmppAddr.map((v) => `XmppAddr:${v}`),
    ...info.san.ip.map((v) => `IP:${v}`),
    ...info.san.uri.map((v) => `URI:${v}`),
  ];
  if (!hasIdentitySan(info.san, service)) out.push(...info.commonNames.map((v) => `CN:${v}`));
  return out;
}
