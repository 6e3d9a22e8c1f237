import { findRegexProblem } from './regex-safety.ts';
import {
  CONDITION_OPERATORS,
  type ConditionOperator,
  type FieldError,
  isConditionOperator,
  type RuleCondition,
} from './rule.types.ts';
import { isScalar, toOrderable } from './value-compare.ts';

/** Longest dotted field path; event fields are names, not documents. */
export const MAX_FIELD_PATH_LENGTH = 200;

/** Most entries in an `in` / `not_in` list; long allow-lists belong in CIDR ranges. */
export const MAX_LIST_ENTRIES = 1000;

const FIELD_PATH = /^[^.]+(?:\.[^.]+)*$/;

/**
 * Checks one condition at `path` (e.g. `conditions[0]`), appending problems to `errors` with
 * the exact sub-field at fault, so a client can point at the offending input. Returns the
 * normalised condition, or null when anything was wrong.
 */
export function validateCondition(input: unknown, path: string, errors: FieldError[]): RuleCondition | null {
  if (!isRecord(input)) {
    errors.push({ field: path, detail: 'must be an object with field, operator and value' });
    return null;
  }
  const before = errors.length;
  const { field, operator, value } = input;
  if (typeof field !== 'string' || field.length === 0) {
    errors.push({ field: `${path}.field`, detail: 'must be a non-empty string (a dotted path)' });
  } else if (field.length > MAX_FIELD_PATH_LENGTH) {
    errors.push({ field: `${path}.field`, detail: `must be at most ${MAX_FIELD_PATH_LENGTH} characters` });
  } else if (!FIELD_PATH.test(field)) {
    errors.push({ field: `${path}.field`, detail: 'must be a dotted path such as user.email or tags.0' });
  }
  if (!isConditionOperator(operator)) {
    errors.push({
      field: `${path}.operator`,
      detail: `unknown operator ${JSON.stringify(operator)}; use one of ${CONDITION_OPERATORS.join(', ')}`,
    });
  } else {
    checkValue(operator, value, `${path}.value`, errors);
  }
  if (errors.length > before) return null;
  const condition: RuleCondition = { field: field as string, operator: operator as ConditionOperator };
  if (value !== undefined) condition.value = value;
  return condition;
}

function checkValue(operator: ConditionOperator, value: unknown, path: string, errors: FieldError[]): void {
  const fail = (detail: string, at = path) => errors.push({ field: at, detail });
  switch (operator) {
    case 'equals':
    case 'not_equals':
    case 'contains':
    case 'not_contains':
      if (!isScalar(value)) fail('must be a string, number or boolean');
      return;
    case 'starts_with':
    case 'ends_with':
      if (typeof value !== 'string') fail('must be a string');
      return;
    case 'in':
    case 'not_in':
      if (!Array.isArray(value)) {
        fail('must be an array of values (IP fields also accept CIDR ranges)');
      } else if (value.length > MAX_LIST_ENTRIES) {
        fail(`must have at most ${MAX_LIST_ENTRIES} entries`);
      } else {
        value.forEach((entry, i) => {
          if (!isScalar(entry)) fail('must be a string, number or boolean', `${path}[${i}]`);
        });
      }
      return;
    case 'matches':
      if (typeof value !== 'string') fail('must be a regular expression as a string');
      else {
        const problem = findRegexProblem(value);
        if (problem) fail(problem);
      }
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (toOrderable(value) === null) fail('must be a number or an ISO 8601 date');
      return;
    case 'between':
      checkBetween(value, path, errors);
      return;
    case 'exists':
      if (value !== undefined && typeof value !== 'boolean') fail('must be true or false (or omitted)');
      return;
  }
}

function checkBetween(value: unknown, path: string, errors: FieldError[]): void {
  if (!Array.isArray(value) || value.length !== 2) {
    errors.push({ field: path, detail: 'must be a two-element array [low, high]' });
    return;
  }
  const [low, high] = value.map(toOrderable);
  if (!low) errors.push({ field: `${path}[0]`, detail: 'must be a number or an ISO 8601 date' });
  if (!high) errors.push({ field: `${path}[1]`, detail: 'must be a number or an ISO 8601 date' });
  if (!low || !high) return;
  if (low.kind !== high.kind) {
    errors.push({ field: path, detail: 'bounds must both be numbers or both be dates' });
  } else if (low.value > high.value) {
    errors.push({ field: path, detail: 'low bound must not be greater than high bound' });
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
