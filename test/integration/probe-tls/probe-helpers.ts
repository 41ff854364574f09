/** Helpers for probe tls integration tests: run the gather -> judge pipeline in-process against scripted peers. */
import { spawn } from 'node:child_process';
import net from 'node:net';
import { planTarget } from '../../../src/cli/tls-options.js';
import { parseDomain, parseHostPort } from '../../../src/cli/validate.js';
import type { TlsProbeFacts } from '../../../src/facts/tls.js';
import { gatherTls, type TlsProbeOptions } from '../../../src/gather/tls.js';
import { tlsProbeRules } from '../../../src/judge/rules/tls.js';
import { runTarget } from '../../../src/pipeline/run.js';
import type { Report } from '../../../src/report/model.js';
import { testPki } from '../../helpers/test-ca.js';

export interface ProbeArgs {
  target: string;
  domain?: string;
  from?: string;
  connect?: string;
  port?: number;
  directTls?: boolean;
  /** --first: in order until one is usable (default: every target, in parallel). */
  first?: boolean;
  /** Extra trust anchors, PEM; default: the test PKI root. */
  caPems?: string[];
  resolvers?: { host: string; port: number }[];
  timeoutMs?: number;
  warnDays?: number;
  /** See TlsProbeOptions.ticketWaitMaxRttMs. */
  ticketWaitMaxRttMs?: number;
  /** See TlsProbeOptions.ticketWaitMs. */
  ticketWaitMs?: number;
}

export interface ProbeResult {
  report: Report;
  facts: TlsProbeFacts;
  ids: string[];
  elapsedMs: number;
}

/** Runs `xfed probe tls` in-process (same code path as the command, minus oclif). */
export async function probe(a: ProbeArgs): Promise<ProbeResult> {
  const target = planTarget(a.target, {
    domain: a.domain ? parseDomain(a.domain) : undefined,
    connect: a.connect ? parseHostPort(a.connect) : undefined,
    port: a.port,
    directTls: a.directTls === true,
  });
  const opts: TlsProbeOptions = {
    caPems: a.caPems ?? [testPki().root.certPem],
    warnDays: a.warnDays ?? 30,
    allTargets: a.first !== true,
  };
  if (a.from) opts.from = a.from;
  if (a.resolvers) opts.resolvers = a.resolvers;
  if (a.ticketWaitMaxRttMs !== undefined) opts.ticketWaitMaxRttMs = a.ticketWaitMaxRttMs;
  if (a.ticketWaitMs !== undefined) opts.ticketWaitMs = a.ticketWaitMs;
  const timeoutMs = a.timeoutMs ?? 2000;
  const started = Date.now();
  const report = await runTarget(
    { command: 'probe tls', gather: (_t, ctx) => gatherTls(target, opts, ctx), rules: tlsProbeRules },
    target.report,
    { timeoutMs, transcript: true, options: {} },
  );
  return {
    report,
    facts: report.facts as unknown as TlsProbeFacts,
    ids: report.findings.map((f) => f.id),
    elapsedMs: Date.now() - started,
  };
}

/** A leaf certificate for `domain` from the test PKI, as TLS server options. */
export function serverCert(domain: string, opts: Parameters<ReturnType<typeof testPki>['leaf']>[0] = {}) {
  const leaf = testPki().leaf({ cn: domain, dns: [domain], ...opts });
  return { key: leaf.keyPem, cert: leaf.chainPem };
}

/**
 * A port whose accept queue is full, so new SYNs are dropped and a TCP connect times out:
 * a child process listens with backlog 1 and is stopped (SIGSTOP), then two connections fill
 * the queue. Loopback only.
 */
export async function startBlackhole(): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer(()=>{});s.listen({host:'127.0.0.1',port:0,backlog:1},()=>{process.stdout.write(String(s.address().port)+'\\n')})",
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('blackhole listener exited')));
  });
  child.kill('SIGSTOP');
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 3; i++) {
    const s = net.connect({ host: '127.0.0.1', port });
    s.on('error', () => {});
    fillers.push(s);
  }
  await new Promise((r) => setTimeout(r, 100));
  return {
    port,
    close: async () => {
      for (const s of fillers) s.destroy();
      child.kill('SIGKILL');
      await new Promise((r) => setTimeout(r, 10));
    },
  };
}
