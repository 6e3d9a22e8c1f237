import { describe, expect, it } from 'vitest';
import { CONDITION_OPERATORS, type ConditionOperator, isConditionOperator } from './rule.types.ts';

describe('condition operators', () => {
  it('lists every operator of the API once', () => {
    const expected: ConditionOperator[] = [
      'equals',
      'not_equals',
      'in',
      'not_in',
      'contains',
      'not_contains',
      'starts_with',
      'ends_with',
      'matches',
      'gt',
      'gte',
      'lt',
      'lte',
      'between',
      'exists',
    ];
    expect([...CONDITION_OPERATORS].sort()).toEqual([...expected].sort());
    expect(new Set(CONDITION_OPERATORS).size).toBe(CONDITION_OPERATORS.length);
  });

  it('recognises operators and nothing else', () => {
    expect(isConditionOperator('not_in')).toBe(true);
    expect(isConditionOperator('NOT_IN')).toBe(false);
    expect(isConditionOperator('like')).toBe(false);
    expect(isConditionOperator(undefined)).toBe(false);
    expect(isConditionOperator(3)).toBe(false);
  });
});
