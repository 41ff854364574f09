/**
 * Shared settings of the property-based (fuzz) tests: seeded, so a run is reproducible, and
 * 10,000 inputs per property by default. XFED_FUZZ_RUNS runs more (e.g. 1000000 for a long
 * run), XFED_FUZZ_SEED another seed; a failure prints its seed and path, which replay it
 * (docs/hardening.md, "Fuzzing").
 */
import type { Parameters } from 'fast-check';

export const FUZZ_RUNS = Number(process.env.XFED_FUZZ_RUNS ?? 10_000);
export const FUZZ_SEED = Number(process.env.XFED_FUZZ_SEED ?? 0x13_13);

export function fuzzParams<T>(over: Parameters<T> = {}): Parameters<T> {
  return { seed: FUZZ_SEED, numRuns: FUZZ_RUNS, endOnFailure: true, ...over };
}
