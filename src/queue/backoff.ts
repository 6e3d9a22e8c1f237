/**
 * How long a retryable failure waits before its next attempt: capped exponential backoff with
 * full jitter. The cap doubles from `baseMs` with every attempt up to `maxMs`, and the delay
 * is drawn uniformly below it, so many deliveries failing together (a receiver going down)
 * spread their retries out instead of returning as one burst.
 *
 * `attempt` is the number of attempts already made (1 after the first failure). `random` is
 * injectable so tests can pin the draw; it returns a number in [0, 1).
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
}

export function backoffCapMs(attempt: number, policy: BackoffPolicy): number {
  const exponent = Math.max(0, attempt - 1);
  // 2^exponent overflows to Infinity long after it passed any sane cap; min() keeps it finite.
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

export function retryDelayMs(
  attempt: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const cap = backoffCapMs(attempt, policy);
  // At least 1 ms, so a retry is always strictly later than the failure it follows.
  return Math.max(1, Math.floor(random() * cap));
}
