/**
 * How condition values compare to event fields. Events arrive as JSON from many senders, so a
 * number may come as `5` or `"5"`; rules should not care. Strings otherwise compare exactly
 * (case-sensitive), because names and ids are case-sensitive in the systems that send them.
 */

/** A value that can be ordered: a number, or an instant in time (as epoch milliseconds). */
export type Orderable = { kind: 'number'; value: number } | { kind: 'time'; value: number };

const NUMERIC = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

// Only ISO 8601 shapes count as dates: `Date.parse` alone accepts far too much ("1", "May 5").
const ISO_DATE =
  /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?<offset>[Zz]|[+-]\d{2}:?\d{2})?)?$/;

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && NUMERIC.test(value)) {
    const parsed = Number(value);
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function toTime(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.getTime();
  if (typeof value !== 'string') return null;
  const match = ISO_DATE.exec(value);
  if (!match) return null;
  // A date-time without an offset would otherwise be read in the host's zone, making the
  // result depend on where Herald runs; treat it as UTC instead.
  const hasTime = value.length > 10;
  const text = hasTime && !match.groups?.offset ? `${value}Z` : value;
  const parsed = Date.parse(text);
  return Number.isNaN(parsed) ? null : parsed;
}

/** Numbers (or numeric strings) first, then ISO dates; anything else cannot be ordered. */
export function toOrderable(value: unknown): Orderable | null {
  const number = toNumber(value);
  if (number !== null) return { kind: 'number', value: number };
  const time = toTime(value);
  if (time !== null) return { kind: 'time', value: time };
  return null;
}

/** Negative, zero or positive like a sort comparator; null when the two cannot be compared. */
export function compareValues(left: unknown, right: unknown): number | null {
  const a = toOrderable(left);
  const b = toOrderable(right);
  if (!a || !b || a.kind !== b.kind) return null;
  return a.value - b.value;
}

/**
 * Equality as rules mean it: strings exactly, numbers numerically (`"5"` equals `5`), booleans
 * also against their JSON spelling (`true` equals `"true"`). Objects and arrays never equal.
 */
export function looseEquals(left: unknown, right: unknown): boolean {
  if (typeof left === 'string' && typeof right === 'string') return left === right;
  if (typeof left === 'number' || typeof right === 'number') {
    const a = toNumber(left);
    const b = toNumber(right);
    return a !== null && b !== null && a === b;
  }
  if (typeof left === 'boolean' && typeof right === 'boolean') return left === right;
  if (typeof left === 'boolean' && typeof right === 'string') return String(left) === right;
  if (typeof left === 'string' && typeof right === 'boolean') return left === String(right);
  return false;
}

export function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}
