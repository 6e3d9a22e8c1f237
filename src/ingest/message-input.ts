import { type FieldError, invalidMany } from '../domain/errors.ts';
import {
  ACTION_TYPES,
  type ActionType,
  DELIVERY_TYPES,
  type DeliveryType,
  LIMITS,
  MEDIA_TYPES,
  type MediaType,
  type MessageAction,
  type MessageAttachment,
} from '../domain/message.ts';
import { badTextField } from '../domain/text.ts';

/**
 * Normalises a messages-family request — JSON body, multipart fields or query string — into
 * one shape, naming every bad field. In `text` mode (multipart, query) values arrive as
 * strings: booleans are "true"/"false", numbers are digits, arrays and objects are JSON, and
 * userIds/snoozes may also be comma-separated. Unknown fields are ignored.
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

type Mode = 'json' | 'text';
type Raw = Record<string, unknown>;

const SHORT_TEXT = 200;

class Reader {
  readonly errors: FieldError[] = [];
  constructor(
    private readonly raw: Raw,
    private readonly mode: Mode,
  ) {}

  fail(field: string, detail: string): undefined {
    this.errors.push({ field, detail });
    return undefined;
  }

  string(
    field: string,
    opts: { required?: boolean; max?: number; value?: unknown } = {},
  ): string | undefined {
    const v = opts.value !== undefined ? opts.value : this.raw[field];
    if (v === undefined || v === null || (v === '' && !opts.required)) {
      return opts.required ? this.fail(field, 'is required') : undefined;
    }
    if (typeof v !== 'string') return this.fail(field, 'must be a string');
    // Multipart fields skip the request-wide text guard, so check here too.
    if (badTextField(v, field))
      return this.fail(field, 'must not contain NUL characters or unpaired surrogates');
    if (opts.required && v.trim() === '') return this.fail(field, 'must not be empty');
    const max = opts.max ?? SHORT_TEXT;
    if ([...v].length > max) return this.fail(field, `must be at most ${max} characters`);
    return v;
  }

  boolean(field: string, value: unknown = this.raw[field]): boolean | undefined {
    if (value === undefined || value === null || value === '') return undefined;
    if (typeof value === 'boolean') return value;
    if (this.mode === 'text' && typeof value === 'string' && /^(true|false)$/i.test(value)) {
      return value.toLowerCase() === 'true';
    }
    return this.fail(field, 'must be true or false');
  }

  /** A structured value: in text mode a JSON string is parsed first. */
  structured(field: string): unknown {
    const v = this.raw[field];
    if (typeof v === 'string' && (this.mode === 'text' || /^\s*[[{]/.test(v))) {
      try {
        return JSON.parse(v);
      } catch {
        return this.fail(field, 'is not valid JSON');
      }
    }
    return v;
  }

  enumValue<T extends string>(
    field: string,
    allowed: readonly T[],
    value: unknown,
    required: boolean,
  ): T | undefined {
    if (value === undefined || value === null || value === '')
      return required ? this.fail(field, 'is required') : undefined;
    if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
      return this.fail(field, `must be one of ${allowed.join(', ')}`);
    }
    return value as T;
  }

  url(field: string, value: unknown): string | undefined {
    const s = this.string(field, { value, max: 2048 });
    if (s === undefined) return undefined;
    try {
      const u = new URL(s);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        return this.fail(field, 'must be an http or https URL');
      return s;
    } catch {
      return this.fail(field, 'must be an absolute URL');
    }
  }

  action(field: string, value: unknown): MessageAction | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return this.fail(field, 'must be an object');
    const o = value as Raw;
    const type = this.enumValue<ActionType>(`${field}.type`, ACTION_TYPES, o.type, true);
    const actionValue = this.string(`${field}.value`, {
      value: o.value ?? undefined,
      required: true,
      max: 2048,
    });
    const title = this.string(`${field}.title`, { value: o.title ?? undefined });
    const icon = this.string(`${field}.icon`, { value: o.icon ?? undefined });
    const destructive =
      o.destructive === undefined ? undefined : this.boolean(`${field}.destructive`, o.destructive);
    if (!type || actionValue === undefined) return undefined;
    return {
      type,
      value: actionValue,
      ...(destructive !== undefined ? { destructive } : {}),
      ...(icon !== undefined ? { icon } : {}),
      ...(title !== undefined ? { title } : {}),
    };
  }

  attachment(field: string, value: unknown): MessageAttachment | undefined {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      return this.fail(field, 'must be an object');
    const o = value as Raw;
    const mediaType = this.enumValue<MediaType>(`${field}.mediaType`, MEDIA_TYPES, o.mediaType, true);
    const name = this.string(`${field}.name`, { value: o.name ?? undefined });
    const url = o.url === undefined || o.url === null ? undefined : this.url(`${field}.url`, o.url);
    const uuid = this.string(`${field}.attachmentUuid`, { value: o.attachmentUuid ?? undefined });
    const save =
      o.saveOnServer === undefined ? undefined : this.boolean(`${field}.saveOnServer`, o.saveOnServer);
    if (o.url == null && o.attachmentUuid == null)
      return this.fail(`${field}.url`, 'provide either url or attachmentUuid');
    if (!mediaType) return undefined;
    return {
      mediaType,
      ...(name !== undefined ? { name } : {}),
      ...(url !== undefined ? { url } : {}),
      ...(uuid !== undefined ? { attachmentUuid: uuid } : {}),
      ...(save !== undefined ? { saveOnServer: save } : {}),
    };
  }

  list<T>(field: string, max: number, item: (f: string, v: unknown) => T | undefined): T[] {
    const v = this.structured(field);
    if (v === undefined || v === null || v === '') return [];
    if (!Array.isArray(v)) return this.fail(field, 'must be an array') ?? [];
    if (v.length > max) return this.fail(field, `must have at most ${max} items`) ?? [];
    return v.map((x, i) => item(`${field}[${i}]`, x)).filter((x): x is T => x !== undefined);
  }

  /** userIds: JSON array, JSON string of an array, or comma-separated. */
  refs(field: string): string[] | null {
    const v = this.raw[field];
    if (v === undefined || v === null || v === '') return null;
    let list: unknown = v;
    if (typeof v === 'string') {
      if (/^\s*\[/.test(v)) {
        try {
          list = JSON.parse(v);
        } catch {
          return this.fail(field, 'is not valid JSON') ?? null;
        }
      } else {
        list = v.split(',');
      }
    }
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) {
      return (
        this.fail(field, 'must be an array of user ids or usernames, or a comma-separated string') ?? null
      );
    }
    const cleaned = [...new Set(list.map((x: string) => x.trim()).filter(Boolean))];
    if (cleaned.length === 0) return this.fail(field, 'must name at least one user') ?? null;
    return cleaned;
  }

  snoozes(field: string): number[] {
    let v = this.raw[field];
    if (v === undefined || v === null || v === '') return [];
    if (typeof v === 'string')
      v = /^\s*\[/.test(v) ? this.structured(field) : v.split(',').map((x) => Number(x.trim()));
    if (!Array.isArray(v)) return this.fail(field, 'must be an array of minutes') ?? [];
    if (v.length > LIMITS.snoozes) return this.fail(field, `must have at most ${LIMITS.snoozes} items`) ?? [];
    const bad = v.findIndex((n) => typeof n !== 'number' || !Number.isInteger(n) || n <= 0 || n > 525_600);
    if (bad >= 0)
      return this.fail(`${field}[${bad}]`, 'must be a whole number of minutes between 1 and 525600') ?? [];
    return v as number[];
  }
}

export function readMessageInput(raw: Raw, mode: Mode): MessageInput {
  const r = new Reader(raw, mode);
  const title = r.string('title', { required: true, max: LIMITS.title });
  const subtitle = r.string('subtitle', { max: LIMITS.subtitle });
  const body = r.string('body', { max: LIMITS.body });
  const bucketRef = r.string('bucketId', { required: true });
  const deliveryType = r.enumValue<DeliveryType>('deliveryType', DELIVERY_TYPES, raw.deliveryType, true);
  const attachments = r.list('attachments', LIMITS.attachments, (f, v) => r.attachment(f, v));
  const actions = r.list('actions', LIMITS.actions, (f, v) => r.action(f, v));
  const tapRaw = r.structured('tapAction');
  const tapAction =
    tapRaw === undefined || tapRaw === null || tapRaw === '' ? undefined : r.action('tapAction', tapRaw);
  const sound = r.string('sound');
  const snoozes = r.snoozes('snoozes');
  const locale = r.string('locale', { max: 35 });
  const groupId = r.string('groupId');
  const collapseId = r.string('collapseId');
  const userRefs = r.refs('userIds');
  const shortcuts: Array<[string, MediaType]> = [
    ['imageUrl', 'IMAGE'],
    ['videoUrl', 'VIDEO'],
    ['gifUrl', 'GIF'],
  ];
  for (const [field, mediaType] of shortcuts) {
    const url =
      raw[field] === undefined || raw[field] === null || raw[field] === ''
        ? undefined
        : r.url(field, raw[field]);
    if (url) attachments.push({ mediaType, url });
  }
  const tapUrl = raw.tapUrl === undefined || raw.tapUrl === '' ? undefined : r.url('tapUrl', raw.tapUrl);
  const flags = {
    addMarkAsReadAction: r.boolean('addMarkAsReadAction') ?? false,
    addOpenNotificationAction: r.boolean('addOpenNotificationAction') ?? false,
    addDeleteAction: r.boolean('addDeleteAction') ?? false,
  };
  if (attachments.length > LIMITS.attachments)
    r.fail('attachments', `must have at most ${LIMITS.attachments} items`);
  if (r.errors.length > 0) throw invalidMany(r.errors);
  return {
    bucketRef: bucketRef!,
    title: title!,
    subtitle: subtitle ?? null,
    body: body ?? null,
    deliveryType: deliveryType!,
    attachments,
    actions,
    tapAction: tapAction ?? (tapUrl ? { type: 'NAVIGATE', value: tapUrl } : null),
    sound: sound ?? null,
    snoozes,
    locale: locale ?? null,
    groupId: groupId ?? null,
    collapseId: collapseId ?? null,
    userRefs,
    ...flags,
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
