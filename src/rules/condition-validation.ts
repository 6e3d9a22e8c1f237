import { type TSchema, Type } from 'typebox';
import type { FieldError } from '../domain/errors.ts';
import { findRegexProblem, MAX_REGEX_LENGTH } from './regex-safety.ts';
import { type ConditionOperator, EVENT_ATTRIBUTES } from './rule.types.ts';
import { toOrderable } from './value-compare.ts';

/** Longest dotted field path; event fields are names, not documents. */
export const MAX_FIELD_PATH_LENGTH = 200;

/** Most entries in an `in` / `not_in` list; long allow-lists belong in CIDR ranges. */
export const MAX_LIST_ENTRIES = 1000;

const ORDERED = 'must be a number or an ISO 8601 date';

const FieldPath = Type.String({
  minLength: 1,
  maxLength: MAX_FIELD_PATH_LENGTH,
  pattern: '^[^.]+(?:\\.[^.]+)*$',
  description: `Dotted path into the event fields, such as user.email or tags.0, or one of the event's own attributes: ${Object.keys(EVENT_ATTRIBUTES).join(', ')}`,
  'x-detail': { pattern: 'must be a dotted path such as user.email or tags.0', type: 'must be a string' },
});

const Scalar = Type.Union([Type.String(), Type.Number(), Type.Boolean()], {
  'x-detail': 'must be a string, number or boolean',
});

/** Numbers, numeric strings or ISO 8601 dates; which strings qualify is checked in code. */
const Orderable = Type.Union([Type.Number(), Type.String()], { 'x-detail': ORDERED });

const condition = (operators: readonly ConditionOperator[], value: TSchema, description: string) =>
  Type.Object({ field: FieldPath, operator: Type.Enum(operators), value }, { description });

/**
 * One condition; the operator decides what `value` must be. A field that is missing from the
 * event makes positive operators false and negative ones (`not_*`) true.
 */
export const ConditionSchema = Type.Union(
  [
    condition(['equals', 'not_equals'], Scalar, 'Equal (numbers compare as numbers)'),
    condition(
      ['in', 'not_in'],
      Type.Array(Scalar, {
        maxItems: MAX_LIST_ENTRIES,
        'x-detail': { type: 'must be an array of values (IP fields also accept CIDR ranges)' },
      }),
      'One of the values; for IP fields, entries may be CIDR ranges',
    ),
    condition(['contains', 'not_contains'], Scalar, 'Substring, or member of an array field'),
    condition(['starts_with', 'ends_with'], Type.String(), 'String prefix or suffix'),
    condition(
      ['matches'],
      Type.String({
        maxLength: MAX_REGEX_LENGTH,
        'x-detail': { type: 'must be a regular expression as a string' },
      }),
      'Regular expression; patterns that could backtrack catastrophically are refused',
    ),
    condition(['gt', 'gte', 'lt', 'lte'], Orderable, 'Compared as numbers or as instants'),
    condition(
      ['before', 'after'],
      Orderable,
      'Less or greater: as numbers or instants, otherwise as text (09:30, 2026-05-01)',
    ),
    condition(
      ['between'],
      Type.Array(Orderable, {
        minItems: 2,
        maxItems: 2,
        'x-detail': {
          type: 'must be a two-element array [low, high]',
          minItems: 'must be a two-element array [low, high]',
          maxItems: 'must be a two-element array [low, high]',
        },
      }),
      'Inclusive [low, high]: both numbers, both dates, or both text (compared as text, like 09:00 and 17:00)',
    ),
    Type.Object(
      {
        field: FieldPath,
        operator: Type.Enum(['exists']),
        value: Type.Optional(Type.Boolean({ 'x-detail': 'must be true or false (or omitted)' })),
      },
      { description: 'The field is present (value true or omitted) or absent (false)' },
    ),
  ],
  { 'x-detail': 'must be an object with field, operator and value' },
);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What the condition schema cannot express: that a `matches` pattern is safe to run, that an
 * ordered value really is a number or an ISO date, and that `between` bounds are of one kind
 * and in order. Runs on input that may also fail the schema, so it looks only at the shapes it
 * understands; `path` is where the condition sits (`conditions[0]`).
 */
export function conditionProblems(input: unknown, path: string): FieldError[] {
  if (!isRecord(input)) return [];
  const at = `${path}.value`;
  const { operator, value, field } = input;
  if (typeof field === 'string' && field.startsWith('$') && !Object.hasOwn(EVENT_ATTRIBUTES, field)) {
    return [
      {
        field: `${path}.field`,
        detail: `is not an event attribute; those are ${Object.keys(EVENT_ATTRIBUTES).join(', ')}`,
      },
    ];
  }
  switch (operator) {
    case 'matches': {
      const problem = typeof value === 'string' ? findRegexProblem(value) : null;
      return problem ? [{ field: at, detail: problem }] : [];
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return (typeof value === 'string' || typeof value === 'number') && toOrderable(value) === null
        ? [{ field: at, detail: ORDERED }]
        : [];
    case 'between':
      return Array.isArray(value) && value.length === 2 ? betweenProblems(value, at) : [];
    default:
      return [];
  }
}

function betweenProblems(bounds: unknown[], path: string): FieldError[] {
  if (!bounds.every((b) => typeof b === 'string' || typeof b === 'number')) return [];
  // Two texts that are neither numbers nor dates (09:00 and 17:00) compare as text.
  const isText = (b: unknown) => typeof b === 'string' && toOrderable(b) === null;
  if (bounds.every(isText)) {
    return (bounds[0] as string) > (bounds[1] as string)
      ? [{ field: path, detail: 'low bound must not be greater than high bound' }]
      : [];
  }
  const [low, high] = bounds.map(toOrderable);
  const errors: FieldError[] = [];
  if (!low) errors.push({ field: `${path}[0]`, detail: ORDERED });
  if (!high) errors.push({ field: `${path}[1]`, detail: ORDERED });
  if (!low || !high) return errors;
  if (low.kind !== high.kind)
    return [{ field: path, detail: 'bounds must both be numbers or both be dates' }];
  if (low.value > high.value)
    return [{ field: path, detail: 'low bound must not be greater than high bound' }];
  return [];
}

/** What a condition's `value` is, for an editor: derived from the schema branch that takes it. */
export type OperatorValueKind = 'value' | 'list' | 'pair' | 'boolean';

export interface OperatorInfo {
  operator: ConditionOperator;
  value: OperatorValueKind;
  description: string;
}

/** Every operator with its value kind and meaning, in the order the schema lists them. */
export function operatorCatalogue(): OperatorInfo[] {
  return ConditionSchema.anyOf.flatMap((schema) => {
    const branch = schema as unknown as {
      description?: string;
      properties: Record<string, Record<string, unknown>>;
    };
    const props = branch.properties;
    const value = props.value;
    const kind: OperatorValueKind =
      value.type === 'array'
        ? value.minItems === 2
          ? 'pair'
          : 'list'
        : value.type === 'boolean'
          ? 'boolean'
          : 'value';
    return (props.operator.enum as ConditionOperator[]).map((operator) => ({
      operator,
      value: kind,
      description: String(branch.description ?? ''),
    }));
  });
}
