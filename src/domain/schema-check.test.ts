import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { compileCheck, joinField } from './schema-check.ts';

describe('compileCheck', () => {
  const schema = Type.Object(
    {
      name: Type.String({ maxLength: 3 }),
      port: Type.Integer({ minimum: 1, 'x-detail': 'must be a port number' }),
      tags: Type.Optional(
        Type.Array(
          Type.String({ pattern: '^[a-z]+$', 'x-detail': { pattern: 'must be lower-case letters' } }),
        ),
      ),
      mode: Type.Optional(Type.Enum(['a', 'b'])),
    },
    { additionalProperties: false },
  );
  const check = compileCheck(schema);

  it('names each bad field once, with the sentence the schema gives', () => {
    expect(check.errors({ name: 'long', port: 0, tags: ['ok', 'Not'], mode: 'c', extra: 1 })).toEqual([
      { field: 'extra', detail: 'unknown field; expected one of name, port, tags, mode' },
      { field: 'name', detail: 'must be at most 3 characters' },
      { field: 'port', detail: 'must be a port number' },
      { field: 'tags[1]', detail: 'must be lower-case letters' },
      { field: 'mode', detail: 'must be one of a, b' },
    ]);
    expect(check.errors({})).toEqual([
      { field: 'name', detail: 'is required' },
      { field: 'port', detail: 'is required' },
    ]);
    expect(check.errors({ name: 'x', port: 2 })).toEqual([]);
  });

  it('prefixes fields when the value sits inside a larger body', () => {
    expect(check.errors({ name: 1, port: 2 }, 'config')).toEqual([
      { field: 'config.name', detail: 'must be a string' },
    ]);
  });

  it('reports more than TypeBox’s default of eight problems', () => {
    const many = compileCheck(Type.Array(Type.String()));
    expect(many.errors(Array.from({ length: 20 }, (_, i) => i))).toHaveLength(20);
  });

  it('converts text to the declared types, leaving what does not convert for the check', () => {
    expect(check.convert({ name: 'x', port: '8080', extra: 'y' })).toEqual({
      name: 'x',
      port: 8080,
      extra: 'y',
    });
    expect(check.errors(check.convert({ name: 'x', port: 'eighty' }))).toEqual([
      { field: 'port', detail: 'must be a port number' },
    ]);
  });
});

describe('unions', () => {
  const cadence = compileCheck(
    Type.Object({
      cadence: Type.Union(
        [
          Type.Literal('instant'),
          Type.Object({ type: Type.Literal('throttle'), minutes: Type.Integer({ minimum: 1 }) }),
          Type.Object({ type: Type.Literal('digest'), every: Type.Enum(['hour', 'day']) }),
        ],
        { 'x-detail': 'must be "instant" or a cadence object' },
      ),
    }),
  );

  it('reports the branch the discriminating property names', () => {
    expect(cadence.errors({ cadence: { type: 'digest', every: 'week' } })).toEqual([
      { field: 'cadence.every', detail: 'must be one of hour, day' },
    ]);
    expect(cadence.errors({ cadence: { type: 'throttle' } })).toEqual([
      { field: 'cadence.minutes', detail: 'is required' },
    ]);
  });

  it('names the discriminating property when it matches no branch', () => {
    expect(cadence.errors({ cadence: { type: 'sometimes' } })).toEqual([
      { field: 'cadence.type', detail: 'must be one of throttle, digest' },
    ]);
  });

  it('falls back to the union’s own sentence when the value fits no branch', () => {
    expect(cadence.errors({ cadence: 5 })).toEqual([
      { field: 'cadence', detail: 'must be "instant" or a cadence object' },
    ]);
  });

  it('picks the branch whose type the value has, and keeps array items apart', () => {
    const ids = compileCheck(
      Type.Array(Type.Union([Type.Array(Type.String()), Type.String()], { 'x-detail': 'must be ids' })),
    );
    expect(ids.errors([['a', 1], 'b', 7])).toEqual([
      { field: '[0][1]', detail: 'must be a string' },
      { field: '[2]', detail: 'must be ids' },
    ]);
  });
});

describe('joinField', () => {
  it('writes array indexes in brackets and keys with dots', () => {
    expect(['attachments', '0', 'url'].reduce(joinField, '')).toBe('attachments[0].url');
  });
});
