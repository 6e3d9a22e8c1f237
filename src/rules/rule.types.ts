/**
 * Glossary — the vocabulary of the rules module.
 *
 * - **event**: something that happened, named with dotted segments (`auth.login_failed`) and
 *   carrying a field map that may nest (`user.email`, `tags.0`). Events come from apps via the
 *   API and from Herald itself.
 * - **event pattern**: what a rule listens to — an exact name, `*` (everything) or `prefix.*`
 *   (everything strictly below `prefix`).
 * - **condition**: one test of one event field (`field`, `operator`, `value`). A field that is
 *   missing makes positive operators false and negative ones (`not_*`) true. Fields starting
 *   with `$` are the event's own attributes rather than its fields (see {@link EVENT_ATTRIBUTES}).
 * - **source**: who recorded an event, set by the server and never by the sender: `herald` for
 *   Herald's own events (logins, settings changes), `app` for events applications post.
 * - **condition logic**: how a rule combines its conditions — `and` (all) or `or` (any). A rule
 *   without conditions matches every event it listens to.
 * - **cadence**: how often a matching rule may speak — `instant` (every match), `throttle`
 *   (at most once per N minutes), `digest` (one combined message per UTC hour or day).
 * - **action**: where a firing goes — a channel (`smtp`, `slack`, ..., or `inbox`) and its
 *   recipients (user ids, usernames, role ids, or raw addresses; expanded outside this module).
 * - **fallback**: an action's second channel, used for a delivery that fails for good or, with
 *   `afterSeconds`, for a recipient whose inbox item is still unread that long after the firing.
 * - **delivery plan**: the pure output of matching — one per action of each rule that fires,
 *   handed to the store which turns it into durable deliveries (or digest entries).
 *
 * Everything here is pure: no I/O, and time is always passed in, so the same inputs always
 * give the same plans.
 */

export type ConditionOperator =
  | 'equals'
  | 'not_equals'
  | 'in'
  | 'not_in'
  | 'contains'
  | 'not_contains'
  | 'starts_with'
  | 'ends_with'
  | 'matches'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'before'
  | 'after'
  | 'between'
  | 'exists';

/** Every operator, in the order the API documents them; the condition schema accepts exactly these. */
export const CONDITION_OPERATORS: readonly ConditionOperator[] = [
  'equals',
  'not_equals',
  'in',
  'not_in',
  'contains',
  'not_contains',
  'starts_with',
  'ends_with',
  'matches',
  'gt',
  'gte',
  'lt',
  'lte',
  'before',
  'after',
  'between',
  'exists',
];

export interface RuleCondition {
  field: string;
  operator: ConditionOperator;
  value?: unknown;
}

export type RuleCadence =
  | { type: 'instant' }
  | { type: 'throttle'; minutes: number }
  | { type: 'digest'; every: 'hour' | 'day' };

/**
 * Where an action's deliveries go when they fail for good, or (with `afterSeconds`) when the
 * recipient's inbox item for the message is still unread that long after the firing.
 * `recipients` name who the fallback reaches for deliveries that were for no one in particular
 * (a channel's own target, a raw address); absent, the action's own users and roles.
 */
export interface RuleFallback {
  channel: string;
  recipients?: string[];
  afterSeconds?: number;
}

export interface RuleAction {
  channel: string;
  recipients: string[];
  fallback?: RuleFallback;
}

/** What a client may set on a rule; the store adds identity and timestamps. */
export interface RuleDefinition {
  name: string;
  enabled: boolean;
  events: string[];
  conditionLogic: 'and' | 'or';
  conditions: RuleCondition[];
  cadence: RuleCadence;
  actions: RuleAction[];
}

export interface Rule extends RuleDefinition {
  id: string;
  createdAt: Date;
  lastTriggeredAt: Date | null;
}

export interface RuleEvent {
  id: string;
  name: string;
  fields: Record<string, unknown>;
  occurredAt: Date;
  /** `herald` or `app`; absent is read as `herald` (events recorded before sources existed). */
  source?: string;
}

/**
 * Condition fields that read the event itself rather than one of its fields, so a sender's
 * fields can never stand in for them (`$source` cannot be claimed by posting `source`).
 * `$ip` and `$user` read the usual field names senders use for the address and the user.
 */
export const EVENT_ATTRIBUTES = {
  $name: 'the event name (auth.login_failed)',
  $source: 'who recorded it: herald (its own events) or app (posted by an application)',
  $ip: 'the client address: the field ip, else ipAddress, else ip_address',
  $user: 'the user: the field userId, else user_id, else user, else username',
  $time: 'when it happened, HH:MM in UTC',
  $date: 'when it happened, YYYY-MM-DD in UTC',
  $details: 'every field as one JSON text (for contains / matches)',
} as const;

export type EventAttribute = keyof typeof EVENT_ATTRIBUTES;
