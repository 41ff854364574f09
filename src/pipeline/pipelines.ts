/**
 * The pipelines of the commands that other front ends reuse (the `serve` exporter): one
 * definition each, so a command and the exporter cannot drift apart.
 */
import type { SrvFacts } from '../facts/srv.js';
import type { TlsProbeFacts } from '../facts/tls.js';
import { gatherSrv, type SrvOptions } from '../gather/srv.js';
import { gatherTls, type TlsProbeOptions, type TlsTarget } from '../gather/tls.js';
import { dnsRules } from '../judge/rules/dns.js';
import { tlsProbeRules } from '../judge/rules/tls.js';
import type { Pipeline } from './run.js';

/** `check srv` for one domain. */
export function srvPipeline(opts: SrvOptions): Pipeline<SrvFacts> {
  return { command: 'check srv', gather: (d, ctx) => gatherSrv(d, opts, ctx), rules: dnsRules };
}

/** `probe tls` for one planned target. */
export function tlsPipeline(t: TlsTarget, opts: TlsProbeOptions): Pipeline<TlsProbeFacts> {
  return { command: 'probe tls', gather: (_target, ctx) => gatherTls(t, opts, ctx), rules: tlsProbeRules };
}
