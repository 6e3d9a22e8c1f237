import { describe, expect, it } from 'vitest';
import { evaluateCondition, evaluateConditions, eventReader, readField } from './conditions.ts';
import { MAX_REGEX_INPUT } from './regex-safety.ts';
import type { ConditionOperator, RuleCondition } from './rule.types.ts';

const fields = {
  username: 'alice',
  ipAddress: '203.0.113.9',
  attempts: 5,
  attemptsText: '7',
  admin: true,
  note: null,
  occurredAt: '2026-11-22T14:03:00Z',
  tags: ['prod', 'eu'],
  user: { email: 'alice@example.com', profile: { country: 'NL' } },
  'flat.key': 'dotted',
};

const check = (operator: ConditionOperator, field: string, value?: unknown) =>
  evaluateCondition(value === undefined ? { field, operator } : { field, operator, value }, fields);

describe('readField', () => {
  it('walks dotted paths into objects and arrays', () => {
    expect(readField(fields, 'user.email')).toBe('alice@example.com');
    expect(readField(fields, 'user.profile.country')).toBe('NL');
    expect(readField(fields, 'tags.0')).toBe('prod');
    expect(readField(fields, 'tags.5')).toBeUndefined();
    expect(readField(fields, 'username.length')).toBeUndefined();
  });

  it('prefers a literal key containing dots', () => {
    expect(readField(fields, 'flat.key')).toBe('dotted');
  });

  it('never resolves inherited properties', () => {
    expect(readField(fields, 'constructor')).toBeUndefined();
    expect(readField(fields, 'user.__proto__')).toBeUndefined();
    expect(readField(fields, 'tags.length')).toBe(2);
  });
});

describe('evaluateCondition per operator', () => {
  it('equals / not_equals', () => {
    expect(check('equals', 'username', 'alice')).toBe(true);
    expect(check('equals', 'username', 'Alice')).toBe(false);
    expect(check('equals', 'attempts', '5')).toBe(true);
    expect(check('equals', 'attemptsText', 7)).toBe(true);
    expect(check('equals', 'admin', true)).toBe(true);
    expect(check('not_equals', 'username', 'bob')).toBe(true);
    expect(check('not_equals', 'username', 'alice')).toBe(false);
  });

  it('in / not_in with plain values', () => {
    expect(check('in', 'username', ['bob', 'alice'])).toBe(true);
    expect(check('in', 'username', ['bob'])).toBe(false);
    expect(check('in', 'attempts', ['5', 6])).toBe(true);
    expect(check('in', 'tags', ['eu'])).toBe(true);
    expect(check('in', 'tags', ['us'])).toBe(false);
    expect(check('not_in', 'username', ['bob'])).toBe(true);
    expect(check('not_in', 'username', ['alice'])).toBe(false);
    expect(check('in', 'username', 'alice')).toBe(false);
  });

  it('in / not_in with IPv4 CIDR ranges (the spec example)', () => {
    const office = ['192.168.1.0/24'];
    expect(check('not_in', 'ipAddress', office)).toBe(true);
    expect(
      evaluateCondition({ field: 'ip', operator: 'not_in', value: office }, { ip: '192.168.1.20' }),
    ).toBe(false);
    expect(evaluateCondition({ field: 'ip', operator: 'in', value: office }, { ip: '192.168.1.20' })).toBe(
      true,
    );
    expect(
      evaluateCondition({ field: 'ip', operator: 'in', value: office }, { ip: '::ffff:192.168.1.5' }),
    ).toBe(true);
    expect(check('in', 'ipAddress', ['10.0.0.0/8', '203.0.113.0/24'])).toBe(true);
    expect(check('in', 'username', ['10.0.0.0/8'])).toBe(false);
  });

  it('in / not_in with IPv6 CIDR ranges', () => {
    const ip = { ip: '2001:db8:1234::42' };
    expect(evaluateCondition({ field: 'ip', operator: 'in', value: ['2001:db8::/32'] }, ip)).toBe(true);
    expect(evaluateCondition({ field: 'ip', operator: 'not_in', value: ['2001:db8::/32'] }, ip)).toBe(false);
    expect(evaluateCondition({ field: 'ip', operator: 'in', value: ['2001:db9::/32'] }, ip)).toBe(false);
    expect(evaluateCondition({ field: 'ip', operator: 'in', value: ['2001:db8:1234::42'] }, ip)).toBe(true);
    expect(evaluateCondition({ field: 'ip', operator: 'in', value: ['2001:DB8:1234:0::42'] }, ip)).toBe(true);
  });

  it('contains / not_contains', () => {
    expect(check('contains', 'user.email', '@example.')).toBe(true);
    expect(check('contains', 'user.email', '@other.')).toBe(false);
    expect(check('contains', 'tags', 'prod')).toBe(true);
    expect(check('contains', 'tags', 'pro')).toBe(false);
    expect(check('contains', 'attempts', '5')).toBe(false);
    expect(check('not_contains', 'tags', 'staging')).toBe(true);
    expect(check('not_contains', 'user.email', 'alice')).toBe(false);
  });

  it('starts_with / ends_with', () => {
    expect(check('starts_with', 'username', 'ali')).toBe(true);
    expect(check('starts_with', 'username', 'lic')).toBe(false);
    expect(check('ends_with', 'user.email', '@example.com')).toBe(true);
    expect(check('ends_with', 'user.email', '@example.org')).toBe(false);
    expect(check('starts_with', 'attempts', '5')).toBe(true);
    expect(check('starts_with', 'tags', 'prod')).toBe(false);
  });

  it('matches', () => {
    expect(check('matches', 'user.email', '^[a-z]+@example\\.com$')).toBe(true);
    expect(check('matches', 'username', '^bob')).toBe(false);
    expect(check('matches', 'username', '(a+)+$')).toBe(false);
    expect(check('matches', 'tags', 'prod')).toBe(false);
  });

  it('matches only looks at the first 10,000 characters', () => {
    const long = { text: `${'x'.repeat(MAX_REGEX_INPUT)}needle` };
    expect(evaluateCondition({ field: 'text', operator: 'matches', value: 'needle' }, long)).toBe(false);
    expect(evaluateCondition({ field: 'text', operator: 'matches', value: 'x$' }, long)).toBe(true);
  });

  it('gt / gte / lt / lte on numbers', () => {
    expect(check('gt', 'attempts', 4)).toBe(true);
    expect(check('gt', 'attempts', 5)).toBe(false);
    expect(check('gte', 'attempts', 5)).toBe(true);
    expect(check('gte', 'attempts', '6')).toBe(false);
    expect(check('lt', 'attemptsText', 10)).toBe(true);
    expect(check('lt', 'attempts', 5)).toBe(false);
    expect(check('lte', 'attempts', 5)).toBe(true);
    expect(check('lte', 'attempts', 4)).toBe(false);
    expect(check('gt', 'username', 1)).toBe(false);
  });

  it('gt / lt on ISO dates', () => {
    expect(check('gt', 'occurredAt', '2026-11-22')).toBe(true);
    expect(check('lt', 'occurredAt', '2026-11-22T14:00:00+01:00')).toBe(false);
    expect(check('lt', 'occurredAt', '2026-11-23')).toBe(true);
    expect(check('gt', 'occurredAt', 5)).toBe(false);
  });

  it('between is inclusive at both ends', () => {
    expect(check('between', 'attempts', [1, 5])).toBe(true);
    expect(check('between', 'attempts', [5, 9])).toBe(true);
    expect(check('between', 'attempts', [6, 9])).toBe(false);
    expect(check('between', 'occurredAt', ['2026-11-22', '2026-11-23'])).toBe(true);
    expect(check('between', 'occurredAt', ['2026-11-23', '2026-11-24'])).toBe(false);
    expect(check('between', 'attempts', [1])).toBe(false);
  });

  it('exists', () => {
    expect(check('exists', 'username')).toBe(true);
    expect(check('exists', 'username', true)).toBe(true);
    expect(check('exists', 'username', false)).toBe(false);
    expect(check('exists', 'missing')).toBe(false);
    expect(check('exists', 'missing', false)).toBe(true);
    expect(check('exists', 'note', true)).toBe(false);
    expect(check('exists', 'note', false)).toBe(true);
  });
});

describe('evaluateCondition on a missing field', () => {
  const positive: [ConditionOperator, unknown][] = [
    ['equals', 'x'],
    ['in', ['x']],
    ['contains', 'x'],
    ['starts_with', 'x'],
    ['ends_with', 'x'],
    ['matches', '.*'],
    ['gt', 0],
    ['gte', 0],
    ['lt', 0],
    ['lte', 0],
    ['between', [0, 1]],
    ['exists', true],
  ];

  it.each(positive)('%s is false', (operator, value) => {
    expect(check(operator, 'missing', value)).toBe(false);
    expect(check(operator, 'note', value)).toBe(false);
  });

  it.each([
    ['not_equals', 'x'],
    ['not_in', ['192.168.1.0/24']],
    ['not_contains', 'x'],
    ['exists', false],
  ] as [ConditionOperator, unknown][])('%s is true', (operator, value) => {
    expect(check(operator, 'missing', value)).toBe(true);
  });
});

describe('evaluateConditions', () => {
  const yes: RuleCondition = { field: 'username', operator: 'equals', value: 'alice' };
  const no: RuleCondition = { field: 'username', operator: 'equals', value: 'bob' };

  it('treats an empty list as a match for either logic', () => {
    expect(evaluateConditions('and', [], fields)).toBe(true);
    expect(evaluateConditions('or', [], fields)).toBe(true);
  });

  it('requires all conditions with and', () => {
    expect(evaluateConditions('and', [yes, yes], fields)).toBe(true);
    expect(evaluateConditions('and', [yes, no], fields)).toBe(false);
  });

  it('requires any condition with or', () => {
    expect(evaluateConditions('or', [no, yes], fields)).toBe(true);
    expect(evaluateConditions('or', [no, no], fields)).toBe(false);
  });
});

describe('before, after and text ranges', () => {
  it('compare numbers and dates as such, other text character by character', () => {
    expect(check('before', 'attempts', 6)).toBe(true);
    expect(check('after', 'attempts', 6)).toBe(false);
    expect(check('after', 'occurredAt', '2026-11-22')).toBe(true);
    expect(check('before', 'username', 'bob')).toBe(true);
    expect(check('after', 'username', 'alice')).toBe(false);
    expect(check('before', 'missing', 'x')).toBe(false);
  });

  it('between two texts that are neither numbers nor dates compares as text, inclusively', () => {
    const clock = { at: '09:30' };
    const between = (low: string, high: string) =>
      evaluateCondition({ field: 'at', operator: 'between', value: [low, high] }, clock);
    expect(between('09:00', '17:00')).toBe(true);
    expect(between('09:30', '09:30')).toBe(true);
    expect(between('10:00', '17:00')).toBe(false);
  });
});

describe('event attributes', () => {
  const event = {
    id: 'e1',
    name: 'auth.login_failed',
    fields: { ipAddress: '203.0.113.9', userId: 'u-1', source: 'herald', ip: '' },
    occurredAt: new Date('2026-11-22T14:03:09Z'),
    source: 'app',
  };
  const read = eventReader(event);

  it('reads the name, the server-set source, address, user, time, date and details', () => {
    expect(read('$name')).toBe('auth.login_failed');
    expect(read('$source')).toBe('app');
    expect(read('$ip')).toBe('203.0.113.9');
    expect(read('$user')).toBe('u-1');
    expect(read('$time')).toBe('14:03');
    expect(read('$date')).toBe('2026-11-22');
    expect(JSON.parse(read('$details') as string)).toEqual(event.fields);
    expect(read('source')).toBe('herald');
  });

  it('an event recorded before sources existed is Herald’s', () => {
    expect(eventReader({ ...event, source: undefined })('$source')).toBe('herald');
  });

  it('conditions read attributes through the reader', () => {
    const cond = (field: string, operator: RuleCondition['operator'], value: unknown) =>
      evaluateCondition({ field, operator, value }, read);
    expect(cond('$source', 'equals', 'herald')).toBe(false);
    expect(cond('$ip', 'in', ['203.0.113.0/24'])).toBe(true);
    expect(cond('$time', 'between', ['14:00', '15:00'])).toBe(true);
  });
});
