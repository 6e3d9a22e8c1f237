import { describe, expect, it } from 'vitest';
import { relativeTime } from './relative-time.ts';

const NOW = new Date('2024-06-15T12:00:00.000Z');
const S = 1_000;
const MIN = 60 * S;
const H = 60 * MIN;
const D = 24 * H;

const ago = (ms: number) => relativeTime(new Date(NOW.getTime() - ms), NOW);
const ahead = (ms: number) => relativeTime(new Date(NOW.getTime() + ms), NOW);

describe('relativeTime', () => {
  it.each([
    [0, 'just now'],
    [44 * S + 999, 'just now'],
    [45 * S, '1 minute ago'],
    [119 * S, '1 minute ago'],
    [2 * MIN, '2 minutes ago'],
    [5 * MIN, '5 minutes ago'],
    [59 * MIN + 59 * S, '59 minutes ago'],
    [H, '1 hour ago'],
    [2 * H - 1, '1 hour ago'],
    [2 * H, '2 hours ago'],
    [23 * H + 59 * MIN, '23 hours ago'],
    [D, '1 day ago'],
    [2 * D - 1, '1 day ago'],
    [3 * D, '3 days ago'],
    [29 * D, '29 days ago'],
    [30 * D, '1 month ago'],
    [59 * D, '1 month ago'],
    [60 * D, '2 months ago'],
    [364 * D, '11 months ago'],
    [365 * D, '1 year ago'],
    [2 * 365 * D, '2 years ago'],
  ])('%i ms in the past → %s', (ms, expected) => {
    expect(ago(ms)).toBe(expected);
  });

  it.each([
    [10 * S, 'just now'],
    [45 * S, 'in 1 minute'],
    [5 * MIN, 'in 5 minutes'],
    [H, 'in 1 hour'],
    [3 * D, 'in 3 days'],
    [400 * D, 'in 1 year'],
  ])('%i ms in the future → %s', (ms, expected) => {
    expect(ahead(ms)).toBe(expected);
  });

  it('rejects an invalid date instead of printing "NaN years ago"', () => {
    expect(() => relativeTime(new Date('nope'), NOW)).toThrow(RangeError);
  });
});
