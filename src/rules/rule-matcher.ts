import { decideCadence } from './cadence.ts';
import { evaluateConditions, eventReader } from './conditions.ts';
import { matchesAnyEventPattern } from './event-pattern.ts';
import type { Rule, RuleEvent, RuleFallback } from './rule.types.ts';

/**
 * One action of one firing rule. `instant` plans become deliveries straight away; `digest`
 * plans are collected under (`ruleId`, `actionIndex`, `windowKey`) and sent once at `windowEnd`.
 */
export interface DeliveryPlan {
  ruleId: string;
  ruleName: string;
  actionIndex: number;
  channel: string;
  recipients: string[];
  /** The action's fallback channel, if it names one. */
  fallback?: RuleFallback;
  mode: 'instant' | 'digest';
  windowKey?: string;
  windowEnd?: Date;
}

/**
 * Decides, for one event, which rules fire and what each should send. Pure: the caller reads
 * rules and last firing times from the store beforehand and persists the plans (and
 * `lastTriggeredAt` for `firedRuleIds(plans)`) in the same transaction as the event.
 *
 * Order of checks: enabled → event pattern → conditions → cadence. Cadence comes last so a
 * throttle window is only consumed by events that would actually have fired.
 */
export function planDeliveries(
  event: RuleEvent,
  rules: readonly Rule[],
  now: Date,
  lastFiredAt: (ruleId: string) => Date | null,
): DeliveryPlan[] {
  const plans: DeliveryPlan[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    if (!matchesAnyEventPattern(rule.events, event.name)) continue;
    if (!evaluateConditions(rule.conditionLogic, rule.conditions, eventReader(event))) continue;
    const decision = decideCadence(rule.cadence, now, { lastFiredAt: lastFiredAt(rule.id) });
    if (decision.fire === 'skip') continue;
    rule.actions.forEach((action, actionIndex) => {
      const plan: DeliveryPlan = {
        ruleId: rule.id,
        ruleName: rule.name,
        actionIndex,
        channel: action.channel,
        recipients: [...action.recipients],
        mode: decision.fire === 'digest' ? 'digest' : 'instant',
      };
      if (action.fallback) plan.fallback = action.fallback;
      if (decision.fire === 'digest') {
        plan.windowKey = decision.windowKey;
        plan.windowEnd = decision.windowEnd;
      }
      plans.push(plan);
    });
  }
  return plans;
}

/**
 * Rules that fired for this event, once each, in rule order. A digest rule counts as fired when
 * an event joins its window: `lastTriggeredAt` tells operators the rule is alive, and the
 * digest itself is sent later.
 */
export function firedRuleIds(plans: readonly DeliveryPlan[]): string[] {
  return [...new Set(plans.map((plan) => plan.ruleId))];
}
