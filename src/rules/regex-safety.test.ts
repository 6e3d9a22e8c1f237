import { describe, expect, it } from 'vitest';
import { compileRuleRegex, findRegexProblem, MAX_REGEX_INPUT, MAX_REGEX_LENGTH } from './regex-safety.ts';

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
    '^a{2,5}b*c{1,9}d?',
    '[(a+)+]',
    '^\\(a+\\)+',
    'x{',
    '^(a+){2}',
    'error.*timeout',
    '^\\S+@\\S+$',
    '^.{0,1000}.{0,1000}x',
    '.*x|.*y',
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

describe('findRegexProblem on polynomial backtracking', () => {
  it.each([
    '.*.*x',
    '^.*.*.*x',
    'a.*b.*c',
    '\\w+\\w+x',
    '(a+){2}',
    '.{0,100}.{0,100}x',
    '^(a|.*)(.*)(.*)x',
    'a.*|b.*c.*',
  ])('rejects %s, which is at least cubic on a long field', (pattern) => {
    expect(findRegexProblem(pattern)).toMatch(/too many open-ended repeats/);
  });

  it('runs every accepted worst case quickly on a field at the input cap', () => {
    const inputs = [
      'a'.repeat(MAX_REGEX_INPUT),
      'ab'.repeat(MAX_REGEX_INPUT / 2),
      `${'@'.repeat(MAX_REGEX_INPUT - 1)} `,
    ];
    for (const pattern of ['.*x', '^.*a.*x', '^.*.*x', 'a.*b', '^\\S+@\\S+$', '^.{0,1000}.{0,1000}x']) {
      expect(findRegexProblem(pattern), pattern).toBeNull();
      const started = performance.now();
      for (const input of inputs) new RegExp(pattern).test(input);
      expect(performance.now() - started, pattern).toBeLessThan(3000);
    }
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
