import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limiter.ts';

describe('rate limiter', () => {
  it('allows `limit` requests per key in a window, then says how long until it ends', () => {
    const limiter = createRateLimiter(3, 60_000);
    const t0 = 1_000_000;
    expect([0, 1, 2].map((i) => limiter.take('a', t0 + i))).toEqual([null, null, null]);
    expect(limiter.take('a', t0 + 10_000)).toBe(50_000);
    // Another key has its own window.
    expect(limiter.take('b', t0 + 10_000)).toBeNull();
  });

  it('opens a new window once the old one has ended', () => {
    const limiter = createRateLimiter(1, 60_000);
    expect(limiter.take('a', 0)).toBeNull();
    expect(limiter.take('a', 59_999)).toBe(1);
    expect(limiter.take('a', 60_000)).toBeNull();
    expect(limiter.take('a', 60_001)).toBe(59_999);
  });

  it('does not count refused requests against the next window', () => {
    const limiter = createRateLimiter(2, 1_000);
    limiter.take('a', 0);
    limiter.take('a', 0);
    for (let i = 0; i < 10; i++) expect(limiter.take('a', 500)).toBe(500);
    expect(limiter.take('a', 1_000)).toBeNull();
    expect(limiter.take('a', 1_000)).toBeNull();
    expect(limiter.take('a', 1_000)).toBe(1_000);
  });

  it('blocked() answers like take() without spending the budget', () => {
    const limiter = createRateLimiter(1, 1_000);
    expect(limiter.blocked('a', 0)).toBeNull();
    expect(limiter.blocked('a', 0)).toBeNull();
    expect(limiter.take('a', 0)).toBeNull();
    expect(limiter.blocked('a', 400)).toBe(600);
    expect(limiter.blocked('a', 1_000)).toBeNull();
  });
});
