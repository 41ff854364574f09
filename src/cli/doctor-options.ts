/**
 * Command-line input of `xfed doctor` turned into gather options, validated before any
 * traffic (a problem is a UsageError: exit 2). Reuses the loaders of the commands it
 * replaces: --ca files, --cert/--key, and prepareDialback for --listen.
 */
import type { DoctorOptions } from '../gather/doctor.js';
import { loadCaFiles } from './ca-files.js';
import { DEFAULT_TIMEOUT_MS } from './defaults.js';
import { type DialbackFlags, prepareDialback } from './dialback-options.js';
import { UsageError } from './errors.js';
import { caSource } from './file-input.js';
import { clientCertFacts, loadKeyPair } from './key-pair.js';
import type { DomainName, HostPort } from './validate.js';

export interface DoctorFlags {
  as?: DomainName | undefined;
  cert?: string | undefined;
  key?: string | undefined;
  ca?: string[] | undefined;
  listen?: HostPort | undefined;
  resolver?: { host: string; port: number }[] | undefined;
  timeout?: number | undefined;
  'callback-timeout'?: number | undefined;
  'warn-days': number;
}

export async function prepareDoctor(
  peer: DomainName,
  f: DoctorFlags,
): Promise<{ opts: DoctorOptions; timeoutMs: number; options: Record<string, unknown>; secrets: string[] }> {
  if (f.as && f.as.ascii === peer.ascii) {
    throw new UsageError(
      `the peer and --as are both ${peer.ascii}; doctor checks a pair of different domains`,
    );
  }
  if (!f.as && (f.cert !== undefined || f.key !== undefined)) {
    throw new UsageError('--cert/--key are the certificate of your domain: give --as <your domain> too');
  }
  if (!f.as && f.listen)
    throw new UsageError('--listen needs --as <your domain> (the domain the peer calls back)');
  const timeoutMs = f.timeout ?? DEFAULT_TIMEOUT_MS;
  const opts: DoctorOptions = {
    peer: peer.ascii,
    caPems: await loadCaFiles(caSource(f.ca), timeoutMs),
    warnDays: f['warn-days'],
  };
  if (f.resolver?.length) opts.resolvers = f.resolver;
  let secrets: string[] = [];
  if (f.as) {
    opts.our = f.as.ascii;
    const pair = await loadKeyPair(f, f.as.ascii, timeoutMs);
    if (pair) opts.clientTls = { cert: pair.cert, key: pair.key, facts: clientCertFacts(pair) };
    if (f.listen) {
      const dialbackFlags: DialbackFlags = { as: f.as, listen: f.listen };
      for (const k of ['cert', 'key', 'ca', 'resolver', 'timeout', 'callback-timeout'] as const) {
        if (f[k] !== undefined) (dialbackFlags as unknown as Record<string, unknown>)[k] = f[k];
      }
      const d = await prepareDialback(peer, dialbackFlags);
      opts.dialback = {
        listen: d.opts.listen,
        secret: d.opts.secret,
        resultTimeoutMs: d.opts.resultTimeoutMs,
        ...(d.opts.serverTls ? { serverTls: d.opts.serverTls } : {}),
      };
      secrets = d.secrets;
    }
  }
  const options: Record<string, unknown> = {
    as: f.as?.ascii ?? null,
    cert: f.cert ?? null,
    ca: f.ca ?? [],
    listen: f.listen
      ? `${f.listen.host.includes(':') ? `[${f.listen.host}]` : f.listen.host}:${f.listen.port ?? 5269}`
      : null,
    resolvers: f.resolver?.map((r) => `${r.host}:${r.port}`) ?? 'resolv.conf',
    warnDays: f['warn-days'],
    timeoutMs,
  };
  return { opts, timeoutMs, options, secrets };
}
