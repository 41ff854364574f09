/**
 * The envelope every probe returns: a gathered value, or a failure with a closed reason.
 * Failure is a fact, not an exception (house style rule 6).
 */

/** Closed set of reasons a network step can fail. */
export type FailureReason =
  | 'timeout'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'closed'
  | 'nxdomain'
  | 'nodata'
  | 'servfail'
  | 'refused-query'
  | 'malformed'
  | 'truncated'
  | 'tls-alert'
  | 'tls-error'
  | 'protocol'
  | 'stream-error'
  | 'http'
  | 'limit'
  | 'other';

export type Attempt<T> =
  | { status: 'ok'; value: T; durationMs: number }
  | {
      status: 'error';
      reason: FailureReason;
      message: string;
      durationMs: number;
      detail?: Record<string, unknown>;
    }
  | { status: 'skipped'; why: string };

export function ok<T>(value: T, durationMs: number): Attempt<T> {
  return { status: 'ok', value, durationMs };
}

export function failed<T>(
  reason: FailureReason,
  message: string,
  durationMs: number,
  detail?: Record<string, unknown>,
): Attempt<T> {
  return detail
    ? { status: 'error', reason, message, durationMs, detail }
    : { status: 'error', reason, message, durationMs };
}

export function skipped<T>(why: string): Attempt<T> {
  return { status: 'skipped', why };
}

/** Maps a Node socket error code to a failure reason. */
export function reasonFromErrno(code: string | undefined): FailureReason {
  switch (code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ETIMEDOUT':
      return 'timeout';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EADDRNOTAVAIL':
      return 'unreachable';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ENOTFOUND':
      return 'nxdomain';
    default:
      return 'other';
  }
}
