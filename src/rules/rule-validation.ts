import { isRecord, validateCondition } from './condition-validation.ts';
import { isValidEventPattern } from './event-pattern.ts';
import type { FieldError, RuleAction, RuleCadence, RuleCondition, RuleDefinition } from './rule.types.ts';

// Limits keep one rule small enough to evaluate on every event without thinking about cost.
export const MAX_RULE_NAME_LENGTH = 200;
export const MAX_EVENTS_PER_RULE = 100;
export const MAX_CONDITIONS_PER_RULE = 100;
export const MAX_ACTIONS_PER_RULE = 50;
export const MAX_RECIPIENTS_PER_ACTION = 1000;
/** Longest recipient: an email address may be 254 characters, with room for ids and chat handles. */
export const MAX_RECIPIENT_LENGTH = 320;
/** One week, in minutes: a longer throttle is better expressed as a daily digest. */
export const MAX_THROTTLE_MINUTES = 10_080;

export interface RuleValidationOptions {
  /** Channels an action may name: the configured ones plus `inbox`, supplied by the caller. */
  channels: readonly string[];
  /** For updates: only present fields are checked, and no defaults are filled in. */
  partial?: boolean;
}

export type RuleValidationResult<T> = { ok: true; value: T } | { ok: false; errors: FieldError[] };

const DEFAULTS = {
  enabled: true,
  conditionLogic: 'and',
  conditions: [],
  cadence: { type: 'instant' },
} as const satisfies Partial<RuleDefinition>;

/**
 * Turns a client's rule body into a `RuleDefinition`, or lists every problem with the exact
 * field path (`conditions[0].operator`, `actions[1].channel`) so the API can answer 400 once
 * with all of them. Unknown top-level keys are ignored so clients can send back a rule they
 * read (with `id`, `createdAt`, ...) as an update.
 */
export function validateRuleInput(
  input: unknown,
  opts: RuleValidationOptions & { partial: true },
): RuleValidationResult<Partial<RuleDefinition>>;
export function validateRuleInput(
  input: unknown,
  opts: RuleValidationOptions & { partial?: false },
): RuleValidationResult<RuleDefinition>;
export function validateRuleInput(
  input: unknown,
  opts: RuleValidationOptions,
): RuleValidationResult<RuleDefinition | Partial<RuleDefinition>>;
export function validateRuleInput(
  input: unknown,
  opts: RuleValidationOptions,
): RuleValidationResult<RuleDefinition | Partial<RuleDefinition>> {
  if (!isRecord(input)) return { ok: false, errors: [{ field: 'body', detail: 'must be a JSON object' }] };
  const errors: FieldError[] = [];
  const out: Partial<RuleDefinition> = {};
  const partial = opts.partial === true;
  const present = (key: keyof RuleDefinition) => input[key] !== undefined;
  const required = (key: keyof RuleDefinition) => {
    if (!partial) errors.push({ field: key, detail: 'is required' });
  };

  if (present('name')) out.name = checkName(input.name, errors);
  else required('name');
  if (present('enabled')) {
    if (typeof input.enabled === 'boolean') out.enabled = input.enabled;
    else errors.push({ field: 'enabled', detail: 'must be true or false' });
  }
  if (present('events')) out.events = checkEvents(input.events, errors);
  else required('events');
  if (present('conditionLogic')) {
    if (input.conditionLogic === 'and' || input.conditionLogic === 'or')
      out.conditionLogic = input.conditionLogic;
    else errors.push({ field: 'conditionLogic', detail: 'must be "and" or "or"' });
  }
  if (present('conditions')) out.conditions = checkConditions(input.conditions, errors);
  if (present('cadence')) out.cadence = checkCadence(input.cadence, errors);
  if (present('actions')) out.actions = checkActions(input.actions, opts.channels, errors);
  else required('actions');

  if (errors.length > 0) return { ok: false, errors };
  if (partial) return { ok: true, value: out };
  return { ok: true, value: { ...DEFAULTS, ...out } as RuleDefinition };
}

function checkName(value: unknown, errors: FieldError[]): string | undefined {
  const name = typeof value === 'string' ? value.trim() : '';
  if (name.length === 0) errors.push({ field: 'name', detail: 'must be a non-empty string' });
  else if (name.length > MAX_RULE_NAME_LENGTH) {
    errors.push({ field: 'name', detail: `must be at most ${MAX_RULE_NAME_LENGTH} characters` });
  } else return name;
  return undefined;
}

function checkEvents(value: unknown, errors: FieldError[]): string[] | undefined {
  const list = checkList(value, 'events', MAX_EVENTS_PER_RULE, errors);
  if (!list) return undefined;
  const before = errors.length;
  list.forEach((pattern, i) => {
    if (typeof pattern !== 'string' || !isValidEventPattern(pattern)) {
      errors.push({
        field: `events[${i}]`,
        detail: 'must be an event name (auth.login_failed), * or a prefix wildcard (auth.*)',
      });
    }
  });
  return errors.length > before ? undefined : (list as string[]);
}

function checkConditions(value: unknown, errors: FieldError[]): RuleCondition[] | undefined {
  if (!Array.isArray(value)) {
    errors.push({ field: 'conditions', detail: 'must be an array' });
    return undefined;
  }
  if (value.length > MAX_CONDITIONS_PER_RULE) {
    errors.push({ field: 'conditions', detail: `must have at most ${MAX_CONDITIONS_PER_RULE} entries` });
    return undefined;
  }
  const conditions = value.map((item, i) => validateCondition(item, `conditions[${i}]`, errors));
  return conditions.every((c) => c !== null) ? (conditions as RuleCondition[]) : undefined;
}

/** The spec writes `"cadence": "instant"`; the object forms carry parameters. Both normalise to objects. */
function checkCadence(value: unknown, errors: FieldError[]): RuleCadence | undefined {
  if (value === 'instant') return { type: 'instant' };
  if (!isRecord(value)) {
    errors.push({
      field: 'cadence',
      detail: 'must be "instant", {"type":"throttle","minutes":N} or {"type":"digest","every":"hour"|"day"}',
    });
    return undefined;
  }
  switch (value.type) {
    case 'instant':
      return { type: 'instant' };
    case 'throttle': {
      const minutes = value.minutes;
      if (typeof minutes === 'number' && Number.isInteger(minutes) && minutes >= 1) {
        if (minutes <= MAX_THROTTLE_MINUTES) return { type: 'throttle', minutes };
      }
      errors.push({
        field: 'cadence.minutes',
        detail: `must be a whole number of minutes from 1 to ${MAX_THROTTLE_MINUTES}`,
      });
      return undefined;
    }
    case 'digest':
      if (value.every === 'hour' || value.every === 'day') return { type: 'digest', every: value.every };
      errors.push({ field: 'cadence.every', detail: 'must be "hour" or "day"' });
      return undefined;
    default:
      errors.push({ field: 'cadence.type', detail: 'must be "instant", "throttle" or "digest"' });
      return undefined;
  }
}

function checkActions(
  value: unknown,
  channels: readonly string[],
  errors: FieldError[],
): RuleAction[] | undefined {
  const list = checkList(value, 'actions', MAX_ACTIONS_PER_RULE, errors);
  if (!list) return undefined;
  const before = errors.length;
  const actions = list.map((item, i): RuleAction | undefined => {
    const path = `actions[${i}]`;
    if (!isRecord(item)) {
      errors.push({ field: path, detail: 'must be an object with channel and recipients' });
      return undefined;
    }
    if (typeof item.channel !== 'string' || !channels.includes(item.channel)) {
      const known = channels.length > 0 ? channels.join(', ') : 'none configured';
      errors.push({ field: `${path}.channel`, detail: `unknown channel; available: ${known}` });
    }
    const recipients = checkList(item.recipients, `${path}.recipients`, MAX_RECIPIENTS_PER_ACTION, errors);
    recipients?.forEach((recipient, j) => {
      if (
        typeof recipient !== 'string' ||
        recipient.trim() === '' ||
        recipient.length > MAX_RECIPIENT_LENGTH
      ) {
        errors.push({
          field: `${path}.recipients[${j}]`,
          detail: `must be a user id, username, role id or address of at most ${MAX_RECIPIENT_LENGTH} characters`,
        });
      }
    });
    return { channel: item.channel as string, recipients: (recipients ?? []) as string[] };
  });
  return errors.length > before ? undefined : (actions as RuleAction[]);
}

/** A non-empty array of at most `max` items; empty lists would make a rule that can never act. */
function checkList(value: unknown, field: string, max: number, errors: FieldError[]): unknown[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    errors.push({ field, detail: 'must be a non-empty array' });
    return undefined;
  }
  if (value.length > max) {
    errors.push({ field, detail: `must have at most ${max} entries` });
    return undefined;
  }
  return value;
}
