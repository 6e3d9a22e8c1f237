import { type Static, Type } from 'typebox';
import { channelTypes, getChannel } from '../channels/channel-registry.ts';
import type { FieldError } from '../domain/errors.ts';
import { compileCheck } from '../domain/schema-check.ts';
import { ConditionSchema, conditionProblems } from './condition-validation.ts';
import { MAX_EVENT_PATTERN_LENGTH } from './event-pattern.ts';
import type { RuleCadence, RuleDefinition, RuleFallback } from './rule.types.ts';

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
/** One week, in seconds: an item unread for longer is not waiting for a nudge. */
export const MAX_FALLBACK_AFTER_SECONDS = 604_800;

/** Where a rule action may deliver: the inbox, or any outside channel. */
export const RULE_CHANNELS: readonly string[] = ['inbox', ...channelTypes];

const NON_EMPTY = { minItems: 'must be a non-empty array' };

// Segments stay within [A-Za-z0-9_-] so a pattern can never smuggle in regex or glob syntax
// beyond the two wildcard forms documented (see event-pattern.ts).
const EventPattern = Type.String({
  maxLength: MAX_EVENT_PATTERN_LENGTH,
  pattern: '^(?:\\*|[A-Za-z0-9_-]+(?:\\.[A-Za-z0-9_-]+)*(?:\\.\\*)?)$',
  'x-detail': 'must be an event name (auth.login_failed), * or a prefix wildcard (auth.*)',
});

const CadenceSchema = Type.Union(
  [
    Type.Literal('instant'),
    Type.Object({ type: Type.Literal('instant') }),
    Type.Object({
      type: Type.Literal('throttle'),
      minutes: Type.Integer({
        minimum: 1,
        maximum: MAX_THROTTLE_MINUTES,
        'x-detail': `must be a whole number of minutes from 1 to ${MAX_THROTTLE_MINUTES}`,
      }),
    }),
    Type.Object({ type: Type.Literal('digest'), every: Type.Enum(['hour', 'day']) }),
  ],
  {
    description:
      'How often the rule may speak: every match, at most once per N minutes, or one digest per UTC hour or day',
    'x-detail':
      'must be "instant", {"type":"throttle","minutes":N} or {"type":"digest","every":"hour"|"day"}',
  },
);

const RecipientRef = Type.String({
  minLength: 1,
  maxLength: MAX_RECIPIENT_LENGTH,
  pattern: '\\S',
  'x-detail': `must be a user id, username, role id or address of at most ${MAX_RECIPIENT_LENGTH} characters`,
});

const FallbackSchema = Type.Object(
  {
    channel: Type.Enum(channelTypes, {
      'x-detail': { enum: `unknown channel; a fallback may use: ${channelTypes.join(', ')}` },
    }),
    recipients: Type.Optional(
      Type.Array(RecipientRef, {
        maxItems: MAX_RECIPIENTS_PER_ACTION,
        description:
          'Who the fallback reaches for deliveries that were for no one in particular (a channel’s own target, a raw address); absent: the action’s users and roles. A delivery to a user always falls back to that user.',
      }),
    ),
    afterSeconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_FALLBACK_AFTER_SECONDS,
        description:
          'Also send the fallback when the recipient’s inbox item for the message is still unread this long after the rule fired (rules on message.created); absent: only when the delivery fails for good',
        'x-detail': `must be a whole number of seconds from 1 to ${MAX_FALLBACK_AFTER_SECONDS}`,
      }),
    ),
  },
  {
    additionalProperties: false,
    description: 'A second channel for deliveries that fail for good, or stay unread',
    'x-detail': {
      type: 'must be an object with channel, and optionally recipients and afterSeconds',
      additionalProperties: 'is not a fallback field (channel, recipients, afterSeconds)',
    },
  },
);

const ActionSchema = Type.Object(
  {
    channel: Type.Enum(RULE_CHANNELS, {
      'x-detail': { enum: `unknown channel; available: ${RULE_CHANNELS.join(', ')}` },
    }),
    recipients: Type.Array(RecipientRef, {
      maxItems: MAX_RECIPIENTS_PER_ACTION,
      description:
        'May be empty only for channels with a target of their own (slack, discord, webhook; telegram: its default chat)',
    }),
    fallback: Type.Optional(FallbackSchema),
  },
  {
    description:
      'Users (id, username, email) and roles become their address on the channel; anything else is a raw address',
    'x-detail': { type: 'must be an object with channel and recipients' },
  },
);

const RuleFields = {
  name: Type.String({
    minLength: 1,
    maxLength: MAX_RULE_NAME_LENGTH,
    'x-detail': { minLength: 'must be a non-empty string', type: 'must be a non-empty string' },
  }),
  enabled: Type.Boolean({ default: true }),
  events: Type.Array(EventPattern, { minItems: 1, maxItems: MAX_EVENTS_PER_RULE, 'x-detail': NON_EMPTY }),
  conditionLogic: Type.Enum(['and', 'or'], { default: 'and', description: 'All conditions, or any' }),
  conditions: Type.Array(ConditionSchema, { maxItems: MAX_CONDITIONS_PER_RULE, default: [] }),
  cadence: CadenceSchema,
  actions: Type.Array(ActionSchema, { minItems: 1, maxItems: MAX_ACTIONS_PER_RULE, 'x-detail': NON_EMPTY }),
};

const ABOUT_UNKNOWN =
  'Unknown fields (id, createdAt, ...) are ignored, so a rule read back can be sent again.';

/** `POST /notifications/rules`. */
export const RuleBodySchema = Type.Object(
  {
    name: RuleFields.name,
    enabled: Type.Optional(RuleFields.enabled),
    events: RuleFields.events,
    conditionLogic: Type.Optional(RuleFields.conditionLogic),
    conditions: Type.Optional(RuleFields.conditions),
    cadence: Type.Optional(RuleFields.cadence),
    actions: RuleFields.actions,
  },
  { description: ABOUT_UNKNOWN },
);

/** `PUT /notifications/rules/:id`: every field optional, present ones checked as on create. */
export const RulePatchSchema = Type.Partial(Type.Object(RuleFields), { description: ABOUT_UNKNOWN });

const createCheck = compileCheck(RuleBodySchema);
const patchCheck = compileCheck(RulePatchSchema);

export interface RuleValidationOptions {
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

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Turns a client's rule body into a `RuleDefinition`, or lists every problem with the exact
 * field path (`conditions[0].operator`, `actions[1].channel`) so the API can answer 400 once
 * with all of them: the schema's, then what a schema cannot say ({@link conditionProblems}).
 * Unknown top-level keys are ignored.
 */
export function validateRuleInput(
  input: unknown,
  opts: RuleValidationOptions & { partial: true },
): RuleValidationResult<Partial<RuleDefinition>>;
export function validateRuleInput(
  input: unknown,
  opts?: RuleValidationOptions & { partial?: false },
): RuleValidationResult<RuleDefinition>;
export function validateRuleInput(
  input: unknown,
  opts?: RuleValidationOptions,
): RuleValidationResult<RuleDefinition | Partial<RuleDefinition>>;
export function validateRuleInput(
  input: unknown,
  opts: RuleValidationOptions = {},
): RuleValidationResult<RuleDefinition | Partial<RuleDefinition>> {
  if (!isRecord(input)) return { ok: false, errors: [{ field: 'body', detail: 'must be a JSON object' }] };
  // The name is compared and shown trimmed; surrounding spaces are never meant.
  const body = typeof input.name === 'string' ? { ...input, name: input.name.trim() } : input;
  const check = opts.partial ? patchCheck : createCheck;
  const conditions = Array.isArray(body.conditions) ? body.conditions : [];
  const actions = Array.isArray(body.actions) ? body.actions : [];
  const errors = [
    ...check.errors(body),
    ...conditions.flatMap((c, i) => conditionProblems(c, `conditions[${i}]`)),
    ...actions.flatMap((a, i) => recipientProblems(a, `actions[${i}]`)),
    ...actions.flatMap((a, i) => fallbackProblems(a, `actions[${i}]`)),
  ];
  if (errors.length > 0) {
    const seen = new Set<string>();
    return { ok: false, errors: errors.filter((e) => !seen.has(e.field) && !!seen.add(e.field)) };
  }
  const value = definitionOf(body as Static<typeof RulePatchSchema>);
  return { ok: true, value: opts.partial ? value : ({ ...DEFAULTS, ...value } as RuleDefinition) };
}

/** Channels that address people (email, browsers, the inbox) need someone to address. */
function recipientProblems(action: unknown, path: string): FieldError[] {
  if (!isRecord(action) || !Array.isArray(action.recipients) || action.recipients.length > 0) return [];
  const channel = typeof action.channel === 'string' ? action.channel : '';
  const addressing = channel === 'inbox' ? 'inbox' : getChannel(channel)?.addressing;
  if (addressing === 'none' || addressing === 'chat' || addressing === undefined) return [];
  return [{ field: `${path}.recipients`, detail: NON_EMPTY.minItems }];
}

/** What the fallback schema cannot say: it needs a delivery to stand in for, and someone to reach. */
function fallbackProblems(action: unknown, path: string): FieldError[] {
  if (!isRecord(action) || !isRecord(action.fallback)) return [];
  const { channel, fallback } = action;
  if (channel === 'inbox')
    return [{ field: `${path}.fallback`, detail: 'an inbox action has no delivery to fall back from' }];
  if (fallback.channel === channel)
    return [{ field: `${path}.fallback.channel`, detail: "must differ from the action's channel" }];
  const addressing =
    typeof fallback.channel === 'string' ? getChannel(fallback.channel)?.addressing : undefined;
  const named = Array.isArray(fallback.recipients) ? fallback.recipients : action.recipients;
  if (
    (addressing === 'email' || addressing === 'push-subscription') &&
    Array.isArray(named) &&
    named.length === 0
  )
    return [
      {
        field: `${path}.fallback.recipients`,
        detail: `must name who the ${fallback.channel} fallback reaches: the action names no one`,
      },
    ];
  return [];
}

/** The checked body as the core keeps it: known keys only, the cadence always an object. */
function definitionOf(b: Static<typeof RulePatchSchema>): Partial<RuleDefinition> {
  const out: Partial<RuleDefinition> = {};
  if (b.name !== undefined) out.name = b.name;
  if (b.enabled !== undefined) out.enabled = b.enabled;
  if (b.events !== undefined) out.events = [...b.events];
  if (b.conditionLogic !== undefined)
    out.conditionLogic = b.conditionLogic as RuleDefinition['conditionLogic'];
  if (b.conditions !== undefined) {
    out.conditions = b.conditions.map((c) => ({
      field: c.field,
      operator: c.operator as RuleDefinition['conditions'][number]['operator'],
      ...(c.value !== undefined ? { value: c.value } : {}),
    }));
  }
  if (b.cadence !== undefined) out.cadence = cadenceOf(b.cadence);
  if (b.actions !== undefined) {
    out.actions = b.actions.map((a) => ({
      channel: a.channel,
      recipients: [...a.recipients],
      ...(a.fallback ? { fallback: fallbackOf(a.fallback) } : {}),
    }));
  }
  return out;
}

function fallbackOf(f: Static<typeof FallbackSchema>): RuleFallback {
  return {
    channel: f.channel,
    ...(f.recipients !== undefined ? { recipients: [...f.recipients] } : {}),
    ...(f.afterSeconds !== undefined ? { afterSeconds: f.afterSeconds } : {}),
  };
}

/** The spec writes `"cadence": "instant"`; the object forms carry parameters. Both become objects. */
function cadenceOf(c: Static<typeof CadenceSchema>): RuleCadence {
  if (c === 'instant' || c.type === 'instant') return { type: 'instant' };
  if (c.type === 'throttle') return { type: 'throttle', minutes: c.minutes };
  return { type: 'digest', every: c.every as 'hour' | 'day' };
}
