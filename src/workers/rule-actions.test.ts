import { describe, expect, it } from 'vitest';
import type { DeliveryPlan as RulePlan } from '../rules/rule-matcher.ts';
import type { RecipientDirectory } from '../store/rule.repository.ts';
import { fallbacksFor, targetsFor } from './rule-actions.ts';

const dir: RecipientDirectory = {
  users: [
    { id: 'u-ann', username: 'ann', email: 'ann@example.com' },
    { id: 'u-ben', username: 'ben', email: 'ben@example.com' },
  ],
  roles: [{ id: 'r-ops', name: 'ops' }],
  roleMembers: new Map([['r-ops', ['u-ann', 'u-ben']]]),
};
const subs = new Map([
  [
    'u-ann',
    [
      {
        subscription: { endpoint: 'https://push.example/ann-phone', keys: { p256dh: 'p', auth: 'a' } },
        userId: 'u-ann',
      },
      {
        subscription: { endpoint: 'https://push.example/ann-laptop', keys: { p256dh: 'p', auth: 'a' } },
        userId: 'u-ann',
      },
    ],
  ],
]);
const book = new Map([['u-ben', new Map([['smtp', 'ben@home.example']])]]);
const resolve = (channel: string, refs: readonly string[]) =>
  targetsFor(channel, refs, dir, subs, book).targets;
const NOW = Date.parse('2026-05-04T09:00:00Z');

const plan = (channel: string, recipients: string[], fallback: RulePlan['fallback']): RulePlan => ({
  ruleId: 'rule-1',
  ruleName: 'Rule',
  actionIndex: 0,
  channel,
  recipients,
  fallback,
  mode: 'instant',
});

describe('fallbacksFor', () => {
  it('a delivery to a user falls back to that user, by their own address first', () => {
    const p = plan('telegram', ['ann', 'ben'], { channel: 'smtp' });
    const targets = [
      { address: '11', userId: 'u-ann' },
      { address: '22', userId: 'u-ben' },
    ];
    expect(fallbacksFor(p, targets, dir, resolve, new Map(), NOW)).toEqual([
      { channel: 'smtp', targets: [{ address: 'ann@example.com', userId: 'u-ann' }] },
      { channel: 'smtp', targets: [{ address: 'ben@home.example', userId: 'u-ben' }] },
    ]);
  });

  it("a delivery to no one in particular falls back to the action's users and roles, not its raw addresses", () => {
    const p = plan('telegram', ['-100123', 'ops'], { channel: 'smtp' });
    const [own] = fallbacksFor(p, [{}], dir, resolve, new Map(), NOW);
    expect(own?.targets).toEqual([
      { address: 'ann@example.com', userId: 'u-ann' },
      { address: 'ben@home.example', userId: 'u-ben' },
    ]);
    const named = fallbacksFor(
      plan('slack', ['ops'], { channel: 'smtp', recipients: ['oncall@example.com'] }),
      [{}],
      dir,
      resolve,
      new Map(),
      NOW,
    );
    expect(named).toEqual([{ channel: 'smtp', targets: [{ address: 'oncall@example.com' }] }]);
  });

  it('with afterSeconds, each inbox item gets one waiting fallback, however many devices were reached', () => {
    const p = plan('webpush', ['ann', 'ben'], { channel: 'smtp', afterSeconds: 600 });
    const [phone, laptop] = subs.get('u-ann')!;
    const items = new Map([['u-ann', 'n-ann']]);
    expect(fallbacksFor(p, [phone, laptop], dir, resolve, items, NOW)).toEqual([
      {
        channel: 'smtp',
        targets: [],
        unlessRead: {
          at: NOW + 600_000,
          targets: [{ address: 'ann@example.com', userId: 'u-ann', notificationId: 'n-ann' }],
        },
      },
      undefined,
    ]);
  });

  it('without an inbox item, afterSeconds leaves the fallback to a final failure', () => {
    const p = plan('telegram', ['ben'], { channel: 'smtp', afterSeconds: 600 });
    expect(fallbacksFor(p, [{ address: '22', userId: 'u-ben' }], dir, resolve, new Map(), NOW)).toEqual([
      { channel: 'smtp', targets: [{ address: 'ben@home.example', userId: 'u-ben' }] },
    ]);
  });

  it('nobody to reach gives no fallback', () => {
    expect(fallbacksFor(plan('slack', [], { channel: 'smtp' }), [{}], dir, resolve, new Map(), NOW)).toEqual([
      undefined,
    ]);
  });
});
