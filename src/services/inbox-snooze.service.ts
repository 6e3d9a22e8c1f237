import type { AppContext } from '../context.ts';
import { invalid, notFound } from '../domain/errors.ts';
import { isUuid } from '../domain/ids.ts';
import { countUnread, listSnoozed, setSnoozedUntil } from '../store/inbox.repository.ts';
import { type InboxItem, toInboxItem } from './inbox-item.ts';

/** The longest snooze, as the longest a message may offer: one year. */
export const SNOOZE_MAX_MS = 365 * 24 * 60 * 60 * 1000;
/** Snoozed items listed at most (soonest back first). */
export const SNOOZED_LIST_MAX = 200;

export interface SnoozedItem {
  notification: InboxItem;
  snoozed_until: string;
}

/**
 * Snoozes one of the user's inbox items until `until`: it leaves the inbox list and the unread
 * count, and comes back (unread state unchanged) once that time has passed. `null` wakes it now.
 */
export async function snoozeInboxItem(
  ctx: AppContext,
  userId: string,
  id: string,
  until: string | null,
): Promise<{ snoozed_until: string | null; unread_count: number }> {
  if (!isUuid(id)) throw notFound('Notification');
  const now = ctx.clock.now();
  let at: number | null = null;
  if (until !== null) {
    at = Date.parse(until);
    if (Number.isNaN(at)) throw invalid('until', 'must be a date-time');
    if (at <= now) throw invalid('until', 'must be in the future');
    if (at - now > SNOOZE_MAX_MS) throw invalid('until', 'must be at most one year ahead');
  }
  const ok = await ctx.store.writer.run((tx) => setSnoozedUntil(tx, userId, id, at));
  if (!ok) throw notFound('Notification');
  return {
    snoozed_until: at === null ? null : new Date(at).toISOString(),
    unread_count: await countUnread(ctx.store.db, userId, now),
  };
}

export async function listSnoozedItems(ctx: AppContext, userId: string): Promise<SnoozedItem[]> {
  const rows = await listSnoozed(ctx.store.db, userId, ctx.clock.now(), SNOOZED_LIST_MAX);
  return rows.map((r) => ({
    notification: toInboxItem(r),
    snoozed_until: new Date(Number(r.snoozed_until)).toISOString(),
  }));
}
