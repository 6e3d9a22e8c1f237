import type { AppContext } from '../context.ts';
import type { Principal } from '../domain/principal.ts';
import type { Subscription } from '../realtime/hub.ts';
import { getGotifyMessageByNotification } from '../store/gotify-message.repository.ts';
import { type GotifyMessage, toGotifyMessage } from './gotify-message-format.ts';

/**
 * Subscribes a Gotify `/stream` to the caller's new inbox items in buckets that have a Gotify
 * application, whichever family the message came through. Each hub event is re-read (ids
 * only cross the hub), shaped as Gotify's message JSON and handed to `send`, which resolves
 * when the socket took it; a stream that stops reading stalls only itself, and on overflow
 * `onOverflow` closes it.
 */
export function watchGotifyMessages(
  ctx: AppContext,
  principal: Principal,
  send: (message: GotifyMessage) => Promise<void>,
  onOverflow: () => void,
): Subscription {
  return ctx.hub.subscribe(principal.userId, {
    async deliver(event) {
      if (event.kind !== 'created') return;
      const row = await getGotifyMessageByNotification(ctx.store.db, principal.userId, event.notificationId);
      if (!row) return;
      // A bucket-restricted token streams only its own buckets.
      if (principal.bucketIds !== null && !principal.bucketIds.includes(row.bucket_id ?? '')) return;
      await send(toGotifyMessage(row));
    },
    overflow: onOverflow,
  });
}
