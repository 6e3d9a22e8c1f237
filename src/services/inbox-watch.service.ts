import type { AppContext } from '../context.ts';
import type { Subscription } from '../realtime/hub.ts';
import {
  countUnread,
  type InboxFilter,
  type InboxRow,
  listInboxAfter,
  notificationCursor,
} from '../store/inbox.repository.ts';
import type { FrameData } from './inbox-frames.ts';
import { type InboxFormat, type InboxItem, matchesFilter, toInboxItem } from './inbox-item.ts';
import type { SharedParts } from './shared-parts.ts';

/** ms between keep-alive pings/comments on a watcher, so proxies do not drop idle streams. */
export const WATCH_KEEPALIVE_MS = 25_000;
/** Most notifications replayed to a reconnecting stream client. */
export const REPLAY_LIMIT = 200;

export interface WatchFrame {
  notification: InboxItem;
  unread_count: number;
}

/** A live frame as the transport sends it: the notification's id and the frame's JSON text. */
export interface EncodedWatchFrame {
  id: string;
  json: string;
}

/**
 * Subscribes one watcher (a WebSocket or an SSE response) to a user's new notifications.
 * Each event's item is read from the store together with every other watcher's (see
 * inbox-frames.ts), filtered, encoded and handed to `send`, which returns a promise when the
 * transport needs time to take the frame (nothing when it took it at once); a watcher that
 * stops reading stalls only its own queue, and on overflow `onOverflow` tells the client to
 * refetch.
 */
export function watchInbox(
  ctx: AppContext,
  watcher: Watcher,
  filter: InboxFilter,
  format: InboxFormat,
  /** Returns a promise when the transport cannot take the next frame until it settles. */
  send: (frame: EncodedWatchFrame) => Promise<void> | undefined,
  onOverflow: () => void,
  /** The watcher's token, session or user was revoked: end the transport. */
  onRevoked: () => void,
): Subscription {
  const { userId } = watcher;
  // Buckets the user left while watching: nothing more from them, even if already in flight.
  const left = new Set<string>();
  const show = ({ row, unread, shared }: FrameData): Promise<void> | undefined => {
    if (!row || !matchesFilter(row, filter) || (row.bucket_id !== null && left.has(row.bucket_id))) return;
    return send({ id: row.id, json: encodeFrame(row, unread, format, shared) });
  };
  return ctx.hub.subscribe(
    userId,
    {
      deliver(event) {
        if (event.kind !== 'created') return;
        // Data read with a fan-out comes at once; anything else is read with the other watchers'.
        const data = ctx.inboxFrames.frameData(userId, event);
        return data instanceof Promise ? data.then(show) : show(data);
      },
      overflow: onOverflow,
      revoked: onRevoked,
      leftBucket: (bucketId) => left.add(bucketId),
    },
    { credential: { tokenId: watcher.tokenId, sessionId: watcher.sessionId } },
  );
}

/**
 * `JSON.stringify({notification, unread_count})`, byte for byte, with the part of the item that
 * comes from the message (everything after `id` and `user_id`) encoded once per message and
 * variant and kept in `shared`.
 */
export function encodeFrame(row: InboxRow, unread: number, format: InboxFormat, shared: SharedParts): string {
  const tail = shared.part([format, row.read_at, row.created_at, row.bucket_id, row.template_id], () => {
    const { id: _id, user_id: _user, ...rest } = toInboxItem(row, format);
    return JSON.stringify(rest).slice(1);
  });
  return `{"notification":{"id":${jsonString(row.id)},"user_id":${jsonString(row.user_id)},${tail},"unread_count":${unread}}`;
}

/** Ids are UUIDs, which need no escaping; anything else goes through JSON.stringify. */
const PLAIN = /^[\w-]*$/;
const jsonString = (s: string): string => (PLAIN.test(s) ? `"${s}"` : JSON.stringify(s));

/** Who is watching: the user, and the credential whose revocation ends the watch. */
export interface Watcher {
  userId: string;
  tokenId: string | null;
  sessionId: string | null;
}

/**
 * What a reconnecting client missed since notification `since`, oldest first: `none` when the
 * id is not in the user's inbox (nothing to replay), `overflow` when more than REPLAY_LIMIT
 * items came since (the client refetches the inbox instead).
 */
export type Replay = { kind: 'none' } | { kind: 'overflow' } | { kind: 'frames'; frames: WatchFrame[] };

export async function replayInbox(
  ctx: AppContext,
  userId: string,
  since: string,
  filter: InboxFilter,
  format: InboxFormat,
): Promise<Replay> {
  const cursor = await notificationCursor(ctx.store.db, userId, since);
  if (!cursor) return { kind: 'none' };
  const now = ctx.clock.now();
  const rows = await listInboxAfter(
    ctx.store.db,
    userId,
    cursor,
    { ...filter, awakeAt: now },
    REPLAY_LIMIT + 1,
  );
  if (rows.length > REPLAY_LIMIT) return { kind: 'overflow' };
  const unread = await countUnread(ctx.store.db, userId, now);
  return {
    kind: 'frames',
    frames: rows.map((r) => ({ notification: toInboxItem(r, format), unread_count: unread })),
  };
}
