/**
 * Command-line input of `probe tls` turned into targets and probe options, validated before
 * any traffic (a problem is a UsageError: exit 2, one line). gather/tls.ts takes the result
 * and never sees the oclif flags object.
 */

import { S2S_DEFAULT_PORT } from '../gather/srv.js';
import {
  DIRECT_TLS_DEFAULT_PORT,
  endpointOf,
  type TlsProbeOptions,
  type TlsTarget,
} from '../gather/tls-target.js';
import { loadCaFiles } from './ca-files.js';
import { DEFAULT_TIMEOUT_MS } from './defaults.js';
import { collectEntries, type EntryList } from './domain-list.js';
import { UsageError } from './errors.js';
import { caSource, shown } from './file-input.js';
import { clientCertFacts, loadKeyPair } from './key-pair.js';
import type { DomainName, HostPort } from './validate.js';
import { parseDomain, parseHostPort } from './validate.js';

export interface TargetFlags {
  domain?: DomainName;
  connect?: HostPort;
  port?: number;
  directTls: boolean;
}

/**
 * Decides what a target means (validation only, no traffic):
 * - with --connect, the target is the XMPP domain and the connection goes to --connect;
 * - host:port, an IP address, or any target when --domain, --port or --direct-tls is given
 *   is a host to connect to directly (the domain is --domain, else the host itself);
 * - otherwise the target is a domain, resolved through SRV like a sending server would.
 */
export function planTarget(raw: string, f: TargetFlags): TlsTarget {
  const input = raw.trim();
  const port = defaultPort(f);
  if (f.connect) {
    // With --domain as well, the target only names the connection (e.g. the host behind
    // --connect); it is still validated, so a typo is a usage error rather than a report label.
    if (f.domain) parseHostPort(input, 'target');
    const domain = f.domain?.ascii ?? parseDomain(input, 'target').ascii;
    return {
      input,
      report: f.domain ? input : domain,
      kind: 'host',
      domain,
      host: f.connect.host,
      port: f.connect.port ?? f.port ?? port,
      directTls: f.directTls,
      viaConnect: true,
    };
  }
  const hp = parseHostPort(input, 'target');
  const isHost =
    hp.port !== undefined || hp.isIp || f.domain !== undefined || f.port !== undefined || f.directTls;
  if (!isHost)
    return { input, report: hp.host, kind: 'domain', domain: hp.host, directTls: false, viaConnect: false };
  if (hp.isIp && !f.domain) {
    throw new UsageError(
      `target "${shown(input)}" is an IP address; give the XMPP domain it serves with --domain <name> (used for the stream, SNI and the certificate check)`,
    );
  }
  return {
    input,
    report: input,
    kind: 'host',
    domain: f.domain?.ascii ?? hp.host,
    host: hp.host,
    port: hp.port ?? f.port ?? port,
    directTls: f.directTls,
    viaConnect: false,
  };
}

/** The command's flags as oclif parsed them (see commands/probe/tls.ts). */
export interface TlsProbeFlags {
  domain?: DomainName | undefined;
  connect?: HostPort | undefined;
  port?: number | undefined;
  from?: DomainName | undefined;
  ca?: string[] | undefined;
  'direct-tls': boolean;
  'warn-days': number;
  'all-targets': boolean;
  first?: boolean | undefined;
  resolver?: { host: string; port: number }[] | undefined;
  file?: string | undefined;
  timeout?: number | undefined;
  cert?: string | undefined;
  key?: string | undefined;
}

/**
 * Validates everything before any traffic (targets, --file, --ca): a problem is a UsageError
 * (exit 2). Returns the targets in input order, the probe options and the report's `options`.
 */
export async function prepareTlsProbe(
  argv: readonly string[],
  flags: TlsProbeFlags,
): Promise<{
  targets: EntryList<TlsTarget>;
  opts: TlsProbeOptions;
  options: Record<string, unknown>;
  timeoutMs: number;
}> {
  const tf: TargetFlags = {
    domain: flags.domain,
    connect: flags.connect,
    port: flags.port,
    directTls: flags['direct-tls'] === true,
  };
  const targets = await collectEntries(
    argv,
    flags.file,
    (t) => planTarget(t, tf),
    'missing target; give one or more XMPP domains (or host:port with --domain), or --file <path>',
    'target',
    flags.timeout ?? DEFAULT_TIMEOUT_MS,
  );
  const timeoutMs = flags.timeout ?? DEFAULT_TIMEOUT_MS;
  const ca = caSource(flags.ca);
  const opts: TlsProbeOptions = {
    caPems: await loadCaFiles(ca, timeoutMs),
    warnDays: flags['warn-days'],
    // Every target by default (issue 13); --all-targets stays accepted, --first is the old order.
    allTargets: flags.first !== true,
  };
  if (flags.from) opts.from = flags.from.ascii;
  if (flags.cert !== undefined || flags.key !== undefined) {
    if (!flags.from) {
      throw new UsageError(
        '--cert/--key need --from <our domain>: the stream from and the SASL EXTERNAL authorization identity (XEP-0178)',
      );
    }
    const pair = await loadKeyPair(flags, flags.from.ascii, timeoutMs);
    if (pair) opts.clientTls = { cert: pair.cert, key: pair.key, facts: clientCertFacts(pair) };
  }
  if (flags.resolver) opts.resolvers = flags.resolver;
  const options: Record<string, unknown> = {
    domain: flags.domain?.ascii,
    connect: flags.connect
      ? endpointOf(flags.connect.host, flags.connect.port ?? tf.port ?? defaultPort(tf))
      : undefined,
    port: flags.port,
    from: opts.from,
    ca: ca.paths.length > 0 ? ca.paths : undefined,
    cert: flags.cert,
    directTls: tf.directTls,
    warnDays: opts.warnDays,
    allTargets: opts.allTargets,
    resolvers: flags.resolver?.map((r) => endpointOf(r.host, r.port)),
    timeoutMs,
  };
  for (const k of Object.keys(options)) if (options[k] === undefined) delete options[k];
  return { targets, opts, options, timeoutMs };
}

function defaultPort(f: TargetFlags): number {
  return f.directTls ? DIRECT_TLS_DEFAULT_PORT : S2S_DEFAULT_PORT;
}
