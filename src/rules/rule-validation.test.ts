import { describe, expect, it } from 'vitest';
import { RULE_CHANNELS, validateRuleInput } from './rule-validation.ts';

const specExample = {
  name: 'Alert on failed logins',
  enabled: true,
  events: ['auth.login_failed'],
  conditionLogic: 'and',
  conditions: [{ field: 'ipAddress', operator: 'not_in', value: ['192.168.1.0/24'] }],
  cadence: 'instant',
  actions: [{ channel: 'smtp', recipients: ['admin@example.com'] }],
};

function errorFields(input: unknown, partial = false): string[] {
  const result = validateRuleInput(input, { partial });
  return result.ok ? [] : result.errors.map((e) => e.field);
}

describe('validateRuleInput (create)', () => {
  it('accepts the spec example and normalises the cadence to an object', () => {
    const result = validateRuleInput(specExample);
    expect(result).toEqual({ ok: true, value: { ...specExample, cadence: { type: 'instant' } } });
  });

  it('fills defaults for optional fields', () => {
    const result = validateRuleInput({
      name: '  Minimal  ',
      events: ['*'],
      actions: [{ channel: 'inbox', recipients: ['role_admin'] }],
    });
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Minimal',
        enabled: true,
        events: ['*'],
        conditionLogic: 'and',
        conditions: [],
        cadence: { type: 'instant' },
        actions: [{ channel: 'inbox', recipients: ['role_admin'] }],
      },
    });
  });

  it('ignores read-only keys a client sends back', () => {
    const result = validateRuleInput({ ...specExample, id: 'rule_1', createdAt: 'x' });
    expect(result.ok && 'id' in result.value).toBe(false);
  });

  it('requires name, events and actions', () => {
    expect(errorFields({})).toEqual(['name', 'events', 'actions']);
  });

  it('rejects a body that is not an object', () => {
    expect(errorFields([])).toEqual(['body']);
    expect(errorFields('rule')).toEqual(['body']);
  });

  it('checks the name', () => {
    expect(errorFields({ ...specExample, name: '   ' })).toEqual(['name']);
    expect(errorFields({ ...specExample, name: 5 })).toEqual(['name']);
    expect(errorFields({ ...specExample, name: 'n'.repeat(200) })).toEqual([]);
    expect(errorFields({ ...specExample, name: 'n'.repeat(201) })).toEqual(['name']);
  });

  it('checks enabled and conditionLogic', () => {
    expect(errorFields({ ...specExample, enabled: 'yes' })).toEqual(['enabled']);
    expect(errorFields({ ...specExample, conditionLogic: 'xor' })).toEqual(['conditionLogic']);
    expect(errorFields({ ...specExample, conditionLogic: 'or' })).toEqual([]);
  });

  it('names each bad event pattern and rejects empty event lists', () => {
    expect(errorFields({ ...specExample, events: ['auth.*', '*', 'bad pattern', 'x.*.y'] })).toEqual([
      'events[2]',
      'events[3]',
    ]);
    expect(errorFields({ ...specExample, events: [] })).toEqual(['events']);
    expect(errorFields({ ...specExample, events: 'auth.*' })).toEqual(['events']);
    expect(errorFields({ ...specExample, events: [5] })).toEqual(['events[0]']);
  });

  it('names the condition and sub-field at fault', () => {
    const conditions = [
      { field: 'a', operator: 'equals', value: 1 },
      { field: 'b', operator: 'sounds_like', value: 'x' },
      { field: 'c', operator: 'matches', value: '(a+)+' },
      { field: 'd', operator: 'between', value: [1] },
    ];
    expect(errorFields({ ...specExample, conditions }).sort()).toEqual([
      'conditions[1].operator',
      'conditions[2].value',
      'conditions[3].value',
    ]);
    expect(errorFields({ ...specExample, conditions: {} })).toEqual(['conditions']);
  });

  it('checks actions, channels and recipients', () => {
    const actions = [
      { channel: 'smtp', recipients: ['a@example.com'] },
      { channel: 'carrier-pigeon', recipients: ['coop'] },
      { channel: 'smtp', recipients: [] },
      { channel: 'inbox', recipients: ['ok', '', 7] },
      'smtp',
    ];
    expect(errorFields({ ...specExample, actions })).toEqual([
      'actions[1].channel',
      'actions[3].recipients[1]',
      'actions[3].recipients[2]',
      'actions[4]',
      'actions[2].recipients',
    ]);
    expect(errorFields({ ...specExample, actions: [] })).toEqual(['actions']);
    // Channels with a target of their own (a webhook URL, a default chat) need no recipients.
    const own = [
      { channel: 'slack', recipients: [] },
      { channel: 'telegram', recipients: [] },
      { channel: 'inbox', recipients: [] },
    ];
    expect(errorFields({ ...specExample, actions: own })).toEqual(['actions[2].recipients']);
  });

  it('tells the client which channels exist: the inbox and every outside channel', () => {
    expect(RULE_CHANNELS).toEqual(['inbox', 'smtp', 'telegram', 'slack', 'webhook', 'discord', 'webpush']);
    const result = validateRuleInput({ ...specExample, actions: [{ channel: 'sms', recipients: ['x'] }] });
    expect(result.ok ? null : result.errors[0]).toEqual({
      field: 'actions[0].channel',
      detail: 'unknown channel; available: inbox, smtp, telegram, slack, webhook, discord, webpush',
    });
  });

  it('names every problem at once, from the schema and from the checks beyond it', () => {
    const result = validateRuleInput({
      name: 'Bad',
      events: ['not a pattern!'],
      conditions: [
        { field: 'a', operator: 'resembles', value: 1 },
        { field: 'b', operator: 'matches', value: '(a+)+$' },
      ],
      actions: [{ channel: 'carrier-pigeon', recipients: ['x'] }],
    });
    expect(result.ok ? [] : result.errors.map((e) => e.field).sort()).toEqual([
      'actions[0].channel',
      'conditions[0].operator',
      'conditions[1].value',
      'events[0]',
    ]);
  });
});

describe('validateRuleInput cadence', () => {
  const cadence = (value: unknown) => validateRuleInput({ ...specExample, cadence: value });

  it('accepts the object forms', () => {
    expect(cadence({ type: 'instant' })).toMatchObject({ ok: true, value: { cadence: { type: 'instant' } } });
    expect(cadence({ type: 'throttle', minutes: 15 })).toMatchObject({
      ok: true,
      value: { cadence: { type: 'throttle', minutes: 15 } },
    });
    expect(cadence({ type: 'digest', every: 'hour' })).toMatchObject({
      ok: true,
      value: { cadence: { type: 'digest', every: 'hour' } },
    });
  });

  it('bounds throttle minutes to a positive whole number up to a week', () => {
    expect(cadence({ type: 'throttle', minutes: 10_080 }).ok).toBe(true);
    for (const minutes of [0, -5, 1.5, 10_081, '15', undefined]) {
      expect(
        errorFields({ ...specExample, cadence: { type: 'throttle', minutes } }),
        String(minutes),
      ).toEqual(['cadence.minutes']);
    }
  });

  it('names the bad part of other cadences', () => {
    expect(errorFields({ ...specExample, cadence: { type: 'digest', every: 'week' } })).toEqual([
      'cadence.every',
    ]);
    expect(errorFields({ ...specExample, cadence: { type: 'sometimes' } })).toEqual(['cadence.type']);
    expect(errorFields({ ...specExample, cadence: 'throttle' })).toEqual(['cadence']);
    expect(errorFields({ ...specExample, cadence: 5 })).toEqual(['cadence']);
  });
});

describe('validateRuleInput (partial update)', () => {
  it('checks only present fields and adds no defaults', () => {
    const input = {
      name: 'Updated rule name',
      enabled: false,
      events: ['auth.login_failed', 'auth.account_locked'],
    };
    expect(validateRuleInput(input, { partial: true })).toEqual({ ok: true, value: input });
    expect(validateRuleInput({}, { partial: true })).toEqual({ ok: true, value: {} });
  });

  it('still rejects bad values, including explicit nulls', () => {
    expect(errorFields({ events: [] }, true)).toEqual(['events']);
    expect(errorFields({ name: null }, true)).toEqual(['name']);
    expect(errorFields({ actions: [{ channel: 'fax', recipients: ['x'] }] }, true)).toEqual([
      'actions[0].channel',
    ]);
  });

  it('normalises a string cadence', () => {
    expect(validateRuleInput({ cadence: 'instant' }, { partial: true })).toEqual({
      ok: true,
      value: { cadence: { type: 'instant' } },
    });
  });
});
