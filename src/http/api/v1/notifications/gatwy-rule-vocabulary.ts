import { GATWY } from './gatwy-channel-vocabulary.ts';

/**
 * Gatwy's rule editor writes rules its own way. This edge turns such a body into the
 * documented one before the rule is checked, and remembers what was written so the rule reads
 * back in the editor's shape:
 * - `conditionLogic` `"AND"` / `"OR"` (any case is accepted from everyone);
 * - `cadence` `{type: "always"}` for instant, `{type: "throttle", minutes}` as documented;
 * - conditions on `event`, `user`, `ip`, `time`, `date` and `custom` (the event's name, user,
 *   address, UTC clock time and date, and all its details) with `value` and, for `between`,
 *   `value2`;
 * - actions without `recipients`: `to` (comma-separated addresses), `to_users` (user ids),
 *   `to_roles` (role ids), `chat_id` (a Telegram chat), and `url`, `template`, `subject`,
 *   `body`, which are kept and read back but not used (Herald writes the message itself and
 *   sends to the channel's saved URL, as Gatwy's own sender does for `url`).
 *
 * A body is in the editor's shape when its cadence is `{type: "always"}`, an action carries
 * no `recipients`, or it uses the legacy single `event`.
 */

const CONDITION_FIELDS: Readonly<Record<string, string>> = {
  event: '$name',
  user: '$user',
  ip: '$ip',
  time: '$time',
  date: '$date',
  custom: '$details',
};

/** The parts of an editor body kept to read it back as written. */
export interface GatwyRuleShape {
  conditionLogic?: unknown;
  cadence?: unknown;
  conditions?: unknown;
  actions?: unknown;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function isGatwyRule(body: Record<string, unknown>): boolean {
  if (isRecord(body.cadence) && body.cadence.type === 'always') return true;
  if (body.events === undefined && typeof body.event === 'string') return true;
  return Array.isArray(body.actions) && body.actions.some((a) => isRecord(a) && a.recipients === undefined);
}

const textList = (value: unknown): unknown[] => {
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return [];
};

/** The editor's recipients as the core names them: user ids, role ids, then raw addresses. */
function recipientsOf(action: Record<string, unknown>): unknown {
  const ids = (v: unknown) => (Array.isArray(v) ? v : v === undefined ? [] : [v]);
  const chat = typeof action.chat_id === 'string' ? action.chat_id.trim() : action.chat_id;
  return [
    ...ids(action.to_users),
    ...ids(action.to_roles),
    ...textList(action.to),
    ...(chat === undefined || chat === '' ? [] : [chat]),
  ];
}

function conditionOf(c: unknown): unknown {
  if (!isRecord(c)) return c;
  const field =
    typeof c.field === 'string' && Object.hasOwn(CONDITION_FIELDS, c.field)
      ? CONDITION_FIELDS[c.field]
      : c.field;
  const { value2, ...rest } = c;
  if (c.operator === 'between' && !Array.isArray(c.value)) {
    return { ...rest, field, value: [c.value, value2 ?? c.value] };
  }
  return { ...rest, field };
}

/** What the editor sent, as the documented body, with what to keep for reading it back. */
export function fromGatwyRule(body: Record<string, unknown>): {
  body: Record<string, unknown>;
  shape: GatwyRuleShape;
} {
  const out: Record<string, unknown> = { ...body };
  const shape: GatwyRuleShape = {};
  if (
    (out.events === undefined || (Array.isArray(out.events) && out.events.length === 0)) &&
    typeof out.event === 'string'
  ) {
    out.events = out.event.trim() ? [out.event.trim()] : [];
  }
  delete out.event;
  if (body.conditionLogic !== undefined) {
    shape.conditionLogic = body.conditionLogic;
  }
  if (body.cadence !== undefined) {
    shape.cadence = body.cadence;
    if (isRecord(body.cadence) && body.cadence.type === 'always') out.cadence = 'instant';
  }
  if (body.conditions !== undefined) {
    shape.conditions = body.conditions;
    if (Array.isArray(body.conditions)) out.conditions = body.conditions.map(conditionOf);
  }
  if (body.actions !== undefined) {
    shape.actions = body.actions;
    if (Array.isArray(body.actions)) {
      out.actions = body.actions.map((a) =>
        isRecord(a) && a.recipients === undefined
          ? {
              channel: a.channel,
              recipients: recipientsOf(a),
              ...(a.fallback !== undefined ? { fallback: a.fallback } : {}),
            }
          : a,
      );
    }
  }
  return { body: out, shape };
}

/** A rule view with the editor's own shapes put back where it wrote them. */
export function toGatwyRule<T extends Record<string, unknown>>(view: T, shape: GatwyRuleShape): T {
  const out: Record<string, unknown> = { ...view };
  for (const key of ['conditionLogic', 'cadence', 'conditions', 'actions'] as const) {
    if (shape[key] !== undefined) out[key] = shape[key];
  }
  return out as T;
}

export const GATWY_RULE_DIALECT = GATWY;
