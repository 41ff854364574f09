/**
 * Command-line input of the dialback commands turned into run options, validated before any
 * traffic (bad input is a UsageError: exit 2, one line): --listen must be an IP address,
 * --cert and --key come together and must load as a TLS key pair, --ca files must hold
 * certificates. Secrets never come from flags: `dialback` makes a random one per run,
 * `dialback key` reads XFED_DIALBACK_SECRET or --secret-stdin.
 */
import type { DialbackKeyInput, DialbackNetOptions, DialbackOptions } from '../gather/dialback.js';
import { S2S_DEFAULT_PORT } from '../gather/srv.js';
import { randomSecret } from '../protocol/dialback/keys.js';
import { loadCaFiles } from './ca-files.js';
import { DEFAULT_TIMEOUT_MS } from './defaults.js';
import { UsageError } from './errors.js';
import { caSource } from './file-input.js';
import { loadKeyPair } from './key-pair.js';
import { readSecret } from './secret.js';
import type { DomainName, HostPort } from './validate.js';

/** Default wait for the peer's answer, which spans its callback: Cisco XCP's dialback timeout is 30 s. */
export const DEFAULT_CALLBACK_TIMEOUT_MS = 30_000;

export interface CommonDialbackFlags {
  as: DomainName;
  cert?: string;
  key?: string;
  ca?: string[];
  resolver?: { host: string; port: number }[];
  timeout?: number;
}

export interface DialbackFlags extends CommonDialbackFlags {
  listen?: HostPort;
  'callback-timeout'?: number;
  'request-client-cert'?: boolean;
}

export interface Prepared<O> {
  opts: O;
  timeoutMs: number;
  /** For the report's `options` (no secrets). */
  options: Record<string, unknown>;
  /** Values the transcript must redact. */
  secrets: string[];
}

async function common(peer: DomainName, f: CommonDialbackFlags) {
  if (peer.ascii === f.as.ascii)
    throw new UsageError(`the peer and --as are both ${peer.ascii}; dialback needs two different domains`);
  const timeoutMs = f.timeout ?? DEFAULT_TIMEOUT_MS;
  const ca = caSource(f.ca);
  const caPems = await loadCaFiles(ca, timeoutMs);
  const pair = await loadKeyPair(f, f.as.ascii, timeoutMs);
  const net: DialbackNetOptions = { our: f.as.ascii, caPems };
  if (f.resolver?.length) net.resolvers = f.resolver;
  // A server presents its certificate on outgoing connections too.
  if (pair) net.clientTls = { cert: pair.cert, key: pair.key, file: pair.file };
  const options: Record<string, unknown> = {
    as: f.as.ascii,
    cert: f.cert ?? null,
    ca: ca.paths,
    resolvers: f.resolver?.map((r) => `${r.host}:${r.port}`) ?? 'resolv.conf',
  };
  return { net, pair, options, timeoutMs };
}

/** `xfed dialback`: listener address, certificates, a fresh secret and the two deadlines. */
export async function prepareDialback(
  peer: DomainName,
  f: DialbackFlags,
): Promise<Prepared<DialbackOptions>> {
  const c = await common(peer, f);
  const listen = f.listen ?? { host: '0.0.0.0', port: S2S_DEFAULT_PORT, isIp: true };
  if (!listen.isIp) {
    throw new UsageError(
      `--listen ${listen.host}: expected an IP address to listen on (ip:port, [ipv6]:port), not a host name`,
    );
  }
  // Without --callback-timeout: Cisco's 30 s, or three step deadlines when --timeout is given
  // (the callback spans the peer's DNS lookup, connect and TLS).
  const resultTimeoutMs =
    f['callback-timeout'] ??
    (f.timeout !== undefined ? Math.min(3 * f.timeout, 600_000) : DEFAULT_CALLBACK_TIMEOUT_MS);
  const secret = randomSecret();
  const opts: DialbackOptions = {
    ...c.net,
    listen: { host: listen.host, port: listen.port ?? S2S_DEFAULT_PORT },
    secret,
    resultTimeoutMs,
  };
  if (c.pair) opts.serverTls = c.pair;
  if (f['request-client-cert']) opts.requestClientCert = true;
  const options = {
    ...c.options,
    requestClientCert: f['request-client-cert'] === true,
    listen: `${listen.host.includes(':') ? `[${listen.host}]` : listen.host}:${opts.listen.port}`,
    timeoutMs: c.timeoutMs,
    callbackTimeoutMs: resultTimeoutMs,
  };
  return { opts, timeoutMs: c.timeoutMs, options, secrets: [secret] };
}

/** `xfed dialback verify`: no listener, no secret. */
export async function prepareDialbackVerify(
  peer: DomainName,
  f: CommonDialbackFlags,
): Promise<Prepared<DialbackNetOptions>> {
  const c = await common(peer, f);
  return {
    opts: c.net,
    timeoutMs: c.timeoutMs,
    options: { ...c.options, timeoutMs: c.timeoutMs },
    secrets: [],
  };
}

export interface KeyFlags {
  receiving: DomainName;
  originating: DomainName;
  'stream-id': string;
  key?: string;
  'secret-stdin'?: boolean;
}

/** `xfed dialback key`: the triple, the observed key and the secret (env or stdin, never argv). */
export async function prepareDialbackKey(f: KeyFlags): Promise<Prepared<DialbackKeyInput>> {
  const streamId = f['stream-id'].trim();
  if (streamId === '' || /\s/.test(streamId)) {
    throw new UsageError(
      `--stream-id "${f['stream-id']}" must be the stream id from the log, without spaces`,
    );
  }
  if (f.key !== undefined && f.key.trim() === '')
    throw new UsageError('--key is empty; give the key from the log line');
  const secret = await readSecret({
    envVar: 'XFED_DIALBACK_SECRET',
    stdinFlag: '--secret-stdin',
    fromStdin: f['secret-stdin'] === true,
    promptLabel: `Dialback secret of ${f.originating.ascii}`,
    what: 'dialback secret',
  });
  const opts: DialbackKeyInput = {
    receiving: f.receiving.ascii,
    originating: f.originating.ascii,
    streamId,
    secret,
  };
  if (f.key !== undefined) opts.observed = f.key;
  return {
    opts,
    timeoutMs: 0,
    options: { receiving: opts.receiving, originating: opts.originating, streamId, key: f.key !== undefined },
    secrets: [secret],
  };
}
