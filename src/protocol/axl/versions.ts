/**
 * AXL schema versions (protocol notes §4.1): the version goes into SOAPAction and the request
 * namespace; a server that does not support it answers 599 "Incorrect axl version. Supported
 * axl versions are …". This file parses that list and picks the next version to try.
 */

/** Newest schema xfed knows; tried first when --axl-version is not given. */
export const DEFAULT_AXL_VERSION = '15.0';

/** Versions AXL has shipped, newest first (13 was skipped; notes §4.1 version matrix). */
export const KNOWN_AXL_VERSIONS: readonly string[] = [
  '15.0',
  '14.0',
  '12.5',
  '12.0',
  '11.5',
  '11.0',
  '10.5',
  '10.0',
  '9.1',
  '9.0',
  '8.5',
  '8.0',
];

/** At most this many getCCMVersion attempts while negotiating. */
export const MAX_VERSION_ATTEMPTS = 4;

const VERSION = /^\d{1,2}\.\d{1,2}$/;

/** True for a version written as major.minor, e.g. 14.0 or 12.5. */
export function isAxlVersion(s: string): boolean {
  return VERSION.test(s);
}

/** Orders versions numerically, newest first. */
export function compareVersionsDesc(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return bm - am || bn - an;
}

/**
 * Reads "Supported axl versions are 12.x, 14.0 and 15.0" (any case, any separators).
 * "12.x" stands for every known 12 minor (12.5, 12.0). Returns [] when the sentence is absent.
 */
export function parseSupportedVersions(text: string): string[] {
  const m = /supported\s+axl\s+versions?\s+(?:are|is)\s*:?\s*([0-9x.,\sand]+)/i.exec(text);
  if (!m) return [];
  const out = new Set<string>();
  for (const tok of (m[1] as string).match(/\d{1,2}\.(?:\d{1,2}|x)/gi) ?? []) {
    const [major, minor] = tok.toLowerCase().split('.') as [string, string];
    if (minor === 'x') {
      const known = KNOWN_AXL_VERSIONS.filter((v) => v.startsWith(`${Number(major)}.`));
      for (const v of known.length > 0 ? known : [`${Number(major)}.0`]) out.add(v);
    } else {
      out.add(`${Number(major)}.${Number(minor)}`);
    }
  }
  return [...out].sort(compareVersionsDesc);
}

/** True when a body says the requested AXL version is wrong. */
export function isVersionRejection(text: string): boolean {
  return /incorrect\s+axl\s+version/i.test(text) || /supported\s+axl\s+versions?\s+(?:are|is)/i.test(text);
}

/**
 * The version to try after `tried` were rejected: the newest supported one not yet tried, or,
 * when the server listed none, the next known version below the last one tried.
 */
export function nextVersion(tried: readonly string[], supported: readonly string[]): string | undefined {
  const fresh = (v: string) => !tried.includes(v);
  if (supported.length > 0) return [...supported].sort(compareVersionsDesc).find(fresh);
  const last = tried[tried.length - 1];
  return KNOWN_AXL_VERSIONS.find((v) => fresh(v) && (last === undefined || compareVersionsDesc(v, last) > 0));
}
