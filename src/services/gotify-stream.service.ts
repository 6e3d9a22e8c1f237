import type { AppContext } from '../context.ts';
import type { Principal } from '../domain/principal.ts';
import { type Stream, type StreamSink, subscribe } from '../realtime/subscribe.ts';
import { getGotifyMessageByNotification } from '../store/gotify-message.repository.ts';
import { type GotifyMessage, toGotifyMessage } from './gotify-message-format.ts';
import { WATCH_KEEPALIVE_MS } from './inbox-watch.service.ts';

/**
 * A Gotify `/stream`: the caller's new inbox items in buckets that have a Gotify application,
 * whichever family the message came through, each as Gotify's message JSON. Gotify streams
 * replay nothing (clients fetch `GET /message` on connect), so the stream is live only.
 */
export function streamGotifyMessages(
  ctx: AppContext,
  principal: Principal & { sessionId: string | null },
  sink: StreamSink,
): Stream {
  // Bucket of each message resolved lately, so one the user left is dropped (subscribe.ts).
  const bucketByMessage = new Map<number, string | null>();
  return subscribe<GotifyMessage>(
    ctx.hub,
    {
      userIds: [principal.userId],
      credential: { tokenId: principal.tokenId, sessionId: principal.sessionId },
      bucketOf: (message) => bucketByMessage.get(message.id) ?? null,
      async resolve(event) {
        if (event.kind !== 'created') return undefined;
        const row = await getGotifyMessageByNotification(
          ctx.store.db,
          principal.userId,
          event.notificationId,
        );
        if (!row) return undefined;
        // A bucket-restricted token streams only its own buckets.
        if (principal.bucketIds !== null && !principal.bucketIds.includes(row.bucket_id ?? ''))
          return undefined;
        const message = toGotifyMessage(row);
        bucketByMessage.set(message.id, row.bucket_id);
        if (bucketByMessage.size > 256) bucketByMessage.delete(bucketByMessage.keys().next().value!);
        return message;
      },
      keyOf: (message) => String(message.id),
    },
    { item: (message) => JSON.stringify(message) },
    sink,
    { keepaliveMs: WATCH_KEEPALIVE_MS, onError: (err) => ctx.log.warn({ err }, 'gotify stream failed') },
  );
}
