/**
 * The `doctor` pipeline, shared by the command and the `serve` exporter (one definition, so
 * they cannot drift apart).
 */
import type { DoctorFacts } from '../facts/doctor.js';
import type { DoctorOptions } from '../gather/doctor.js';
import { concludeDoctor } from '../judge/doctor.js';
import type { Pipeline } from './run.js';

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
