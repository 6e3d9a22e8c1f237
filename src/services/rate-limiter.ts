/** Keys tracked at most; past it, windows that have ended are dropped first. */
const MAX_KEYS = 50_000;

/**
 * Counts requests per key in fixed windows: a key's window opens at its first request and
 * holds `limit` requests; the next one is refused until the window ends. In memory, per
 * process (several processes on one PostgreSQL each count on their own).
 */
export interface RateLimiter {
  /** Counts one request; null when allowed, else the ms until the key's window ends. */
  take(key: string, now: number): number | null;
  /** Like `take` without counting: null when the key has budget left. */
  blocked(key: string, now: number): number | null;
  clear(): void;
}

export function createRateLimiter(limit: number, windowMs: number): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();

  function prune(now: number): void {
    for (const [key, w] of windows) if (w.start + windowMs <= now) windows.delete(key);
    // Still full: every key is busy right now; start over rather than grow without bound.
    if (windows.size >= MAX_KEYS) windows.clear();
  }

  return {
    take(key, now) {
      let w = windows.get(key);
      if (!w || w.start + windowMs <= now) {
        if (!w && windows.size >= MAX_KEYS) prune(now);
        w = { start: now, count: 0 };
        windows.set(key, w);
      }
      if (w.count >= limit) return w.start + windowMs - now;
      w.count++;
      return null;
    },
    blocked(key, now) {
      const w = windows.get(key);
      if (!w || w.start + windowMs <= now || w.count < limit) return null;
      return w.start + windowMs - now;
    },
    clear() {
      windows.clear();
    },
  };
}
