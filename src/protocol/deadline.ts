/** Deadlines for network steps: a silent peer must become a fact, never a hang. */

export class DeadlineError extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(
    readonly step: string,
    readonly timeoutMs: number,
  ) {
    super(`${step}: no answer within ${timeoutMs} ms`);
    this.name = 'DeadlineError';
  }
}

/**
 * Resolves or rejects with `p`, or rejects with DeadlineError after `ms`. `onTimeout` runs
 * first so the caller can destroy the socket that would otherwise stay open.
 */
export function withDeadline<T>(p: Promise<T>, ms: number, step: string, onTimeout?: () => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      try {
        onTimeout?.();
      } finally {
        reject(new DeadlineError(step, ms));
      }
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}
