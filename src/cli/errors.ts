/** Errors that map to exit codes (report contract, "Exit codes"). */

/** Bad input from the user: exit 2, one line, no traffic sent. */
export class UsageError extends Error {
  /** The original message; oclif rewrites `message` of errors thrown inside flag parsers. */
  readonly detail: string;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
    this.detail = message;
  }
}
