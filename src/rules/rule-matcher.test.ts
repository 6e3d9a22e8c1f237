import { describe, expect, it } from 'vitest';
import type { Rule, RuleEvent } from './rule.types.ts';
import { firedRuleIds, planDeliveries } from './rule-matcher.ts';

const now = new Date('2026-11-22T14:37:00Z');
const never = () => null;

function rule(overrides: Partial<Rule> & { id: string }): Rule {
  return {
    name: `Rule ${overrides.id}`,
    enabled: true,
    events: ['auth.login_failed'],
    conditionLogic: 'and',
    conditions: [],
    cadence: { type: 'instant' },
    actions: [{ channel: 'smtp', recipients: ['admin@example.com'] }],
    createdAt: new Date('2026-01-01T00:00:00Z'),
    lastTriggeredAt: null,
    ...overrides,
  };
}

function loginFailed(ipAddress: string): RuleEvent {
  return {
    id: 'evt_1',
    name: 'auth.login_failed',
    fields: { ipAddress, username: 'alice' },
    occurredAt: now,
  };
}

const officeRule = rule({
  id: 'rule_office',
  name: 'Alert on failed logins',
  conditions: [{ field: 'ipAddress', operator: 'not_in', value: ['192.168.1.0/24'] }],
});

describe('planDeliveries', () => {
  it('plans the spec example for a login from outside the office range', () => {
    expect(planDeliveries(loginFailed('203.0.113.9'), [officeRule], now, never)).toEqual([
      {
        ruleId: 'rule_office',
        ruleName: 'Alert on failed logins',
        actionIndex: 0,
        channel: 'smtp',
        recipients: ['admin@example.com'],
        mode: 'instant',
      },
    ]);
  });

  it('plans nothing for a login from inside the office range', () => {
    expect(planDeliveries(loginFailed('192.168.1.44'), [officeRule], now, never)).toEqual([]);
    expect(planDeliveries(loginFailed('::ffff:192.168.1.44'), [officeRule], now, never)).toEqual([]);
  });

  it('skips disabled rules and rules listening to other events', () => {
    const rules = [rule({ id: 'off', enabled: false }), rule({ id: 'other', events: ['backup.failed'] })];
    expect(planDeliveries(loginFailed('203.0.113.9'), rules, now, never)).toEqual([]);
  });

  it('matches wildcard patterns', () => {
    const rules = [
      rule({ id: 'all', events: ['*'] }),
      rule({ id: 'auth', events: ['auth.*'] }),
      rule({ id: 'user', events: ['user.*'] }),
    ];
    const plans = planDeliveries(loginFailed('203.0.113.9'), rules, now, never);
    expect(firedRuleIds(plans)).toEqual(['all', 'auth']);
  });

  it('honours or logic', () => {
    const orRule = rule({
      id: 'or',
      conditionLogic: 'or',
      conditions: [
        { field: 'username', operator: 'equals', value: 'root' },
        { field: 'ipAddress', operator: 'in', value: ['2001:db8::/32'] },
      ],
    });
    expect(planDeliveries(loginFailed('2001:db8::7'), [orRule], now, never)).toHaveLength(1);
    expect(planDeliveries(loginFailed('2001:db9::7'), [orRule], now, never)).toHaveLength(0);
  });

  it('plans one delivery per action, copying recipients', () => {
    const actions = [
      { channel: 'smtp', recipients: ['admin@example.com'] },
      { channel: 'inbox', recipients: ['role_admin', 'user_bob'] },
    ];
    const multi = rule({ id: 'multi', actions });
    const plans = planDeliveries(loginFailed('203.0.113.9'), [multi], now, never);
    expect(plans.map((p) => [p.actionIndex, p.channel, p.recipients])).toEqual([
      [0, 'smtp', ['admin@example.com']],
      [1, 'inbox', ['role_admin', 'user_bob']],
    ]);
    plans[1].recipients.push('mutated');
    expect(actions[1].recipients).toEqual(['role_admin', 'user_bob']);
  });

  it('applies throttle windows using the supplied last firing time', () => {
    const throttled = rule({ id: 'throttled', cadence: { type: 'throttle', minutes: 10 } });
    const firedAt = (at: Date | null) => (id: string) => (id === 'throttled' ? at : null);
    const event = loginFailed('203.0.113.9');
    expect(planDeliveries(event, [throttled], now, firedAt(null))).toHaveLength(1);
    expect(planDeliveries(event, [throttled], now, firedAt(new Date('2026-11-22T14:30:00Z')))).toEqual([]);
    expect(planDeliveries(event, [throttled], now, firedAt(new Date('2026-11-22T14:27:00Z')))).toHaveLength(
      1,
    );
  });

  it('plans digest deliveries with their window', () => {
    const digest = rule({ id: 'digest', cadence: { type: 'digest', every: 'hour' } });
    const [plan] = planDeliveries(loginFailed('203.0.113.9'), [digest], now, () => now);
    expect(plan).toMatchObject({
      ruleId: 'digest',
      mode: 'digest',
      windowKey: '2026-11-22T14',
      windowEnd: new Date('2026-11-22T15:00:00Z'),
    });
  });
});

describe('firedRuleIds', () => {
  it('lists each rule once in plan order', () => {
    const rules = [
      rule({
        id: 'a',
        actions: [
          { channel: 'smtp', recipients: ['x'] },
          { channel: 'inbox', recipients: ['y'] },
        ],
      }),
      rule({ id: 'b' }),
    ];
    expect(firedRuleIds(planDeliveries(loginFailed('203.0.113.9'), rules, now, never))).toEqual(['a', 'b']);
    expect(firedRuleIds([])).toEqual([]);
  });
});
