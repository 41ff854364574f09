/**
 * The interop lab: real Prosody, ejabberd and dnsmasq in a private network namespace, with a
 * test CA made at set-up. Each test file starts its own lab (a unique namespace per process, so
 * files can run in parallel) and stops it in `after`; see docs/interop-lab.md.
 *
 *   describe('probe tls against real servers', labSuiteOptions(), () => {
 *     let lab: Lab;
 *     before(async () => { lab = await startLab({ scenarios: ['expired.test'] }); });
 *     after(async () => { await lab?.stop(); });
 *     it('...', async () => { const r = await lab.run(['probe', 'tls', 'expired.test', '--json']); });
 *   });
 */
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  chmodSync,
  constants,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CliResult } from '../../helpers/cli.js';
import { createLabCa, type LabCa, type LeafCert } from './ca.js';
import { type DnsRecord, writeDnsmasqConfig } from './dnsmasq.js';
import { startEjabberd } from './ejabberd.js';
import { type ExecOptions, type ExecResult, execCommand } from './exec.js';
import { JABBERD2_ROUTER_PORT, startJabberd2 } from './jabberd2.js';
import {
  createNamespace,
  destroyNamespace,
  destroyNamespaceSync,
  reapStaleNamespaces,
  type SpawnedProcess,
  spawnInNamespace,
  uniqueNamespaceName,
} from './netns.js';
import { startProsody } from './prosody.js';
import {
  DNS_IP,
  JABBERD2_SECRET,
  SCENARIO_NAMES,
  SCENARIOS,
  type ScenarioName,
  type ScenarioSpec,
  type ServerKind,
  XFED_DOMAIN,
} from './scenarios.js';
import { hasServiceUser } from './users.js';

export type { CertProfile, LeafCert } from './ca.js';
export type { DnsRecord } from './dnsmasq.js';
export type { ExecResult } from './exec.js';
export {
  DNS_IP,
  JABBERD2_SECRET,
  NXDOMAIN_NAME,
  SCENARIO_NAMES,
  type ScenarioName,
  type ServerKind,
  XFED_DOMAIN,
} from './scenarios.js';

const REPO = fileURLToPath(new URL('../../..', import.meta.url));
const BIN = join(REPO, 'bin/run.js');
const HELPER = fileURLToPath(new URL('./ns-helper.mjs', import.meta.url));
/** The in-namespace helper script (`node NS_HELPER silent <ip> <port>` is the silent listener). */
export const NS_HELPER = HELPER;

/** A scenario as started: where it lives, what it serves, where its log is. */
export interface ScenarioInfo {
  name: ScenarioName;
  domain: string;
  description: string;
  server: ServerKind;
  /** Host other servers connect to (SRV target, or the domain itself without SRV). */
  host: string;
  /** 127.0.0.x inside the namespace; "" when the host resolves nowhere. */
  address: string;
  port: number;
  tls?: 'required' | 'optional' | 'none';
  secureAuth: boolean;
  dialback: boolean;
  /** The server's dialback secret, where the lab sets one (jabberd2). */
  dialbackSecret?: string;
  /** Other sockets its server listens on (jabberd2's router, the second s2s node, ejabberd's Erlang distribution), as ip:port. */
  extraListeners?: string[];
  /** The certificate the server presents (files, names, validity). */
  cert?: LeafCert;
  /** The DNS records the lab serves for this scenario. */
  dns: DnsRecord[];
  /** The server's own log, when a server runs. */
  logFile?: string;
  /** True when its server was started (false with `servers: false`, or for DNS-only scenarios). */
  running: boolean;
}

export interface StreamHello {
  /**
   * features: header and features came back (and STARTTLS was not asked for or not offered);
   * tls-features: STARTTLS done and the restarted stream's features came back; stream-error;
   * silent: connected but nothing complete in time; refused; closed; reset; starttls-failure;
   * tls-error: the handshake failed; too-much-data: 64 KiB without a complete answer.
   */
  outcome:
    | 'features'
    | 'tls-features'
    | 'stream-error'
    | 'silent'
    | 'connect-timeout'
    | 'refused'
    | 'closed'
    | 'reset'
    | 'starttls-failure'
    | 'tls-error'
    | 'too-much-data';
  connected: boolean;
  /** Everything received before TLS (at most 64 KiB). */
  received: string;
  /** Everything received after the TLS handshake (at most 64 KiB), when STARTTLS was done. */
  tlsReceived?: string;
  /** Whether the server's chain verified against `tls.caFile` (node:tls), when STARTTLS was done. */
  authorized?: boolean;
  authorizationError?: string;
  /** With `send`: the peer closed the connection after it. */
  closedAfterSend?: boolean;
  error?: string;
  durationMs: number;
}

/** STARTTLS options for streamHello: present a client certificate, verify against a CA. */
export interface HelloTls {
  /** Default: the lab root CA. */
  caFile?: string;
  certFile?: string;
  keyFile?: string;
}

export interface HelloTarget {
  domain: string;
  address?: string;
  port?: number;
  /** The `from` of the stream header; default xfed.test. */
  from?: string;
  /** Deadline for the whole exchange; default 3 s. */
  timeoutMs?: number;
  tls?: HelloTls;
  /** Written after the last features (plain, or after TLS); then reading goes on for readMs. */
  send?: string;
  /** How long to read after `send`; default 1 s. */
  readMs?: number;
}

export interface TlsPeek {
  /** PEM certificates the server sent, leaf first (openssl s_client -showcerts). */
  chain: string[];
  /** openssl's verdict against the lab root CA, e.g. "0 (ok)" or "10 (certificate has expired)". */
  verify: string;
  /** Negotiated protocol, e.g. TLSv1.3. */
  protocol: string;
  /** Full s_client output, for debugging. */
  output: string;
}

export interface Lab {
  /** Network namespace name (unique per lab). */
  ns: string;
  /** Temp dir with configs, logs, data and the CA; removed by stop() unless XFED_LAB_KEEP=1. */
  dir: string;
  /** The lab resolver inside the namespace (dnsmasq on port 53). */
  dnsIp: string;
  domains: Record<ScenarioName, ScenarioInfo>;
  /** The lab root CA (PEM): the only trust anchor. */
  caPem: string;
  caFile: string;
  /** The intermediate CA every normal leaf is issued by. */
  intermediateFile: string;
  /** Certificate and key for xfed's own domain (xfed.test), for an `xfed dialback` listener. */
  xfedCert: LeafCert;
  /** Milliseconds startLab took. */
  startupMs: number;
  /** Runs the built CLI (`node bin/run.js ...args`) inside the namespace. */
  run(
    args: readonly string[],
    opts?: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string },
  ): Promise<CliResult>;
  /** Runs any command inside the namespace. */
  exec(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running process inside the namespace (ended by stop()); output goes to dir/<logName>. */
  spawn(
    argv: readonly string[],
    logName: string,
    env?: NodeJS.ProcessEnv,
  ): SpawnedProcess & { logFile: string };
  /**
   * One s2s stream-header exchange from inside the namespace (defaults: the scenario's address
   * and port, from xfed.test); with `tls`, also STARTTLS and the features after it.
   */
  streamHello(target: HelloTarget): Promise<StreamHello>;
  /** STARTTLS with `openssl s_client -starttls xmpp-server` and report the chain the server sent. */
  peekTls(target: { domain: string; address?: string; port?: number; timeoutMs?: number }): Promise<TlsPeek>;
  /** Last lines of a log file (scenario log, dnsmasq query log, ...). */
  logTail(file: string, lines?: number): string;
  /** Stops every process in the namespace by PID, deletes it and the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** Scenarios to start (default: all). xfed.test's DNS and certificate are always there. */
  scenarios?: readonly ScenarioName[];
  /** Start no servers, only DNS (and certificates): for DNS-only tests such as `check srv`. */
  servers?: boolean;
  /** More records for the lab DNS (names under .test). */
  extraDns?: readonly DnsRecord[];
  /** Deadline for every server and the DNS to answer; default 30 s. */
  readyTimeoutMs?: number;
  /** Prosody s2s_timeout in seconds (default 5). */
  s2sTimeoutS?: number;
}

// ---------------------------------------------------------------------------------------------
// Can the lab run here?

const NEEDED_COMMANDS = [
  'ip',
  'openssl',
  'dnsmasq',
  'prosody',
  'ejabberdctl',
  'jabberd2-router',
  'jabberd2-sm',
  'jabberd2-s2s',
  'sqlite3',
  'setpriv',
] as const;

function onPath(cmd: string): boolean {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/bin', '/bin'];
  return dirs.some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

function luaUnboundMissing(): boolean {
  if (!onPath('dpkg-query')) return false; // not Debian: trust that Prosody has a resolver
  const r = execSyncQuiet('dpkg-query', ['--status', 'lua-unbound']);
  return !/^Status: install ok installed/m.test(r);
}

function execSyncQuiet(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 10_000 });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`;
}

let skipReason: string | null | undefined;

/**
 * Why the lab cannot run on this machine (one line), or undefined when it can: it needs Linux,
 * root (network namespaces), iproute2, openssl, dnsmasq, Prosody (+ lua-unbound), ejabberd.
 */
export function labSkipReason(): string | undefined {
  if (skipReason !== undefined) return skipReason ?? undefined;
  skipReason = computeSkipReason() ?? null;
  return skipReason ?? undefined;
}

function computeSkipReason(): string | undefined {
  if (process.platform !== 'linux')
    return `interop lab needs Linux network namespaces (this is ${process.platform})`;
  if (process.getuid?.() !== 0)
    return 'interop lab needs root for network namespaces (run as root, or in CI)';
  const missing: string[] = NEEDED_COMMANDS.filter((c) => !onPath(c));
  if (luaUnboundMissing()) missing.push('lua-unbound');
  for (const u of ['prosody', 'ejabberd', 'jabber'])
    if (!hasServiceUser(u) && !missing.includes(u)) missing.push(`${u} user`);
  if (missing.length > 0) {
    return `interop lab needs ${missing.join(', ')} (apt-get install prosody lua-unbound ejabberd jabberd2 sqlite3 dnsmasq-base iproute2 openssl)`;
  }
  const probe = execSyncQuiet('ip', ['netns', 'list']);
  if (/Operation not permitted|not supported|Permission denied/i.test(probe)) {
    return `interop lab cannot use network namespaces here: ${probe.trim().split('\n')[0]}`;
  }
  return undefined;
}

/** True when running under CI, where a lab skip is a failure. */
export function inCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/**
 * node:test options for a suite that needs the lab: `{ skip: reason }` on a machine that cannot
 * run it; under CI=true never a skip, so startLab() fails the suite with the same reason.
 */
export function labSuiteOptions(): { skip?: string } {
  const reason = labSkipReason();
  return reason && !inCi() ? { skip: reason } : {};
}

// ---------------------------------------------------------------------------------------------
// Teardown that always runs

const liveLabs = new Set<{ ns: string; dir: string }>();
let hooksInstalled = false;

function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const cleanupSync = () => {
    for (const l of liveLabs) {
      destroyNamespaceSync(l.ns);
      if (process.env.XFED_LAB_KEEP !== '1') rmSync(l.dir, { recursive: true, force: true });
    }
    liveLabs.clear();
  };
  process.on('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      cleanupSync();
      process.kill(process.pid, sig);
    });
  }
}

// ---------------------------------------------------------------------------------------------
// Starting

function tail(file: string, lines = 40): string {
  if (!existsSync(file)) return `(no ${file})`;
  const text = readFileSync(file, 'utf8').trimEnd().split('\n');
  return text.slice(-lines).join('\n');
}

interface ReadyCheck {
  kind: 'xmpp' | 'tcp' | 'dns';
  ip?: string;
  port?: number;
  domain?: string;
  server?: string;
  name?: string;
  expect?: string;
  /** Scenario (or "dns") the check belongs to, for error messages. */
  label: string;
  /** Logs to show if the check fails. */
  logs: string[];
}

/** Starts a lab; rejects (after cleaning up) with log tails when something does not come up. */
export async function startLab(opts: StartLabOptions = {}): Promise<Lab> {
  const reason = labSkipReason();
  if (reason) throw new Error(`interop lab unavailable: ${reason}`);
  const t0 = Date.now();
  await reapStaleNamespaces();
  const names = [...new Set<ScenarioName>([...(opts.scenarios ?? SCENARIO_NAMES), XFED_DOMAIN])];
  const withServers = opts.servers !== false;
  const dir = mkdtempSync(join(tmpdir(), 'xfed-lab-'));
  // Prosody and ejabberd run as their own users and must reach their files below this dir.
  chmodSync(dir, 0o755);
  const ns = uniqueNamespaceName();
  const handle = { ns, dir };
  installExitHooks();
  liveLabs.add(handle);
  let stopped = false;
  const procs: { label: string; proc: SpawnedProcess; logs: string[] }[] = [];

  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await destroyNamespace(ns);
    liveLabs.delete(handle);
    if (process.env.XFED_LAB_KEEP !== '1') rmSync(dir, { recursive: true, force: true });
  };

  try {
    await createNamespace(ns, DNS_IP);

    // DNS first (it needs nothing else), in parallel with the PKI.
    const records = [...names.flatMap((n) => (SCENARIOS[n] as ScenarioSpec).dns), ...(opts.extraDns ?? [])];
    const dnsDir = join(dir, 'dns');
    mkdirSync(dnsDir);
    const dnsConf = writeDnsmasqConfig(dnsDir, DNS_IP, records);
    const dnsLog = join(dnsDir, 'dnsmasq.log');
    procs.push({
      label: 'dnsmasq',
      proc: spawnInNamespace(ns, ['dnsmasq', `--conf-file=${dnsConf}`, '--keep-in-foreground'], dnsLog),
      logs: [dnsLog, join(dnsDir, 'dnsmasq-queries.log')],
    });

    const ca: LabCa = await createLabCa(join(dir, 'ca'));
    const certs = new Map<ScenarioName, LeafCert>();
    await Promise.all(
      names.map(async (n) => {
        const profile = (SCENARIOS[n] as ScenarioSpec).cert;
        if (profile) certs.set(n, await ca.issue(n, profile));
      }),
    );

    const domains = {} as Record<ScenarioName, ScenarioInfo>;
    const checks: ReadyCheck[] = [
      {
        kind: 'dns',
        server: DNS_IP,
        name: XFED_DOMAIN,
        expect: '127.0.0.200',
        label: 'dnsmasq',
        logs: [dnsLog],
      },
    ];
    for (const n of names) {
      const s = SCENARIOS[n] as ScenarioSpec;
      const info: ScenarioInfo = {
        name: n,
        domain: n,
        description: s.description,
        server: s.server,
        host: s.host,
        address: s.address,
        port: s.port,
        tls: s.tls,
        secureAuth: s.secureAuth ?? false,
        dialback: s.dialback ?? false,
        ...(s.dialbackSecret ? { dialbackSecret: s.dialbackSecret } : {}),
        cert: certs.get(n),
        dns: s.dns,
        running: false,
      };
      domains[n] = info;
      if (!withServers || !['prosody', 'ejabberd', 'jabberd2', 'silent'].includes(s.server)) continue;
      const sdir = join(dir, 'servers', n);
      mkdirSync(sdir, { recursive: true });
      if (s.server === 'silent') {
        const logFile = join(sdir, 'silent.log');
        const proc = spawnInNamespace(
          ns,
          [process.execPath, HELPER, 'silent', s.address, String(s.port)],
          logFile,
        );
        procs.push({ label: n, proc, logs: [logFile] });
        checks.push({ kind: 'tcp', ip: s.address, port: s.port, label: n, logs: [logFile] });
        info.logFile = logFile;
      } else {
        const common = {
          domain: n,
          address: s.address,
          port: s.port,
          tls: s.tls ?? 'none',
          dialback: s.dialback ?? false,
          cert: certs.get(n),
          caFile: ca.rootFile,
        };
        const started =
          s.server === 'jabberd2'
            ? startJabberd2(
                ns,
                {
                  ...common,
                  secret: s.dialbackSecret ?? JABBERD2_SECRET,
                  ...(s.jabberd2DefaultNode ? { defaultNode: s.jabberd2DefaultNode } : {}),
                },
                sdir,
              )
            : s.server === 'prosody'
              ? startProsody(
                  ns,
                  { ...common, secureAuth: s.secureAuth ?? false, s2sTimeoutS: opts.s2sTimeoutS ?? 5 },
                  sdir,
                )
              : startEjabberd(ns, { ...common, verifyPeers: s.verifyPeers ?? false, dnsIp: DNS_IP }, sdir);
        const stdoutLog = join(sdir, `${s.server}.stdout.log`);
        procs.push({ label: n, proc: started.proc, logs: [started.logFile, stdoutLog] });
        checks.push({
          kind: 'xmpp',
          ip: s.address,
          port: s.port,
          domain: n,
          label: n,
          logs: [started.logFile, stdoutLog],
        });
        info.logFile = started.logFile;
        if (s.server === 'ejabberd')
          info.extraListeners = [(started as ReturnType<typeof startEjabberd>).distListener];
        if (s.server === 'jabberd2') {
          const node = s.jabberd2DefaultNode?.address;
          info.extraListeners = [
            `${node ?? s.address}:${JABBERD2_ROUTER_PORT}`,
            ...(node ? [`${node}:${s.port}`] : []),
          ];
        }
      }
      info.running = true;
    }

    await waitReady(ns, checks, procs, opts.readyTimeoutMs ?? 30_000);

    const xfedCert = certs.get(XFED_DOMAIN) as LeafCert;
    const lab: Lab = {
      ns,
      dir,
      dnsIp: DNS_IP,
      domains,
      caPem: ca.rootPem,
      caFile: ca.rootFile,
      intermediateFile: ca.intermediateFile,
      xfedCert,
      startupMs: Date.now() - t0,
      run: (args, o = {}) => runCliInNamespace(ns, args, o),
      exec: (argv, o) => execCommand('ip', ['netns', 'exec', ns, ...argv], o),
      spawn: (argv, logName, env) => {
        const logFile = join(dir, logName);
        return { ...spawnInNamespace(ns, argv, logFile, env), logFile };
      },
      streamHello: (t) => streamHello(ns, domains, ca.rootFile, t),
      peekTls: (t) => peekTls(ns, domains, ca.rootFile, t),
      logTail: tail,
      stop,
    };
    return lab;
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** Waits for every check to pass, failing early (with that server's log) if a server exits. */
async function waitReady(
  ns: string,
  checks: ReadyCheck[],
  procs: { label: string; proc: SpawnedProcess; logs: string[] }[],
  timeoutMs: number,
): Promise<void> {
  const payload = JSON.stringify({
    timeoutMs,
    checks: checks.map(({ label: _l, logs: _g, ...c }) => c),
  });
  const waiting = execCommand('ip', ['netns', 'exec', ns, process.execPath, HELPER, 'wait', payload], {
    timeoutMs: timeoutMs + 10_000,
  }).then((r) => ({ kind: 'wait' as const, r }));
  const died = procs.map((p) => p.proc.exited.then((x) => ({ kind: 'died' as const, p, x })));
  const first = await Promise.race([waiting, ...died]);
  if (first.kind === 'died') {
    const { p, x } = first;
    throw new Error(
      `interop lab: ${p.label} exited during start-up (${x.signal ?? `code ${x.code}`})\n${p.logs.map((l) => `--- ${l}\n${tail(l)}`).join('\n')}`,
    );
  }
  const { r } = first;
  let results: { ok: boolean; detail: string }[] = [];
  try {
    results = JSON.parse(r.stdout) as { ok: boolean; detail: string }[];
  } catch {
    throw new Error(`interop lab: readiness helper failed (${r.code}): ${r.stderr.trim()}`);
  }
  const failed = checks.map((c, i) => ({ c, res: results[i] })).filter(({ res }) => !res?.ok);
  if (failed.length === 0) return;
  const report = failed
    .map(({ c, res }) => {
      const where = c.kind === 'dns' ? `${c.server} (A ${c.name})` : `${c.ip}:${c.port}`;
      return `${c.label} not ready on ${where} within ${timeoutMs} ms: ${res?.detail ?? 'no result'}\n${c.logs.map((l) => `--- ${l}\n${tail(l)}`).join('\n')}`;
    })
    .join('\n');
  throw new Error(`interop lab did not come up:\n${report}`);
}

// ---------------------------------------------------------------------------------------------
// Working with a running lab

async function runCliInNamespace(
  ns: string,
  args: readonly string[],
  o: { timeoutMs?: number; env?: NodeJS.ProcessEnv; input?: string },
): Promise<CliResult> {
  if (!existsSync(join(REPO, 'dist/commands'))) {
    throw new Error('interop lab: dist/ is missing; run `npm run build` first (npm test does)');
  }
  const r = await execCommand('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], {
    timeoutMs: o.timeoutMs ?? 60_000,
    input: o.input,
    cwd: REPO,
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, CI: '', ...o.env },
  });
  if (r.timedOut)
    throw new Error(`xfed ${args.join(' ')} did not finish within ${o.timeoutMs ?? 60_000} ms (in ${ns})`);
  return { code: r.code, stdout: r.stdout, stderr: r.stderr };
}

function targetOf(
  domains: Record<ScenarioName, ScenarioInfo>,
  t: { domain: string; address?: string; port?: number },
): { ip: string; port: number } {
  const info = domains[t.domain as ScenarioName] as ScenarioInfo | undefined;
  const ip = t.address ?? info?.address;
  const port = t.port ?? info?.port;
  if (!ip || !port)
    throw new Error(`interop lab: no address/port known for ${t.domain}; pass address and port`);
  return { ip, port };
}

async function streamHello(
  ns: string,
  domains: Record<ScenarioName, ScenarioInfo>,
  caFile: string,
  t: HelloTarget,
): Promise<StreamHello> {
  const { ip, port } = targetOf(domains, t);
  const timeoutMs = t.timeoutMs ?? 3000;
  const tls = t.tls ? { caFile, ...t.tls } : undefined;
  const arg = JSON.stringify({
    ip,
    port,
    domain: t.domain,
    from: t.from ?? XFED_DOMAIN,
    timeoutMs,
    tls,
    send: t.send,
    readMs: t.readMs,
  });
  const r = await execCommand('ip', ['netns', 'exec', ns, process.execPath, HELPER, 'hello', arg], {
    timeoutMs: timeoutMs + 10_000,
  });
  if (r.code !== 0) throw new Error(`interop lab: stream hello failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as StreamHello;
}

async function peekTls(
  ns: string,
  domains: Record<ScenarioName, ScenarioInfo>,
  caFile: string,
  t: { domain: string; address?: string; port?: number; timeoutMs?: number },
): Promise<TlsPeek> {
  const { ip, port } = targetOf(domains, t);
  const r = await execCommand(
    'ip',
    [
      'netns',
      'exec',
      ns,
      'openssl',
      's_client',
      '-starttls',
      'xmpp-server',
      '-xmpphost',
      t.domain,
      '-servername',
      t.domain,
      '-connect',
      `${ip}:${port}`,
      '-showcerts',
      '-CAfile',
      caFile,
    ],
    { timeoutMs: t.timeoutMs ?? 10_000 },
  );
  const output = `${r.stdout}\n${r.stderr}`;
  const chain = [...r.stdout.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map(
    (m) => `${m[0]}\n`,
  );
  const verify = /Verify return code: (.+)/.exec(r.stdout)?.[1]?.trim() ?? '';
  const protocol = /Protocol\s*: (\S+)/.exec(r.stdout)?.[1] ?? '';
  return { chain, verify, protocol, output };
}
