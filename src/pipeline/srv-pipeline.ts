/**
 * The `check srv` pipeline, shared by the command and the `serve` exporter (one definition, so
 * they cannot drift apart). Each pipeline has its own module, so a command loads only its own
 * rules (docs/performance.md).
 */
import type { SrvFacts } from '../facts/srv.js';
import { gatherSrv, type SrvOptions } from '../gather/srv.js';
import { dnsRules } from '../judge/rules/dns.js';
import type { Pipeline } from './run.js';

/** `check srv` for one domain. */
export function srvPipeline(opts: SrvOptions): Pipeline<SrvFacts> {
  return { command: 'check srv', gather: (d, ctx) => gatherSrv(d, opts, ctx), rules: dnsRules };
}
