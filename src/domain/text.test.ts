import { describe, expect, it } from 'vitest';
import { BAD_TEXT_DETAIL, jsonTooDeep, MAX_JSON_DEPTH, TOO_DEEP_DETAIL, textIssue } from './text.ts';

const nested = (levels: number, inner = '1') => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;

describe('jsonTooDeep', () => {
  it('lets nesting up to the limit through and names the top-level field past it', () => {
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonTooDeep(`{"extras":${nested(MAX_JSON_DEPTH - 1)}}`)).toBeUndefined();
    expect(jsonTooDeep(`{"title":"x","extras":${nested(MAX_JSON_DEPTH)}}`)).toBe('extras');
    expect(jsonTooDeep(nested(MAX_JSON_DEPTH + 1))).toBe('(body)');
  });

  it('does not count brackets inside strings, escaped quotes included', () => {
    const text = `{"body":"${'['.repeat(100)} \\" ${'{'.repeat(100)}","x":[1]}`;
    expect(jsonTooDeep(text)).toBeUndefined();
    expect(jsonTooDeep(`{"a\\"b":${nested(MAX_JSON_DEPTH)}}`)).toBe('a"b');
  });

  it('takes brackets that close more than they opened as they come, without going below zero', () => {
    expect(jsonTooDeep(`]]]]${nested(MAX_JSON_DEPTH)}`)).toBeUndefined();
    expect(jsonTooDeep(`]]]]${nested(MAX_JSON_DEPTH + 1)}`)).toBe('(body)');
  });
});

describe('textIssue', () => {
  it('passes clean values of every shape', () => {
    expect(
      textIssue({ title: 'ok', tags: ['a', 'b'], n: 1, nil: null, deep: { x: [{ y: 'é😀' }] } }, ''),
    ).toBe(undefined);
    expect(textIssue(Buffer.from([0]), 'file')).toBeUndefined();
  });

  it('names the path of a bad string, a bad key and too deep a value', () => {
    expect(textIssue({ a: { b: ['ok', 'nul\u0000'] } }, '')).toEqual({
      field: 'a.b[1]',
      detail: BAD_TEXT_DETAIL,
    });
    expect(textIssue({ a: { 'k\uD800': 1 } }, '')).toEqual({ field: 'a', detail: BAD_TEXT_DETAIL });
    expect(textIssue('\uDC00', 'title')).toEqual({ field: 'title', detail: BAD_TEXT_DETAIL });
    let deep: unknown = 'x';
    for (let i = 0; i < MAX_JSON_DEPTH + 1; i++) deep = [deep];
    expect(textIssue({ extras: deep }, '')).toEqual({ field: 'extras', detail: TOO_DEEP_DETAIL });
  });

  it('keeps the first issue in order when there are several', () => {
    expect(textIssue({ first: '\u0000', second: '\uD800' }, 'body')).toEqual({
      field: 'body.first',
      detail: BAD_TEXT_DETAIL,
    });
  });
});
