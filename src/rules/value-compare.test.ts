import { describe, expect, it } from 'vitest';
import { compareValues, isScalar, looseEquals, toNumber, toOrderable, toTime } from './value-compare.ts';

describe('toNumber', () => {
  it('reads numbers and numeric strings only', () => {
    expect(toNumber(5)).toBe(5);
    expect(toNumber('5')).toBe(5);
    expect(toNumber('-2.5e3')).toBe(-2500);
    expect(toNumber('.5')).toBe(0.5);
    expect(toNumber(' 5')).toBeNull();
    expect(toNumber('5px')).toBeNull();
    expect(toNumber('')).toBeNull();
    expect(toNumber('0x10')).toBeNull();
    expect(toNumber(Number.NaN)).toBeNull();
    expect(toNumber(Number.POSITIVE_INFINITY)).toBeNull();
    expect(toNumber(true)).toBeNull();
  });
});

describe('toTime', () => {
  it('reads ISO 8601 dates and date-times', () => {
    expect(toTime('2026-11-22')).toBe(Date.UTC(2026, 10, 22));
    expect(toTime('2026-11-22T14:03:00Z')).toBe(Date.UTC(2026, 10, 22, 14, 3));
    expect(toTime('2026-11-22T14:03:00.250+02:00')).toBe(Date.UTC(2026, 10, 22, 12, 3, 0, 250));
    expect(toTime(new Date(1000))).toBe(1000);
  });

  it('reads a date-time without offset as UTC so results do not depend on the host', () => {
    expect(toTime('2026-11-22T14:03')).toBe(Date.UTC(2026, 10, 22, 14, 3));
  });

  it('refuses loose date text', () => {
    expect(toTime('May 5 2026')).toBeNull();
    expect(toTime('1')).toBeNull();
    expect(toTime('2026-13-45')).toBeNull();
    expect(toTime(new Date(Number.NaN))).toBeNull();
    expect(toTime(12)).toBeNull();
  });
});

describe('compareValues', () => {
  it('compares numbers numerically, including numeric strings', () => {
    expect(compareValues(10, '9')).toBeGreaterThan(0);
    expect(compareValues('10', 9)).toBeGreaterThan(0);
    expect(compareValues(3, 3)).toBe(0);
  });

  it('compares dates as time', () => {
    expect(compareValues('2026-01-02', '2026-01-01T23:59:59Z')).toBeGreaterThan(0);
    expect(compareValues(new Date('2026-01-01T00:00:00Z'), '2026-01-01')).toBe(0);
  });

  it('refuses to compare mixed or unorderable kinds', () => {
    expect(compareValues(5, '2026-01-01')).toBeNull();
    expect(compareValues('abc', 'abd')).toBeNull();
    expect(compareValues(true, 1)).toBeNull();
    expect(toOrderable({})).toBeNull();
  });
});

describe('looseEquals', () => {
  it('compares strings exactly', () => {
    expect(looseEquals('Admin', 'Admin')).toBe(true);
    expect(looseEquals('Admin', 'admin')).toBe(false);
    expect(looseEquals('5.0', '5')).toBe(false);
  });

  it('compares numbers numerically against numbers or numeric strings', () => {
    expect(looseEquals('5', 5)).toBe(true);
    expect(looseEquals(5, '5.0')).toBe(true);
    expect(looseEquals(5, 6)).toBe(false);
    expect(looseEquals(5, 'five')).toBe(false);
  });

  it('compares booleans with their JSON spelling', () => {
    expect(looseEquals(true, true)).toBe(true);
    expect(looseEquals(true, 'true')).toBe(true);
    expect(looseEquals('false', false)).toBe(true);
    expect(looseEquals(true, 1)).toBe(false);
  });

  it('never equates objects or arrays', () => {
    expect(looseEquals({}, {})).toBe(false);
    expect(looseEquals(['a'], 'a')).toBe(false);
    expect(looseEquals(null, null)).toBe(false);
  });
});

describe('isScalar', () => {
  it('accepts strings, numbers and booleans only', () => {
    expect([1, 'a', false, null, undefined, [], {}].map(isScalar)).toEqual([
      true,
      true,
      true,
      false,
      false,
      false,
      false,
    ]);
  });
});
