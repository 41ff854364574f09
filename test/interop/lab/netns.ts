/**
 * Network namespaces for the interop lab: create one with its own loopback, resolv.conf and
 * hosts, run processes inside it, and tear it down by PID (never by process name).
 *
 * `ip netns exec` bind-mounts every file in /etc/netns/<ns>/ over /etc/<file> for the process
 * it starts (ip-netns(8)), so Node, Prosody (lua-unbound) and dnsmasq's clients inside the
 * namespace see only the lab's resolver. All of 127.0.0.0/8 answers on `lo`, so each lab
 * server gets its own 127.0.0.x and the real ports (53, 5269) without clashing with the host.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execCommand, mustExec } from './exec.js';

/** Every lab namespace name starts with this, followed by the owning test process's PID. */
export const NS_PREFIX = 'xfed-lab-';

let counter = 0;

/** A namespace name unique to this process: xfed-lab-<pid>-<n>. */
export function uniqueNamespaceName(): string {
  counter += 1;
  return `${NS_PREFIX}${process.pid}-${counter}`;
}

function netnsEtc(ns: string): string {
  return join('/etc/netns', ns);
}

/**
 * Creates the namespace, brings `lo` up and writes its resolv.conf (the lab resolver only) and
 * hosts (localhost only: Erlang distribution needs `localhost` to resolve).
 */
export async function createNamespace(ns: string, resolverIp: string): Promise<void> {
  await mustExec('ip', ['netns', 'add', ns], { timeoutMs: 10_000 });
  await mustExec('ip', ['-n', ns, 'link', 'set', 'lo', 'up'], { timeoutMs: 10_000 });
  const etc = netnsEtc(ns);
  mkdirSync(etc, { recursive: true });
  // options timeout/attempts: a resolver that is not up yet must not stall a client for 5 s.
  writeFileSync(join(etc, 'resolv.conf'), `nameserver ${resolverIp}\noptions timeout:1 attempts:2\n`);
  writeFileSync(join(etc, 'hosts'), '127.0.0.1 localhost\n::1 localhost ip6-localhost\n');
}

/** PIDs of every process whose network namespace is `ns` (ip-netns(8) `pids`). */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await execCommand('ip', ['netns', 'pids', ns], { timeoutMs: 10_000 });
  return parsePids(r.stdout);
}

function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number)
    .filter((p) => p !== process.pid);
}

function signalAll(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // Already gone.
    }
  }
}

/**
 * Stops everything inside the namespace and deletes it: TERM each PID, wait up to `graceMs`,
 * KILL what is left, `ip netns del`, remove /etc/netns/<ns>. Safe to call twice.
 */
export async function destroyNamespace(ns: string, graceMs = 3000): Promise<void> {
  if (!namespaceExists(ns)) {
    rmSync(netnsEtc(ns), { recursive: true, force: true });
    return;
  }
  let pids = await namespacePids(ns);
  signalAll(pids, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    pids = await namespacePids(ns);
  }
  if (pids.length > 0) {
    signalAll(pids, 'SIGKILL');
    const killDeadline = Date.now() + 2000;
    while (pids.length > 0 && Date.now() < killDeadline) {
      await new Promise((r) => setTimeout(r, 50));
      pids = await namespacePids(ns);
    }
  }
  await execCommand('ip', ['netns', 'del', ns], { timeoutMs: 10_000 });
  rmSync(netnsEtc(ns), { recursive: true, force: true });
}

/** Synchronous last-resort teardown for process exit: KILL by PID, delete the namespace. */
export function destroyNamespaceSync(ns: string): void {
  if (!namespaceExists(ns)) return;
  const r = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5000 });
  signalAll(parsePids(r.stdout ?? ''), 'SIGKILL');
  spawnSync('ip', ['netns', 'del', ns], { timeout: 5000 });
  rmSync(netnsEtc(ns), { recursive: true, force: true });
}

export function namespaceExists(ns: string): boolean {
  return existsSync(join('/run/netns', ns)) || existsSync(join('/var/run/netns', ns));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Removes lab namespaces left behind by test processes that died without tearing down (their
 * owner PID, part of the name, is gone). Namespaces of live processes are left alone.
 */
export async function reapStaleNamespaces(): Promise<string[]> {
  const r = await execCommand('ip', ['netns', 'list'], { timeoutMs: 10_000 });
  const reaped: string[] = [];
  for (const line of r.stdout.split('\n')) {
    const name = line.split(/\s+/)[0] ?? '';
    const m = new RegExp(`^${NS_PREFIX}(\\d+)-\\d+$`).exec(name);
    if (!m || alive(Number(m[1]))) continue;
    await destroyNamespace(name, 1000);
    reaped.push(name);
  }
  return reaped;
}

export interface SpawnedProcess {
  child: ChildProcess;
  /** Set once the process has exited (code or signal), while the lab is starting or running. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts a long-running process inside the namespace with stdout and stderr appended to
 * `logFile`. The child is unref'd: the lab's stop() (or the exit hook) ends it by PID.
 */
export function spawnInNamespace(
  ns: string,
  argv: readonly string[],
  logFile: string,
  env: NodeJS.ProcessEnv = process.env,
): SpawnedProcess {
  const fd = openSync(logFile, 'a');
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', fd, fd], env });
  closeSync(fd);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
    child.on('error', () => resolve({ code: -1, signal: null }));
  });
  child.unref();
  return { child, exited };
}
