/** Defaults of the command-line options, one home each (commands, doctor and tests import them). */

/** Default deadline of each network step (--timeout). */
export const DEFAULT_TIMEOUT_MS = 10_000;
