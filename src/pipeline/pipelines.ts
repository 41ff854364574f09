/**
 * The pipelines of the commands that other front ends reuse (the `serve` exporter): one
 * definition each, so a command and the exporter cannot drift apart.
 */
import type { DoctorFacts } from '../facts/doctor.js';
import type { SrvFacts } from '../facts/srv.js';
import type { TlsProbeFacts } from '../facts/tls.js';
import type { DoctorOptions } from '../gather/doctor.js';
import { DnsView, gatherSrv, type SrvOptions } from '../gather/srv.js';
import type { TlsProbeOptions, TlsTarget } from '../gather/tls-target.js';
import { concludeDoctor } from '../judge/doctor.js';
import { dnsRules } from '../judge/rules/dns.js';
import { tlsProbeRules } from '../judge/rules/tls.js';
import type { Pipeline } from './run.js';

/** `check srv` for one domain. */
export function srvPipeline(opts: SrvOptions): Pipeline<SrvFacts> {
  return { command: 'check srv', gather: (d, ctx) => gatherSrv(d, opts, ctx), rules: dnsRules };
}

/**
 * `probe tls` for one planned target. Start-up (docs/performance.md): a domain target's SRV
 * queries are sent first, through a DnsView the probe then reads, and the TLS, XML and
 * certificate code (gather/tls.js and what it imports) loads while the answers are in flight.
 */
export function tlsPipeline(t: TlsTarget, opts: TlsProbeOptions): Pipeline<TlsProbeFacts> {
  return {
    command: 'probe tls',
    gather: async (_target, ctx) => {
      let o = opts;
      const started = Date.now();
      let resolvedAt: number | undefined;
      if (t.kind === 'domain' && !opts.dns) {
        const view = new DnsView(opts.resolvers?.length ? { resolvers: opts.resolvers } : {});
        // Handled here so a failed import cannot leave it unhandled; gatherTls awaits it again.
        view.srv(t.domain, ctx).then(
          () => {
            resolvedAt = Date.now();
          },
          () => {},
        );
        o = { ...opts, dns: view };
      }
      const { gatherTls } = await import('../gather/tls.js');
      const facts = await gatherTls(t, o, ctx);
      // The resolution ran while the code loaded: its duration is from the first query on.
      if (resolvedAt !== undefined) facts.resolution.durationMs = resolvedAt - started;
      return facts;
    },
    rules: tlsProbeRules,
  };
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
    // Loaded on use, so commands that import this module for another pipeline do not pay for it.
    gather: async (_peer, ctx) => (await import('../gather/doctor.js')).gatherDoctor(opts, ctx),
    rules: [],
    conclude: concludeDoctor,
    factsToJson: doctorFactsToJson,
  };
}
