import { isIpInRange, parseIpAddress } from './ip-range.ts';
import { compileRuleRegex, MAX_REGEX_INPUT } from './regex-safety.ts';
import { EVENT_ATTRIBUTES, type EventAttribute, type RuleCondition, type RuleEvent } from './rule.types.ts';
import { compareValues, isScalar, looseEquals, toOrderable } from './value-compare.ts';

/**
 * Reads a dotted path (`user.email`, `tags.0`) from an event's fields. A key that itself
 * contains dots (`{"user.email": ...}`, as flat senders post it) wins over walking, so both
 * shapes work. Only own properties are read, so `constructor` or `__proto__` never resolve.
 */
export function readField(fields: Record<string, unknown>, path: string): unknown {
  if (Object.hasOwn(fields, path)) return fields[path];
  let current: unknown = fields;
  for (const segment of path.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, segment)) {
      return undefined;
    }
    current = (current as Record<string, unknown>)[segment];
  }
  return current;
}

/** How a condition reads the value it tests. */
export type FieldReader = (path: string) => unknown;

const firstPresent = (fields: Record<string, unknown>, names: readonly string[]) => {
  for (const name of names) {
    const value = readField(fields, name);
    if (value !== undefined && value !== null && value !== '') return value;
  }
  return undefined;
};

export const isEventAttribute = (path: string): path is EventAttribute =>
  Object.hasOwn(EVENT_ATTRIBUTES, path);

/** The event's own attributes ({@link EVENT_ATTRIBUTES}); undefined for any other path. */
export function readEventAttribute(event: RuleEvent, path: EventAttribute): unknown {
  const iso = event.occurredAt.toISOString();
  switch (path) {
    case '$name':
      return event.name;
    case '$source':
      return event.source ?? 'herald';
    case '$ip':
      return firstPresent(event.fields, ['ip', 'ipAddress', 'ip_address']);
    case '$user':
      return firstPresent(event.fields, ['userId', 'user_id', 'user', 'username']);
    case '$time':
      return iso.slice(11, 16);
    case '$date':
      return iso.slice(0, 10);
    case '$details':
      return JSON.stringify(event.fields);
  }
}

/** Reads `$` attributes from the event itself and everything else from its fields. */
export function eventReader(event: RuleEvent): FieldReader {
  return (path) => (isEventAttribute(path) ? readEventAttribute(event, path) : readField(event.fields, path));
}

/** Empty condition lists match: a rule without conditions fires on every event it hears. */
export function evaluateConditions(
  logic: 'and' | 'or',
  conditions: readonly RuleCondition[],
  fields: Record<string, unknown> | FieldReader,
): boolean {
  if (conditions.length === 0) return true;
  const holds = (condition: RuleCondition) => evaluateCondition(condition, fields);
  return logic === 'and' ? conditions.every(holds) : conditions.some(holds);
}

/**
 * A missing (or null) field fails every positive test and passes every negative one: "the IP is
 * not in our office range" is true of an event that carries no IP, while "the IP is in it" is
 * not. `exists: false` is the way to ask for absence explicitly.
 */
export function evaluateCondition(
  condition: RuleCondition,
  fields: Record<string, unknown> | FieldReader,
): boolean {
  const actual = typeof fields === 'function' ? fields(condition.field) : readField(fields, condition.field);
  const expected = condition.value;
  const present = actual !== undefined && actual !== null;
  switch (condition.operator) {
    case 'exists':
      return expected === false ? !present : present;
    case 'not_equals':
      return !present || !looseEquals(actual, expected);
    case 'not_in':
      return !present || !isIn(actual, expected);
    case 'not_contains':
      return !present || !contains(actual, expected);
  }
  if (!present) return false;
  switch (condition.operator) {
    case 'equals':
      return looseEquals(actual, expected);
    case 'in':
      return isIn(actual, expected);
    case 'contains':
      return contains(actual, expected);
    case 'starts_with':
      return typeof expected === 'string' && asText(actual)?.startsWith(expected) === true;
    case 'ends_with':
      return typeof expected === 'string' && asText(actual)?.endsWith(expected) === true;
    case 'matches':
      return matches(actual, expected);
    case 'gt':
      return isOrdered(compareValues(actual, expected), (c) => c > 0);
    case 'gte':
      return isOrdered(compareValues(actual, expected), (c) => c >= 0);
    case 'lt':
      return isOrdered(compareValues(actual, expected), (c) => c < 0);
    case 'lte':
      return isOrdered(compareValues(actual, expected), (c) => c <= 0);
    case 'before':
      return isOrdered(compareOrText(actual, expected), (c) => c < 0);
    case 'after':
      return isOrdered(compareOrText(actual, expected), (c) => c > 0);
    case 'between':
      return between(actual, expected);
  }
  return false;
}

/**
 * Membership in a list. When the field is an IP address, entries may be CIDR ranges (or
 * addresses in another notation), which is how "alert on logins from outside the office" is
 * written. An array field is in the list when any of its elements is.
 */
function isIn(actual: unknown, list: unknown): boolean {
  if (!Array.isArray(list)) return false;
  if (Array.isArray(actual)) return actual.some((element) => isScalar(element) && isIn(element, list));
  if (!isScalar(actual)) return false;
  const isIp = typeof actual === 'string' && parseIpAddress(actual) !== null;
  return list.some(
    (entry) =>
      looseEquals(actual, entry) ||
      (isIp && typeof entry === 'string' && isIpInRange(actual as string, entry)),
  );
}

/** Substring for text, element for arrays; other shapes contain nothing. */
function contains(actual: unknown, expected: unknown): boolean {
  if (Array.isArray(actual)) return actual.some((element) => looseEquals(element, expected));
  if (typeof actual === 'string' && isScalar(expected)) return actual.includes(String(expected));
  return false;
}

function matches(actual: unknown, pattern: unknown): boolean {
  const text = asText(actual);
  if (text === null || typeof pattern !== 'string') return false;
  const regex = compileRuleRegex(pattern);
  return regex?.test(text.slice(0, MAX_REGEX_INPUT)) === true;
}

function between(actual: unknown, bounds: unknown): boolean {
  if (!Array.isArray(bounds) || bounds.length !== 2) return false;
  const low = compareOrText(actual, bounds[0]);
  const high = compareOrText(actual, bounds[1]);
  return low !== null && high !== null && low >= 0 && high <= 0;
}

/**
 * Numbers and instants compare as such; a bound that is neither (a clock time `09:30`, a
 * version `1.10`... anything else) compares as text, character by character, which orders
 * fixed-width values such as `HH:MM` and `YYYY-MM-DD` correctly.
 */
function compareOrText(actual: unknown, bound: unknown): number | null {
  if (typeof bound === 'string' && toOrderable(bound) === null) {
    const text = asText(actual);
    if (text === null) return null;
    return text < bound ? -1 : text > bound ? 1 : 0;
  }
  return compareValues(actual, bound);
}

// Text operators also apply to numbers so `statusCode starts_with "5"` reads naturally.
function asText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

function isOrdered(comparison: number | null, test: (comparison: number) => boolean): boolean {
  return comparison !== null && test(comparison);
}
