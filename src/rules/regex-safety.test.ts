import { describe, expect, it } from 'vitest';
import { compileRuleRegex, findRegexProblem, MAX_REGEX_LENGTH } from './regex-safety.ts';

describe('findRegexProblem', () => {
  it.each([
    '^admin$',
    '^[a-z0-9._%+-]+@example\\.com$',
    '(\\d{1,3}\\.){3}\\d{1,3}',
    '^(GET|POST|DELETE)$',
    '(GET|POST)+',
    '(?:ab)+c',
    '(?<word>foo)bar',
    '(?=a)a+',
    'a{2,5}b*c+d?',
    '[(a+)+]',
    '\\(a+\\)+',
    'x{',
    '(a+){2}',
  ])('accepts %s', (pattern) => {
    expect(findRegexProblem(pattern)).toBeNull();
  });

  it.each(['(', '[a-', 'a{2,1}', '*a', '(?<n>a'])('rejects invalid %s', (pattern) => {
    expect(findRegexProblem(pattern)).toMatch(/not a valid regular expression/);
  });

  it('rejects patterns longer than the limit', () => {
    expect(findRegexProblem('a'.repeat(MAX_REGEX_LENGTH))).toBeNull();
    expect(findRegexProblem('a'.repeat(MAX_REGEX_LENGTH + 1))).toMatch(/at most 200/);
  });

  it.each([
    '(a+)+',
    '(a*)*',
    '(a+)*$',
    '^(\\w+\\s?)*$',
    '(?:a+)+',
    '((ab)+)*',
    '(a+){2,}',
    '(a?){20}',
    '(x+x+)+y',
  ])('rejects nested quantifier %s', (pattern) => {
    expect(findRegexProblem(pattern)).toMatch(/nested quantifiers/);
  });

  it.each(['(a|a)*', '(a|ab)+', '(a|)*', '(\\w|\\d)+', '((a|a)b)*', '(.|\\s)*'])(
    'rejects overlapping alternation %s',
    (pattern) => {
      expect(findRegexProblem(pattern)).toMatch(/overlap/);
    },
  );

  it.each(['(a)\\1', '(?<x>a)\\k<x>', '(a)(b)\\2'])('rejects backreference %s', (pattern) => {
    expect(findRegexProblem(pattern)).toMatch(/backreferences/);
  });
});

describe('compileRuleRegex', () => {
  it('compiles safe patterns and reuses them', () => {
    const first = compileRuleRegex('^auth');
    expect(first?.test('authenticate')).toBe(true);
    expect(compileRuleRegex('^auth')).toBe(first);
  });

  it('refuses unsafe or invalid patterns even when they skipped validation', () => {
    expect(compileRuleRegex('(a+)+$')).toBeNull();
    expect(compileRuleRegex('(')).toBeNull();
  });
});
