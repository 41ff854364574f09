/** `xfed serve`: a Prometheus exporter in the style of blackbox_exporter (issue 12). */
import { open } from 'node:fs/promises';
import * as Flags from '@oclif/core/flags';
import { outputFormat, XfedCommand } from '../cli/base-command.js';
import { loadCaFiles } from '../cli/ca-files.js';
import { UsageError } from '../cli/errors.js';
import { concurrencyFlag, domainFlag, durationFlag, resolverFlag } from '../cli/flags.js';
import { clientCertFacts, loadKeyPair } from '../cli/key-pair.js';
import { parseDomain, parseDurationMs, parseHostPort, parsePort, parseResolver } from '../cli/validate.js';
import { endpointOf } from '../gather/tls-target.js';
import type { ModuleConfig } from '../serve/modules.js';

/** Largest --config file read. */
const MAX_CONFIG_BYTES = 1024 * 1024;

/** The keys a --config file may hold (JSON); a flag given on the command line wins. */
interface ConfigFile {
  listen?: string;
  allow?: string[];
  ca?: string[];
  as?: string[];
  cert?: string;
  key?: string;
  resolver?: string[];
  concurrency?: number;
  'max-queue'?: number;
  'probe-timeout'?: string | number;
  timeout?: string | number;
  'timeout-offset'?: string | number;
  'cache-ttl'?: string | number;
  'warn-days'?: number;
  grace?: string | number;
}

const CONFIG_KEYS = new Set([
  'listen',
  'allow',
  'ca',
  'as',
  'cert',
  'key',
  'resolver',
  'concurrency',
  'max-queue',
  'probe-timeout',
  'timeout',
  'timeout-offset',
  'cache-ttl',
  'warn-days',
  'grace',
]);

async function readConfig(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new UsageError(`--config ${path} is not a regular file`);
      if (st.size > MAX_CONFIG_BYTES) {
        throw new UsageError(`--config ${path} is ${st.size} bytes; at most ${MAX_CONFIG_BYTES} are read`);
      }
      const buf = Buffer.alloc(Math.min(st.size, MAX_CONFIG_BYTES));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`--config ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`--config ${path} is not JSON: ${(e as Error).message}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new UsageError(`--config ${path} must hold one JSON object`);
  }
  for (const k of Object.keys(doc)) {
    if (!CONFIG_KEYS.has(k)) throw new UsageError(`--config ${path}: unknown key "${k}"`);
  }
  return doc as ConfigFile;
}

function strings(v: unknown, key: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) {
    throw new UsageError(`--config: "${key}" must be a list of strings`);
  }
  return v as string[];
}

function duration(v: string | number | undefined, what: string): number | undefined {
  return v === undefined ? undefined : parseDurationMs(String(v), what);
}

/** ip:port to listen on; port 0 picks a free port (printed on start). */
function parseListen(raw: string): { host: string; port: number } {
  const m = /^(.*):0$/.exec(raw.trim());
  const hp = m ? { ...parseHostPort(m[1] as string, '--listen'), port: 0 } : parseHostPort(raw, '--listen');
  if (hp.port === undefined) throw new UsageError(`--listen "${raw}" needs a port, e.g. 127.0.0.1:9797`);
  if (hp.port !== 0) parsePort(hp.port, '--listen port');
  return { host: hp.host, port: hp.port };
}

export default class Serve extends XfedCommand {
  static override summary =
    'Run a Prometheus exporter: GET /probe?module=srv|tls|doctor&target=<domain> runs that check.';
  static override description =
    'Answers in the Prometheus text format, like blackbox_exporter: xfed_probe_success, xfed_probe_duration_seconds, per-step durations, xfed_cert_not_after_timestamp_seconds, xfed_srv_targets and xfed_finding{id,severity,target}. Only targets matching --allow are probed (403 otherwise). GET /metrics has the exporter\u2019s own metrics. SIGTERM stops it gracefully. See docs/monitoring.md.';
  static override examples = [
    '<%= config.bin %> serve --listen 127.0.0.1:9797 --allow example.org --allow "*.example.net"',
    '<%= config.bin %> serve --listen [::1]:9797 --allow "*" --as chat.example.org --ca private-root.pem',
    '<%= config.bin %> serve --config /etc/xfed/serve.json',
  ];
  static override flags = {
    listen: Flags.string({
      description: 'ip:port to listen on (port 0: any free port)',
      helpValue: '<ip:port>',
    }),
    allow: Flags.string({
      multiple: true,
      description:
        'domain pattern the exporter may probe: example.org, *.example.org or *; repeatable, required',
    }),
    config: Flags.string({ description: 'JSON file with any of these flags as keys (flags win)' }),
    ca: Flags.string({ multiple: true, description: 'extra trust anchor file (PEM or DER); repeatable' }),
    as: domainFlag({
      multiple: true,
      description: 'our domain(s); the first is the default for the as= parameter, others are refused',
    }),
    cert: Flags.string({
      description: 'certificate chain (PEM) of our domain, for modules that present one',
    }),
    key: Flags.string({ description: 'private key (PEM) matching --cert' }),
    resolver: resolverFlag({ multiple: true, description: 'resolver ip[:port] (default: /etc/resolv.conf)' }),
    concurrency: concurrencyFlag({ description: 'probes running at the same time (default 16)' }),
    'max-queue': Flags.integer({
      min: 0,
      max: 100_000,
      description: 'requests waiting for a probe slot (default 256); more get 503',
    }),
    'probe-timeout': durationFlag({
      description: 'deadline of a whole probe without a scrape timeout header (default 10s)',
    }),
    'timeout-offset': durationFlag({
      description: 'taken off X-Prometheus-Scrape-Timeout-Seconds (default 500ms)',
    }),
    'cache-ttl': Flags.string({
      description: 'reuse a finished probe this long, e.g. 10s (default 10s; 0 disables)',
    }),
    'warn-days': Flags.integer({
      min: 0,
      max: 3650,
      description: 'certificate expiry warning, in days (default 30)',
    }),
    grace: durationFlag({ description: 'on SIGTERM, how long running probes may finish (default 10s)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Serve);
    const format = outputFormat(flags);
    if (format !== 'text')
      throw new UsageError(`serve answers in the Prometheus text format; --format ${format} does not apply`);
    const file = flags.config ? await readConfig(flags.config) : {};
    const listenRaw = flags.listen ?? file.listen;
    if (!listenRaw) throw new UsageError('missing --listen <ip:port> (or "listen" in --config)');
    const listen = parseListen(listenRaw);
    const { parseAllowPattern } = await import('../serve/allow.js');
    const allowRaw = flags.allow ?? strings(file.allow, 'allow') ?? [];
    if (allowRaw.length === 0) {
      throw new UsageError(
        'missing --allow <domain pattern>: the exporter only probes domains you allow (e.g. --allow example.org --allow "*.example.net")',
      );
    }
    const allow = allowRaw.map(parseAllowPattern);
    const caFiles = flags.ca ?? strings(file.ca, 'ca') ?? [];
    const as =
      flags.as?.map((d) => d.ascii) ?? (strings(file.as, 'as') ?? []).map((d) => parseDomain(d, 'as').ascii);
    const resolvers = flags.resolver ?? strings(file.resolver, 'resolver')?.map(parseResolver);
    const cacheTtl = flags['cache-ttl'] ?? file['cache-ttl'];
    const cacheTtlMs =
      cacheTtl === undefined
        ? 10_000
        : String(cacheTtl).trim() === '0'
          ? 0
          : parseDurationMs(String(cacheTtl), '--cache-ttl');
    const cert = flags.cert ?? file.cert;
    const key = flags.key ?? file.key;
    const config = {
      caPems: await loadCaFiles(caFiles),
      as,
      warnDays: flags['warn-days'] ?? file['warn-days'] ?? 30,
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(resolvers ? { resolvers } : {}),
      ...(await clientTlsFor(cert, key, as[0])),
    };
    const { Exporter } = await import('../serve/server.js');
    const exporter = new Exporter({
      allow,
      config,
      concurrency: flags.concurrency ?? file.concurrency ?? 16,
      maxQueue: flags['max-queue'] ?? file['max-queue'] ?? 256,
      probeTimeoutMs: flags['probe-timeout'] ?? duration(file['probe-timeout'], 'probe-timeout') ?? 10_000,
      stepTimeoutMs: flags.timeout ?? duration(file.timeout, 'timeout') ?? 10_000,
      timeoutOffsetMs: flags['timeout-offset'] ?? duration(file['timeout-offset'], 'timeout-offset') ?? 500,
      cacheTtlMs,
    });
    const graceMs = flags.grace ?? duration(file.grace, 'grace') ?? 10_000;
    let addr: { address: string; port: number };
    try {
      addr = await exporter.listen(listen.host, listen.port);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? (e as Error).message;
      throw new UsageError(`--listen ${endpointOf(listen.host, listen.port)}: cannot listen (${code})`);
    }
    process.stderr.write(
      `xfed serve: listening on http://${endpointOf(addr.address, addr.port)}/ (allow: ${allow.map((a) => a.pattern).join(', ')})\n`,
    );
    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        process.stderr.write(`xfed serve: ${signal}, finishing running probes (at most ${graceMs} ms)\n`);
        exporter.shutdown(graceMs).then(resolve, resolve);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    process.stderr.write('xfed serve: stopped\n');
    // Probes cut off by the grace period may still hold sockets until their step deadlines.
    setTimeout(() => process.exit(process.exitCode ?? 0), 100).unref();
  }
}

/** --cert/--key read once at start-up (a bad file is a usage error before listening). */
async function clientTlsFor(
  cert: string | undefined,
  key: string | undefined,
  ourDomain: string | undefined,
): Promise<{ clientTls?: NonNullable<ModuleConfig['clientTls']> }> {
  const pair = await loadKeyPair({ cert, key }, ourDomain ?? 'our domain');
  return pair ? { clientTls: { cert: pair.cert, key: pair.key, facts: clientCertFacts(pair) } } : {};
}
