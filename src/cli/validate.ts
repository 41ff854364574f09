/**
 * Input validation for names, hosts and ports. Runs while flags and arguments are parsed,
 * so malformed input exits 2 before any packet is sent. No CLI framework imports here.
 */
import { isIP as netIsIP } from 'node:net';
import { domainToASCII } from 'node:url';
import { UsageError } from './errors.js';
import { shown } from './file-input.js';

export interface DomainName {
  /** As the user typed it (trimmed). */
  input: string;
  /** A-label form used on the wire, lower case, no trailing dot. */
  ascii: string;
  /** True when the input contained non-ASCII (an IDN). */
  idn: boolean;
}

/**
 * net.isIP, but only consults the IPv6 pattern when the text has two colons or more: compiling
 * Node's IPv6 regular expression costs ~4 ms, a measurable part of `xfed check srv` start-up
 * (bench/), and no domain name or host:port can be an IPv6 address.
 */
function isIP(s: string): number {
  const colons = s.split(':').length - 1;
  if (colons === 0) return /^[\d.]+$/.test(s) ? netIsIP(s) : 0;
  return colons >= 2 ? netIsIP(s) : 0;
}

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?$/;

/** Validates a DNS domain name (RFC 1035 lengths, LDH labels; IDNs converted to A-labels). */
export function parseDomain(raw: string, what = 'domain'): DomainName {
  const input = raw.trim();
  if (input.length === 0)
    throw new UsageError(`${what} is empty; expected a domain name such as example.org`);
  if (/\s/.test(input))
    throw new UsageError(
      `${what} "${shown(raw)}" contains white space; expected a domain name such as example.org`,
    );
  const bare = input.replace(/^\[|\]$/g, '');
  if (isIP(bare))
    throw new UsageError(
      `${what} "${shown(input)}" is an IP address; expected a domain name such as example.org`,
    );
  const noDot = input.endsWith('.') ? input.slice(0, -1) : input;
  if (noDot.length === 0 || noDot.startsWith('.') || noDot.includes('..')) {
    throw new UsageError(
      `${what} "${shown(input)}" has an empty label; expected a domain name such as example.org`,
    );
  }
  const idn = /[^\x00-\x7f]/.test(noDot);
  const ascii = idn ? domainToASCII(noDot) : noDot.toLowerCase();
  if (ascii === '')
    throw new UsageError(`${what} "${shown(input)}" is not a valid internationalised domain name`);
  if (ascii.length > 253)
    throw new UsageError(
      `${what} "${shown(input)}" is ${ascii.length} octets long; a domain name has at most 253`,
    );
  for (const label of ascii.split('.')) {
    if (label.length > 63) {
      throw new UsageError(
        `${what} "${shown(input)}" has a label of ${label.length} octets ("${shown(label, 20)}"); a label has at most 63`,
      );
    }
    if (!LABEL.test(label)) {
      throw new UsageError(
        `${what} "${shown(input)}" has an invalid label "${shown(label, 40)}"; labels use letters, digits and inner hyphens`,
      );
    }
  }
  return { input, ascii, idn };
}

/** Validates a TCP/UDP port number 1-65535. */
export function parsePort(raw: string | number, what = 'port'): number {
  const s = String(raw).trim();
  if (!/^\d{1,5}$/.test(s))
    throw new UsageError(`${what} "${shown(String(raw))}" is not a number; expected 1-65535`);
  const n = Number(s);
  if (n < 1 || n > 65535) throw new UsageError(`${what} ${n} is out of range; expected 1-65535`);
  return n;
}

export interface HostPort {
  host: string;
  port: number | undefined;
  /** True when host is an IP literal. */
  isIp: boolean;
}

/** Parses host, host:port, IPv4, IPv4:port, [IPv6], [IPv6]:port or a bare IPv6. */
export function parseHostPort(raw: string, what = 'host', defaultPort?: number): HostPort {
  const s = raw.trim();
  if (s.length === 0) throw new UsageError(`${what} is empty; expected host or host:port`);
  let host = s;
  let port: number | undefined = defaultPort;
  const bracket = /^\[([^\]]+)\](?::(.*))?$/.exec(s);
  if (bracket) {
    host = bracket[1] as string;
    if (bracket[2] !== undefined) port = parsePort(bracket[2], `${what} port`);
    if (isIP(host) !== 6)
      throw new UsageError(`${what} "${shown(raw)}" has brackets but no IPv6 address inside`);
    return { host, port, isIp: true };
  }
  if (isIP(s) === 6) return { host: s, port, isIp: true };
  const colon = s.lastIndexOf(':');
  if (colon >= 0) {
    host = s.slice(0, colon);
    port = parsePort(s.slice(colon + 1), `${what} port`);
  }
  if (isIP(host)) return { host, port, isIp: true };
  return { host: parseDomain(host, what).ascii, port, isIp: false };
}

/** Parses a resolver address: IP or IP:port, default port 53. */
export function parseResolver(raw: string): { host: string; port: number } {
  const hp = parseHostPort(raw, 'resolver', 53);
  if (!hp.isIp)
    throw new UsageError(
      `resolver "${shown(raw)}" must be an IP address (optionally :port), not a host name`,
    );
  return { host: hp.host, port: hp.port ?? 53 };
}

/** Parses a positive duration in milliseconds ("5000", "5s", "500ms"). */
export function parseDurationMs(raw: string, what = 'timeout'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s)?$/.exec(raw.trim());
  if (!m)
    throw new UsageError(
      `${what} "${shown(raw)}" is not a duration; expected milliseconds such as 5000 (or 5s)`,
    );
  const n = Number(m[1]) * (m[2] === 's' ? 1000 : 1);
  if (!Number.isFinite(n) || n < 1 || n > 600_000)
    throw new UsageError(`${what} ${shown(raw)} is out of range; expected 1 ms to 600 s`);
  return Math.round(n);
}
