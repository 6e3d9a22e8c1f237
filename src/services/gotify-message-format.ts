import type { DeliveryType, MessageAction, MessageAttachment } from '../domain/message.ts';
import type { GotifyMessageRow } from '../store/gotify-message.repository.ts';

/**
 * Gotify's vocabulary ↔ the core's, in one place (docs/gotify.md shows the same tables).
 *
 * Priority follows the bands the Gotify Android app uses: 0 (and below) shows no notification,
 * 1–7 a normal one, 8 and above a high-priority one. So:
 *
 * | Gotify priority | deliveryType | deliveryType → Gotify priority |
 * |---|---|---|
 * | ≤ 0   | SILENT   | SILENT → 0   |
 * | 1–7   | NORMAL   | NORMAL → 5   |
 * | ≥ 8   | CRITICAL | CRITICAL → 8 |
 *
 * A message sent through Gotify keeps the exact priority it was given; the table's right
 * column only answers for messages from other families.
 */
export const deliveryTypeOf = (priority: number): DeliveryType =>
  priority <= 0 ? 'SILENT' : priority < 8 ? 'NORMAL' : 'CRITICAL';

const PRIORITY_OF: Readonly<Record<string, number>> = { SILENT: 0, NORMAL: 5, CRITICAL: 8 };

export const priorityOf = (deliveryType: string): number => PRIORITY_OF[deliveryType] ?? 5;

/** The Gotify message JSON (`MessageExternal`). */
export interface GotifyMessage {
  id: number;
  appid: number;
  message: string;
  title: string;
  priority: number;
  extras?: Record<string, unknown>;
  date: string;
}

// Characters that can start markdown anywhere in a line, and the ones that only do so at its
// start (lists, setext underlines, ordered lists). The backslash is in the first set, so every
// backslash of an escaped text starts an escape and unescaping gives the original back exactly.
const INLINE_SPECIAL = /[\\`*_[\]<>#|~&]/g;
const LINE_START_SPECIAL = /^([ \t]*)([-+=]|\d+[.)])/gm;
const ESCAPED = /\\([\\`*_[\]<>#|~&\-+=.)])/g;

/** Plain text as markdown that renders as that text (the core keeps bodies as markdown). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(INLINE_SPECIAL, '\\$&')
    .replace(LINE_START_SPECIAL, (_m, indent: string, mark: string) =>
      /^\d/.test(mark) ? `${indent}${mark.slice(0, -1)}\\${mark.slice(-1)}` : `${indent}\\${mark}`,
    );
}

/** The inverse of {@link escapeMarkdown}. */
export const unescapeMarkdown = (markdown: string): string => markdown.replace(ESCAPED, '$1');

const objectAt = (o: unknown, key: string): Record<string, unknown> | undefined => {
  const v = (o as Record<string, unknown> | undefined)?.[key];
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
};

const stringAt = (o: Record<string, unknown> | undefined, key: string): string | undefined => {
  const v = o?.[key];
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
};

/** What the core takes from a sender's `extras`; everything else is kept for Gotify clients only. */
export interface ExtrasMeaning {
  markdown: boolean;
  tapAction: MessageAction | null;
  attachments: MessageAttachment[];
}

export function readExtras(extras: Record<string, unknown> | undefined): ExtrasMeaning {
  const display = objectAt(extras, 'client::display');
  const notification = objectAt(extras, 'client::notification');
  const click = stringAt(objectAt(notification, 'click'), 'url');
  const image = stringAt(notification, 'bigImageUrl');
  return {
    markdown: stringAt(display, 'contentType')?.toLowerCase() === 'text/markdown',
    tapAction: click ? { type: 'NAVIGATE', value: click } : null,
    attachments: image ? [{ mediaType: 'IMAGE', url: image }] : [],
  };
}

/**
 * Extras for a message from another family: the body is markdown, the tap action and the first
 * image become Gotify's click URL and big image.
 */
function extrasOfCore(row: GotifyMessageRow): Record<string, unknown> {
  const notification: Record<string, unknown> = {};
  const tap = row.tap_action ? (JSON.parse(row.tap_action) as MessageAction) : null;
  if (tap?.type === 'NAVIGATE') notification.click = { url: tap.value };
  const image = (JSON.parse(row.attachments) as MessageAttachment[]).find(
    (a) => a.mediaType === 'IMAGE' && a.url,
  );
  if (image?.url) notification.bigImageUrl = image.url;
  return {
    'client::display': { contentType: 'text/markdown' },
    ...(Object.keys(notification).length > 0 ? { 'client::notification': notification } : {}),
  };
}

export function toGotifyMessage(row: GotifyMessageRow): GotifyMessage {
  const date = new Date(row.created_at).toISOString();
  if (row.priority !== null) {
    // Sent through Gotify: answer with what the sender gave.
    const extras = row.extras ? (JSON.parse(row.extras) as Record<string, unknown>) : undefined;
    const body = row.body ?? '';
    return {
      id: row.id,
      appid: row.app_id,
      message: readExtras(extras).markdown ? body : unescapeMarkdown(body),
      title: row.title,
      priority: row.priority,
      ...(extras ? { extras } : {}),
      date,
    };
  }
  return {
    id: row.id,
    appid: row.app_id,
    message: [row.subtitle, row.body].filter((s): s is string => !!s).join('\n\n'),
    title: row.title,
    priority: priorityOf(row.delivery_type),
    extras: extrasOfCore(row),
    date,
  };
}
