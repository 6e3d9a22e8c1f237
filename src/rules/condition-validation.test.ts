import { describe, expect, it } from 'vitest';
import type { FieldError } from '../domain/errors.ts';
import { MAX_LIST_ENTRIES } from './condition-validation.ts';
import { validateRuleInput } from './rule-validation.ts';

const rule = (condition: unknown) => ({
  name: 'r',
  events: ['*'],
  conditions: [condition],
  actions: [{ channel: 'inbox', recipients: ['admin'] }],
});

/** One condition, checked as part of a rule body the way the API checks it. */
function run(input: unknown): { condition: unknown; errors: FieldError[] } {
  const result = validateRuleInput(rule(input));
  return result.ok
    ? { condition: result.value.conditions[0], errors: [] }
    : { condition: null, errors: result.errors };
}

const fieldsOf = (input: unknown) => run(input).errors.map((e) => e.field);

describe('condition checks', () => {
  it('accepts the spec example and keeps it as given', () => {
    const input = { field: 'ipAddress', operator: 'not_in', value: ['192.168.1.0/24'] };
    expect(run(input)).toEqual({ condition: input, errors: [] });
  });

  it('accepts a value for every operator in its expected shape', () => {
    const good: [string, unknown][] = [
      ['equals', 'x'],
      ['not_equals', 5],
      ['in', ['a', 1, true]],
      ['not_in', []],
      ['contains', 'x'],
      ['not_contains', false],
      ['starts_with', 'x'],
      ['ends_with', ''],
      ['matches', '^a+$'],
      ['gt', 1],
      ['gte', '2'],
      ['lt', '2026-01-01'],
      ['lte', '2026-01-01T00:00:00Z'],
      ['between', [1, 2]],
      ['exists', true],
      ['exists', undefined],
    ];
    for (const [operator, value] of good) {
      expect(run({ field: 'f', operator, value }).errors, operator).toEqual([]);
    }
  });

  it('omits an absent value and drops unknown keys', () => {
    expect(run({ field: 'user.email', operator: 'exists', note: 'x' }).condition).toEqual({
      field: 'user.email',
      operator: 'exists',
    });
  });

  it('names the operator field for an unknown operator, listing the known ones', () => {
    const { errors, condition } = run({ field: 'f', operator: 'like', value: 'x' });
    expect(condition).toBeNull();
    expect(errors).toEqual([
      { field: 'conditions[0].operator', detail: expect.stringContaining('equals, not_equals, in, not_in') },
    ]);
  });

  it('names the field path for bad field names', () => {
    expect(fieldsOf({ operator: 'exists' })).toEqual(['conditions[0].field']);
    expect(fieldsOf({ field: '', operator: 'exists' })).toEqual(['conditions[0].field']);
    expect(fieldsOf({ field: 'a..b', operator: 'exists' })).toEqual(['conditions[0].field']);
    expect(fieldsOf({ field: 'x'.repeat(201), operator: 'exists' })).toEqual(['conditions[0].field']);
  });

  it('rejects non-objects', () => {
    expect(run('ipAddress').errors).toEqual([
      { field: 'conditions[0]', detail: 'must be an object with field, operator and value' },
    ]);
    expect(fieldsOf(null)).toEqual(['conditions[0]']);
  });

  it('requires arrays for in and not_in, with scalar entries', () => {
    expect(fieldsOf({ field: 'f', operator: 'in', value: '192.168.1.0/24' })).toEqual([
      'conditions[0].value',
    ]);
    expect(run({ field: 'f', operator: 'not_in', value: ['a', { b: 1 }] }).errors).toEqual([
      { field: 'conditions[0].value[1]', detail: 'must be a string, number or boolean' },
    ]);
    const long = new Array(MAX_LIST_ENTRIES + 1).fill('a');
    expect(fieldsOf({ field: 'f', operator: 'in', value: long })).toEqual(['conditions[0].value']);
  });

  it('requires a two-element orderable array for between, low bound first', () => {
    expect(fieldsOf({ field: 'f', operator: 'between', value: [1] })).toEqual(['conditions[0].value']);
    expect(fieldsOf({ field: 'f', operator: 'between', value: [1, 2, 3] })).toEqual(['conditions[0].value']);
    expect(fieldsOf({ field: 'f', operator: 'between', value: 5 })).toEqual(['conditions[0].value']);
    expect(fieldsOf({ field: 'f', operator: 'between', value: ['a', 2] })).toEqual([
      'conditions[0].value[0]',
    ]);
    expect(fieldsOf({ field: 'f', operator: 'between', value: [1, '2026-01-01'] })).toEqual([
      'conditions[0].value',
    ]);
    expect(run({ field: 'f', operator: 'between', value: [5, 1] }).errors).toEqual([
      { field: 'conditions[0].value', detail: 'low bound must not be greater than high bound' },
    ]);
  });

  it('rejects invalid and unsafe regexes for matches', () => {
    const detail = (value: unknown) => run({ field: 'f', operator: 'matches', value }).errors[0];
    expect(detail('([a-z')).toEqual({
      field: 'conditions[0].value',
      detail: expect.stringMatching(/not a valid/),
    });
    expect(detail('(a+)+$')?.detail).toMatch(/nested quantifiers/);
    expect(detail('(a|a)*')?.detail).toMatch(/overlap/);
    expect(detail('(a)\\1')?.detail).toMatch(/backreferences/);
    expect(detail('a'.repeat(201))?.detail).toMatch(/at most 200/);
    expect(detail(5)).toEqual({
      field: 'conditions[0].value',
      detail: 'must be a regular expression as a string',
    });
  });

  it('rejects values of the wrong shape for the other operators', () => {
    expect(fieldsOf({ field: 'f', operator: 'equals', value: ['a'] })).toEqual(['conditions[0].value']);
    expect(run({ field: 'f', operator: 'equals' }).errors).toEqual([
      { field: 'conditions[0].value', detail: 'is required' },
    ]);
    expect(fieldsOf({ field: 'f', operator: 'contains', value: null })).toEqual(['conditions[0].value']);
    expect(fieldsOf({ field: 'f', operator: 'starts_with', value: 5 })).toEqual(['conditions[0].value']);
    expect(run({ field: 'f', operator: 'gt', value: 'soon' }).errors).toEqual([
      { field: 'conditions[0].value', detail: 'must be a number or an ISO 8601 date' },
    ]);
    expect(fieldsOf({ field: 'f', operator: 'exists', value: 'yes' })).toEqual(['conditions[0].value']);
  });
});
