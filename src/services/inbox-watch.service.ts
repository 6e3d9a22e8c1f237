import type { AppContext } from '../context.ts';
import type { Subscription } from '../realtime/hub.ts';
import { countUnread, getInboxItem, type InboxFilter } from '../store/inbox.repository.ts';
import { type InboxFormat, type InboxItem, matchesFilter, toInboxItem } from './inbox-item.ts';

export interface WatchFrame {
  notification: InboxItem;
  unread_count: number;
}

/**
 * Subscribes one watcher (a WebSocket or an SSE response) to a user's new notifications.
 * Each event is re-read from the store, filtered, and handed to `send`, which resolves when
 * the transport has taken the frame; a watcher that stops reading stalls only its own queue,
 * and on overflow `onOverflow` tells the client to refetch.
 */
export function watchInbox(
  ctx: AppContext,
  userId: string,
  filter: InboxFilter,
  format: InboxFormat,
  send: (frame: WatchFrame) => Promise<void>,
  onOverflow: () => void,
): Subscription {
  return ctx.hub.subscribe(userId, {
    async deliver(event) {
      if (event.kind !== 'created') return;
      const row = await getInboxItem(ctx.store.db, userId, event.notificationId);
      if (!row || !matchesFilter(row, filter)) return;
      const unread = await countUnread(ctx.store.db, userId);
      await send({ notification: toInboxItem(row, format), unread_count: unread });
    },
    overflow: onOverflow,
  });
}
