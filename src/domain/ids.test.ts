import { describe, expect, it } from 'vitest';
import { isUuid, newId } from './ids.ts';

describe('newId', () => {
  it('is a UUIDv7 whose first 48 bits are the millisecond it was made', () => {
    const at = Date.UTC(2026, 11, 3, 6, 0, 0, 123);
    const id = newId(at);
    expect(isUuid(id)).toBe(true);
    expect(id[14]).toBe('7');
    expect('89ab').toContain(id[19]);
    expect(Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts by creation time and never repeats', () => {
    const ids = Array.from({ length: 5000 }, (_, i) => newId(1_700_000_000_000 + Math.floor(i / 10)));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps the order ids were made in within one millisecond, for as many as 2,048', () => {
    const at = Date.UTC(2026, 11, 4, 21, 0, 0, 7);
    newId(at - 1);
    const ids = Array.from({ length: 2048 }, () => newId(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16) === at)).toBe(true);
  });
});
