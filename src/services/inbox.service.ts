import type { AppContext } from '../context.ts';
import { forbidden, invalid, invalidMany, notFound } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import { emptyDraft, type MessageDraft } from '../domain/message.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import { commitMessage } from '../ingest/commit-message.ts';
import { enabledChannelTypes } from '../store/channel-config.repository.ts';
import { insertEvents, settingsUpdated } from '../store/event.repository.ts';
import {
  countUnread,
  getInboxItem,
  type InboxFilter,
  listInbox,
  markAllRead,
  notificationCursor,
  releaseHeld,
  setReadAt,
} from '../store/inbox.repository.ts';
import { listPreferences, upsertPreferences } from '../store/preference.repository.ts';
import { getSetting, putSetting } from '../store/setting.repository.ts';
import { getTemplate, getTemplatesByIds, type TemplateRow } from '../store/template.repository.ts';
import { findUserByRef, type UserRow } from '../store/user.repository.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';
import { renderTemplate } from '../templates/template-render.ts';
import { type InboxItem, toInboxItem } from './inbox-item.ts';

export type { InboxFilter };

/** Notifications per inbox page, as Coder's API serves them. */
export const INBOX_PAGE_SIZE = 25;

export interface InboxPage {
  notifications: InboxItem[];
  unread_count: number;
}

/**
 * Newest first; `startingBefore` is the id of the last notification of the previous page. An id
 * that is not in the caller's inbox gives the first page, as coderd answers an unknown one.
 */
export async function listInboxPage(
  ctx: AppContext,
  userId: string,
  filter: InboxFilter,
  startingBefore?: string,
): Promise<InboxPage> {
  let before: { createdAt: number; id: string } | undefined;
  if (startingBefore) {
    if (!isUuid(startingBefore)) throw invalid('starting_before', 'Invalid UUID');
    before = await notificationCursor(ctx.store.db, userId, startingBefore);
  }
  // Items snoozed past now stay out of the page and the count until their time comes.
  const now = ctx.clock.now();
  const [rows, unread] = await Promise.all([
    listInbox(ctx.store.db, userId, { ...filter, awakeAt: now }, { limit: INBOX_PAGE_SIZE, before }),
    countUnread(ctx.store.db, userId, now),
  ]);
  return { notifications: rows.map((r) => toInboxItem(r)), unread_count: unread };
}

export async function markAllInboxRead(ctx: AppContext, userId: string): Promise<void> {
  await ctx.store.writer.run((tx) => markAllRead(tx, userId, ctx.clock.now()));
}

/** Marks one of the user's notifications read or unread; another user's id is not found. */
export async function setInboxReadStatus(
  ctx: AppContext,
  userId: string,
  id: string,
  isRead: boolean,
): Promise<{ notification: InboxItem; unread_count: number }> {
  if (!isUuid(id)) throw notFound('Notification');
  const ok = await ctx.store.writer.run((tx) => setReadAt(tx, userId, id, isRead ? ctx.clock.now() : null));
  if (!ok) throw notFound('Notification');
  const [row, unread] = await Promise.all([
    getInboxItem(ctx.store.db, userId, id),
    countUnread(ctx.store.db, userId, ctx.clock.now()),
  ]);
  return { notification: toInboxItem(row!), unread_count: unread };
}

/**
 * As coderd answers `GET /notifications/dispatch-methods`: the outside methods a template can be
 * sent by (the inbox is implicit and not listed), here the enabled channels by name, and the
 * default, `smtp` unless only other channels are enabled (coderd's default is `smtp` too).
 */
export async function dispatchMethods(ctx: AppContext): Promise<{ available: string[]; default: string }> {
  const available = [...(await enabledChannelTypes(ctx.store.db))].sort();
  const fallback = available.length === 0 || available.includes('smtp') ? 'smtp' : available[0];
  return { available, default: fallback };
}

/** Renders a template for named users and commits it as a message (one inbox item each). */
export async function notifyFromTemplate(
  ctx: AppContext,
  template: Pick<TemplateRow, 'id' | 'title_template' | 'body_template'>,
  userIds: readonly string[],
  values: Record<string, unknown>,
  extra: Partial<MessageDraft> = {},
) {
  const title = renderTemplate(template.title_template, values).markdown.trim();
  const body = renderTemplate(template.body_template, values).markdown.trim();
  const draft: MessageDraft = { ...emptyDraft(title), body: body || null, templateId: template.id, ...extra };
  return commitMessage(ctx, draft, { userIds });
}

/** coderd's limits on a custom notification, in characters. */
export const CUSTOM_TITLE_MAX = 120;
export const CUSTOM_MESSAGE_MAX = 2000;

/** Both parts are required and must not be blank, as coderd requires. */
export async function sendCustomNotification(
  ctx: AppContext,
  principal: Principal,
  title: string,
  message: string,
) {
  const blank = [
    ...(title.trim() ? [] : [{ field: 'content.title', detail: 'must not be empty' }]),
    ...(message.trim() ? [] : [{ field: 'content.message', detail: 'must not be empty' }]),
  ];
  if (blank.length > 0) throw invalidMany(blank);
  // The caller writes to themselves, so the text is kept as typed (markdown included), as Coder
  // does, rather than escaped like untrusted template values; the HTML renderer still drops raw
  // HTML and unsafe URLs.
  const draft: MessageDraft = {
    ...emptyDraft(title.trim()),
    body: message.trim(),
    templateId: SYSTEM_TEMPLATES.custom.id,
    senderId: principal.userId,
  };
  await commitMessage(ctx, draft, { userIds: [principal.userId] });
}

export async function sendTestNotification(ctx: AppContext, principal: Principal) {
  const t = (await getTemplate(ctx.store.db, SYSTEM_TEMPLATES.test.id))!;
  await notifyFromTemplate(
    ctx,
    t,
    [principal.userId],
    { name: principal.username ?? principal.email ?? 'there' },
    {
      senderId: principal.userId,
    },
  );
}

/** `user` is an id, a username or `me`; members may only name themselves. */
export async function resolveUserParam(ctx: AppContext, principal: Principal, ref: string): Promise<UserRow> {
  const user = await findUserByRef(ctx.store.db, ref === 'me' ? principal.userId : ref);
  if (!user) throw notFound('User');
  if (user.id !== principal.userId && !isAdmin(principal)) {
    throw forbidden('You can only see and change your own notification preferences.');
  }
  return user;
}

export interface PreferenceView {
  id: string;
  disabled: boolean;
  updated_at: string;
}

export async function getPreferences(ctx: AppContext, userId: string): Promise<PreferenceView[]> {
  return (await listPreferences(ctx.store.db, userId)).map((p) => ({
    id: p.template_id,
    disabled: p.disabled === 1,
    updated_at: new Date(p.updated_at).toISOString(),
  }));
}

export async function setPreferences(
  ctx: AppContext,
  userId: string,
  map: Record<string, boolean>,
): Promise<PreferenceView[]> {
  const ids = Object.keys(map);
  const known = new Set((await getTemplatesByIds(ctx.store.db, ids)).map((t) => t.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw invalidMany(
      unknown.map((id) => ({ field: `template_disabled_map.${id}`, detail: 'no such template' })),
    );
  }
  const now = ctx.clock.now();
  await ctx.store.writer.run((tx) =>
    upsertPreferences(
      tx,
      userId,
      ids.map((templateId) => ({ templateId, disabled: map[templateId] })),
      now,
    ),
  );
  return getPreferences(ctx, userId);
}

export const NOTIFIER_PAUSED = 'notifier_paused';

export async function isNotifierPaused(ctx: AppContext): Promise<boolean> {
  return (await getSetting<boolean>(ctx.store.db, NOTIFIER_PAUSED)) === true;
}

/**
 * Returns false when nothing changed. Pausing holds outside deliveries and new inbox items
 * alike, as coderd's paused notifier does; resuming releases the held inbox items (watchers
 * get them as new) and wakes the delivery workers.
 */
export async function setNotifierPaused(ctx: AppContext, paused: boolean): Promise<boolean> {
  if ((await isNotifierPaused(ctx)) === paused) return false;
  const now = ctx.clock.now();
  const released = await ctx.store.writer.run(async (tx) => {
    await putSetting(tx, NOTIFIER_PAUSED, paused, now);
    await insertEvents(tx, [settingsUpdated(now, { key: NOTIFIER_PAUSED, value: paused })], now);
    if (paused) return [];
    const events = (await releaseHeld(tx, now)).map((n) => ({
      kind: 'created' as const,
      userId: n.user_id,
      notificationId: n.id,
    }));
    await ctx.inboxEvents.inTx(tx, events);
    return events;
  });
  ctx.inboxEvents.committed(released);
  ctx.signals.eventsCommitted.emit({ count: 1 });
  // Delivery workers in this process take the new value at once (and claim, when resumed).
  ctx.signals.settingsChanged.emit({ key: NOTIFIER_PAUSED, value: paused });
  return true;
}
