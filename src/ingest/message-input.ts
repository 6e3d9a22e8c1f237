import { type AppError, type FieldError, invalidMany } from '../domain/errors.ts';
import {
  type DeliveryType,
  LIMITS,
  type MediaType,
  type MessageAction,
  type MessageAttachment,
} from '../domain/message.ts';
import { compileCheck } from '../domain/schema-check.ts';
import { parseJsonText, textIssue } from '../domain/text.ts';
import { type MessageInputFields, MessageInputSchema } from './message-input.schema.ts';

/**
 * Reads a messages-family request into one shape. Whatever the source — a JSON body, multipart
 * fields, a query string — the fields arrive as one object and go through the same steps:
 *
 * 1. decode the text encodings a field may use: `""` and null mean absent; arrays and objects
 *    may be JSON strings (always in `text` mode, in JSON when the string starts with `[` or
 *    `{`); userIds may be comma-separated, snoozes too;
 * 2. in `text` mode (multipart, query), convert strings to the declared types ("true" → true);
 * 3. check against {@link MessageInputSchema};
 * 4. check what the schema cannot say: no NUL or broken surrogates in any text (multipart fields
 *    skip the request-wide guard), each attachment has a url or an attachmentUuid, and the
 *    shortcut URLs do not push the attachments past their limit.
 *
 * Every bad field is named at once; unknown fields are ignored.
 */
export interface MessageInput {
  bucketRef: string;
  title: string;
  subtitle: string | null;
  body: string | null;
  deliveryType: DeliveryType;
  attachments: MessageAttachment[];
  actions: MessageAction[];
  tapAction: MessageAction | null;
  sound: string | null;
  snoozes: number[];
  locale: string | null;
  groupId: string | null;
  collapseId: string | null;
  userRefs: string[] | null;
  addMarkAsReadAction: boolean;
  addOpenNotificationAction: boolean;
  addDeleteAction: boolean;
}

/**
 * `json`: values keep their JSON types; `text` (multipart, query): every value is text;
 * `{ text }`: a merge of both (messages-family sources), the named fields being text.
 */
export type InputMode = 'json' | 'text' | { text: ReadonlySet<string> };
type Raw = Record<string, unknown>;

const schema = compileCheck(MessageInputSchema);

const STRUCTURED = ['attachments', 'actions', 'tapAction'] as const;
const SHORTCUTS: ReadonlyArray<readonly ['imageUrl' | 'videoUrl' | 'gifUrl', MediaType]> = [
  ['imageUrl', 'IMAGE'],
  ['videoUrl', 'VIDEO'],
  ['gifUrl', 'GIF'],
];
const NUMBER_LIST = /^\s*-?\d+(?:\.\d+)?(?:\s*,\s*-?\d+(?:\.\d+)?)*\s*$/;

const isObject = (v: unknown): v is Raw => typeof v === 'object' && v !== null && !Array.isArray(v);
const absent = (v: unknown) => v === undefined || v === null || v === '';

/** Drops absent values, so `""` from an untouched form input reads as "not given". */
function present(o: Raw): Raw {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => !absent(v)));
}

/** Step 1: one object in the schema's shapes, plus the fields whose encoding was broken. */
function decode(raw: Raw, mode: InputMode): { fields: Raw; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const isText = (field: string) => mode === 'text' || (typeof mode === 'object' && mode.text.has(field));
  const fields = present(raw);
  const json = (field: string, text: string): unknown => {
    try {
      return parseJsonText(text, field);
    } catch (err) {
      errors.push((err as AppError).validations[0] ?? { field, detail: 'is not valid JSON' });
      return undefined;
    }
  };
  for (const field of STRUCTURED) {
    const v = fields[field];
    if (typeof v === 'string' && (isText(field) || /^\s*[[{]/.test(v))) fields[field] = json(field, v);
  }
  for (const field of ['attachments', 'actions'] as const) {
    const list = fields[field];
    if (Array.isArray(list)) fields[field] = list.map((item) => (isObject(item) ? present(item) : item));
  }
  if (isObject(fields.tapAction)) fields.tapAction = present(fields.tapAction);

  const users = fields.userIds;
  if (typeof users === 'string') {
    fields.userIds = /^\s*\[/.test(users) ? json('userIds', users) : users.split(',');
  }
  if (Array.isArray(fields.userIds) && fields.userIds.every((u) => typeof u === 'string')) {
    fields.userIds = [...new Set(fields.userIds.map((u: string) => u.trim()).filter(Boolean))];
  }
  const snoozes = fields.snoozes;
  if (typeof snoozes === 'string') {
    if (/^\s*\[/.test(snoozes)) fields.snoozes = json('snoozes', snoozes);
    else if (NUMBER_LIST.test(snoozes)) fields.snoozes = snoozes.split(',').map((x) => Number(x.trim()));
  }
  for (const e of errors) delete fields[e.field];
  // A JSON body with nothing from the query or headers needs no conversion (nor its cost).
  if (mode === 'json' || (mode !== 'text' && mode.text.size === 0)) return { fields, errors };
  if (mode === 'text') return { fields: schema.convert(fields) as Raw, errors };
  const text = Object.fromEntries(Object.entries(fields).filter(([k]) => mode.text.has(k)));
  return { fields: { ...fields, ...(schema.convert(text) as Raw) }, errors };
}

/** Action types whose value is their target: without one they cannot do anything. */
const NEEDS_VALUE = new Set(['NAVIGATE', 'BACKGROUND_CALL', 'WEBHOOK']);

/** Step 4: what the schema cannot say. */
function beyondSchema(fields: Raw): FieldError[] {
  const errors: FieldError[] = [];
  const actionLacksValue = (a: unknown, field: string) => {
    if (isObject(a) && NEEDS_VALUE.has(a.type as string) && a.value === undefined)
      errors.push({ field: `${field}.value`, detail: 'is required' });
  };
  if (Array.isArray(fields.actions)) {
    fields.actions.forEach((a, i) => {
      actionLacksValue(a, `actions[${i}]`);
    });
  }
  actionLacksValue(fields.tapAction, 'tapAction');
  const bad = textIssue(fields, '');
  if (bad) errors.push(bad);
  const attachments = Array.isArray(fields.attachments) ? fields.attachments : [];
  attachments.forEach((a, i) => {
    if (isObject(a) && a.url === undefined && a.attachmentUuid === undefined) {
      errors.push({ field: `attachments[${i}].url`, detail: 'provide either url or attachmentUuid' });
    }
  });
  const total = attachments.length + SHORTCUTS.filter(([f]) => fields[f] !== undefined).length;
  if (total > LIMITS.attachments) {
    errors.push({ field: 'attachments', detail: `must have at most ${LIMITS.attachments} items` });
  }
  return errors;
}

export function readMessageInput(raw: Raw, mode: InputMode): MessageInput {
  const { fields, errors } = decode(raw, mode);
  const all = [...errors, ...beyondSchema(fields), ...schema.errors(fields)];
  if (all.length > 0) {
    const seen = new Set<string>();
    throw invalidMany(all.filter((e) => !seen.has(e.field) && !!seen.add(e.field)));
  }
  return normalise(fields as MessageInputFields);
}

const action = (a: MessageAction): MessageAction => ({
  type: a.type,
  ...(a.value !== undefined ? { value: a.value } : {}),
  ...(a.destructive !== undefined ? { destructive: a.destructive } : {}),
  ...(a.icon !== undefined ? { icon: a.icon } : {}),
  ...(a.title !== undefined ? { title: a.title } : {}),
});

const attachment = (a: MessageAttachment): MessageAttachment => ({
  mediaType: a.mediaType,
  ...(a.name !== undefined ? { name: a.name } : {}),
  ...(a.url !== undefined ? { url: a.url } : {}),
  ...(a.attachmentUuid !== undefined ? { attachmentUuid: a.attachmentUuid } : {}),
  ...(a.saveOnServer !== undefined ? { saveOnServer: a.saveOnServer } : {}),
});

/** The checked fields as the core takes them: known fields only, shortcuts expanded. */
function normalise(f: MessageInputFields): MessageInput {
  const attachments = (f.attachments ?? []).map(attachment);
  for (const [field, mediaType] of SHORTCUTS) {
    const url = f[field];
    if (url) attachments.push({ mediaType, url });
  }
  const tapAction = f.tapAction
    ? action(f.tapAction)
    : f.tapUrl
      ? { type: 'NAVIGATE' as const, value: f.tapUrl }
      : null;
  return {
    bucketRef: f.bucketId,
    title: f.title,
    subtitle: f.subtitle ?? null,
    body: f.body ?? null,
    deliveryType: f.deliveryType ?? 'NORMAL',
    attachments,
    actions: (f.actions ?? []).map(action),
    tapAction,
    sound: f.sound ?? null,
    snoozes: f.snoozes ?? [],
    locale: f.locale ?? null,
    groupId: f.groupId ?? null,
    collapseId: f.collapseId ?? null,
    userRefs: Array.isArray(f.userIds) ? f.userIds : null,
    addMarkAsReadAction: f.addMarkAsReadAction ?? false,
    addOpenNotificationAction: f.addOpenNotificationAction ?? false,
    addDeleteAction: f.addDeleteAction ?? false,
  };
}

/** The predefined actions the add*Action flags stand for; their value is the message id. */
export function shortcutActions(input: MessageInput, messageId: string): MessageAction[] {
  const out: MessageAction[] = [];
  if (input.addMarkAsReadAction) out.push({ type: 'MARK_AS_READ', value: messageId, title: 'Mark as Read' });
  if (input.addOpenNotificationAction)
    out.push({ type: 'OPEN_NOTIFICATION', value: messageId, title: 'Open' });
  if (input.addDeleteAction)
    out.push({ type: 'DELETE', value: messageId, title: 'Delete', destructive: true });
  return out;
}
