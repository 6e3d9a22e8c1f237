/**
 * Exit codes scripts can test (docs/cli.md): 0 done, 1 the request or the server failed
 * (refused, unreachable, not found, validation), 2 the command line itself is wrong.
 */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** The command line is wrong in a way the parser cannot see (e.g. no message given): exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A request or an operation failed; the message is the one line the user sees: exit 1. */
export class CliFailure extends Error {
  override name = 'CliFailure';
  /** The HTTP status when the server refused the request. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}
