import { describe, expect, it } from 'vitest';
import { backoffCapMs, retryDelayMs } from './backoff.ts';

const policy = { baseMs: 100, maxMs: 1_000 };

describe('retry backoff', () => {
  it('doubles the cap per attempt up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffCapMs(a, policy))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffCapMs(5_000, policy)).toBe(1_000);
  });

  it('draws the delay uniformly below the cap (full jitter)', () => {
    expect(retryDelayMs(3, policy, () => 0.5)).toBe(200);
    expect(retryDelayMs(3, policy, () => 0.999_999)).toBe(399);
    expect(retryDelayMs(3, policy, () => 0)).toBe(1);
    for (let i = 0; i < 1_000; i++) {
      const d = retryDelayMs(4, policy);
      expect(d).toBeGreaterThanOrEqual(1);
      expect(d).toBeLessThan(800);
    }
  });
});
