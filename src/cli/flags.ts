/**
 * Typed custom flags and args: they validate while the command line is parsed, so bad
 * input exits 2 before any traffic. Validation itself lives in validate.ts.
 */
import * as Args from '@oclif/core/args';
import * as Flags from '@oclif/core/flags';
import type { DomainName, HostPort } from './validate.js';
import { parseDomain, parseDurationMs, parseHostPort, parsePort, parseResolver } from './validate.js';

/**
 * Positional arguments never come from piped stdin (oclif's default reads it, with a 10 ms race,
 * as the first missing argument); `--file -` is the documented way to read targets from stdin.
 */
export const domainArg = Args.custom<DomainName>({
  ignoreStdin: true,
  parse: async (input) => parseDomain(input),
});

export const domainFlag = Flags.custom<DomainName>({
  parse: async (input) => parseDomain(input),
});

export const hostPortFlag = Flags.custom<HostPort>({
  parse: async (input) => parseHostPort(input),
});

export const portFlag = Flags.custom<number>({
  parse: async (input) => parsePort(input),
});

export const resolverFlag = Flags.custom<{ host: string; port: number }>({
  parse: async (input) => parseResolver(input),
});

export const durationFlag = Flags.custom<number>({
  parse: async (input) => parseDurationMs(input),
});

export const concurrencyFlag = Flags.custom<number>({
  parse: async (input) => {
    const n = Number(input);
    if (!Number.isInteger(n) || n < 1 || n > 1000) {
      const { UsageError } = await import('./errors.js');
      const { shown } = await import('./file-input.js');
      throw new UsageError(`--concurrency "${shown(input)}" must be a whole number from 1 to 1000`);
    }
    return n;
  },
});
