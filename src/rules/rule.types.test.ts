import { describe, expect, it } from 'vitest';
import { ConditionSchema } from './condition-validation.ts';
import { CONDITION_OPERATORS, type ConditionOperator } from './rule.types.ts';

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
      'before',
      'after',
      'between',
      'exists',
    ];
    expect([...CONDITION_OPERATORS].sort()).toEqual([...expected].sort());
    expect(new Set(CONDITION_OPERATORS).size).toBe(CONDITION_OPERATORS.length);
  });

  it('are exactly the operators the condition schema accepts, in the same order', () => {
    const accepted = ConditionSchema.anyOf.flatMap((branch) => branch.properties.operator.enum as string[]);
    expect(accepted).toEqual([...CONDITION_OPERATORS]);
  });
});
