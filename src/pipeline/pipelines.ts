/**
 * The pipelines of the commands that other front ends reuse (the `serve` exporter): one
 * definition each, so a command and the exporter cannot drift apart.
 */
import type { DoctorFacts } from '../facts/doctor.js';
import type { SrvFacts } from '../facts/srv.js';
import type { TlsProbeFacts } from '../facts/tls.js';
import { type DoctorOptions, gatherDoctor } from '../gather/doctor.js';
import { gatherSrv, type SrvOptions } from '../gather/srv.js';
import { gatherTls, type TlsProbeOptions, type TlsTarget } from '../gather/tls.js';
import { concludeDoctor } from '../judge/doctor.js';
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

/**
 * The JSON facts show each DNS query once: the probes' and dialback's copies of a domain's
 * SrvFacts (taken from the one DNS view) are left out of their `resolution` (its `srv` is
 * optional); facts.dns holds them, one per domain.
 */
function doctorFactsToJson(f: DoctorFacts): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(f, (key, value: unknown) => {
      if (key !== 'resolution' || typeof value !== 'object' || value === null) return value;
      const { srv: _shared, ...rest } = value as { method?: string; srv?: unknown };
      return rest.method === 'srv' ? rest : value;
    }),
  ) as Record<string, unknown>;
}

/** `doctor` for one pair (the peer is `opts.peer`; the pipeline target only labels the report). */
export function doctorPipeline(opts: DoctorOptions): Pipeline<DoctorFacts> {
  return {
    command: 'doctor',
    gather: (_peer, ctx) => gatherDoctor(opts, ctx),
    rules: [],
    conclude: concludeDoctor,
    factsToJson: doctorFactsToJson,
  };
}
