/**
 * Domain names as the dialback roles compare them: `to` checks and the correlation of answers
 * with requests (XEP-0220 §2.3) ignore case and a trailing dot (RFC 7622 §3.2: domainparts
 * compare case-insensitively, a final dot is stripped); JIDs reduce to their domainpart.
 */

function normalise(domain: string): string {
  return domain.toLowerCase().replace(/\.$/, '');
}

/** True when `a` names the same domain as `b`; false when `a` is absent. */
export function sameDomain(a: string | undefined, b: string): boolean {
  return a !== undefined && normalise(a) === normalise(b);
}

/** The domainpart of a JID (RFC 7622 §3.2): what follows '@', before '/', normalised. */
export function domainOfJid(jid: string | undefined): string | undefined {
  if (!jid) return undefined;
  const bare = jid.split('/')[0] as string;
  return normalise(bare.slice(bare.lastIndexOf('@') + 1));
}
