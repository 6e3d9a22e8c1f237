import { type Clock, systemClock } from '../domain/clock.ts';
import type { Hub, HubEvent } from '../realtime/hub.ts';
import type { FanOutEvent, InboxAnnouncer } from '../realtime/inbox-events.ts';
import type { Executor, StoreKind } from '../store/database.ts';
import type { InboxRow } from '../store/inbox.repository.ts';
import {
  countUnreadByUser,
  type FanOutItemRow,
  getFanOutItems,
  getWatchItemsByIds,
  getWatchMessages,
  joinWatchRow,
  type WatchItemRow,
} from '../store/inbox-watch.repository.ts';
import { SharedParts } from './shared-parts.ts';

/**
 * What live inbox watchers show, read for all of them together, and how committed changes
 * reach them.
 *
 * A bucket message to 10k users wakes 10k watchers at once. Its commit announces one fan-out
 * (a message id, not 10k ids); `announce` reads the message, then in one statement the items
 * of the watched users it reached, each with its user's unread count (one statement per
 * EXPAND_CHUNK watched users past that many), and publishes one `created` event per item with that data
 * attached, so a watcher reads nothing of its own (and the message's part of the frame is
 * encoded once, see FrameData.shared). Events that name their items (a message to named
 * users, a released pause) go to the hub as they are; a watcher they wake asks `frameData`,
 * which answers every watcher asking in the same turn from one read of the items, one of
 * their messages and one grouped count.
 *
 * The hub gets at most PUBLISH_SLICE events per turn of the event loop: each event ends in a
 * socket write, and 10k of them in one turn kept every other request waiting. Announcements
 * are published in the order they came, fan-outs included (their reads are awaited in turn).
 *
 * Reads happen after the commit (announcements come only then), so they never see less than
 * was announced.
 */
export interface InboxFrames extends InboxAnnouncer {
  /**
   * The item an event announces (undefined once deleted, archived or held) and the unread
   * count: at once when they were read with the event's fan-out, else read with every other
   * watcher asking in this turn.
   */
  frameData(userId: string, event: HubEvent): FrameData | Promise<FrameData>;
}

export interface FrameData {
  row: InboxRow | undefined;
  unread: number;
  /**
   * Shared by every frame of the same message read together: whoever encodes frames keeps the
   * message's encoded part here, so 10k frames of one message encode it once.
   */
  shared: SharedParts;
}

/** Hub events published per turn of the event loop. */
export const PUBLISH_SLICE = 500;
/**
 * Watched users whose items of one fan-out are read in one statement, and counted in one. Up
 * to this many watchers a fan-out costs those two reads (and one of its message); past it, two
 * per chunk, with a turn of the event loop between chunks so no read holds it for long.
 */
export const EXPAND_CHUNK = 10_000;
/** Data read with a fan-out is used for events delivered within this long; later ones read afresh. */
const ATTACHED_FRESH_MS = 1_000;

/** Frame data read with a fan-out, riding on its hub event (`HubEvent.attached`). */
class AttachedFrame implements FrameData {
  constructor(
    readonly row: InboxRow,
    readonly unread: number,
    readonly shared: SharedParts,
    /** When it was read (clock ms). */
    readonly at: number,
  ) {}
}

interface Pending {
  userId: string;
  notificationId: string;
  resolve: (data: FrameData) => void;
  reject: (err: unknown) => void;
  promise: Promise<FrameData>;
}

export interface InboxFramesOptions {
  db: () => Executor;
  kind: StoreKind;
  hub: Hub;
  /** Unread counts leave out items snoozed past its now, as the inbox list does. */
  clock?: Clock;
  /** Told about a failed fan-out read; the watchers then miss that message (as on a failed re-read). */
  onError?: (err: unknown) => void;
}

export function createInboxFrames(opts: InboxFramesOptions): InboxFrames {
  const { db, kind, hub } = opts;
  const clock = opts.clock ?? systemClock;
  const onError = opts.onError ?? (() => {});

  // --- publishing, in order, PUBLISH_SLICE events per turn
  const outbox: HubEvent[] = [];
  let outboxHead = 0;
  let pumping = false;
  // Announcements waiting behind a fan-out read, so their events keep their place.
  let queued = 0;
  let tail: Promise<void> = Promise.resolve();

  function pump(): void {
    const end = Math.min(outbox.length, outboxHead + PUBLISH_SLICE);
    hub.publish(outbox.slice(outboxHead, end));
    outboxHead = end;
    if (outboxHead < outbox.length) {
      setImmediate(pump);
      return;
    }
    outbox.length = 0;
    outboxHead = 0;
    pumping = false;
  }

  function publish(events: readonly HubEvent[]): void {
    if (events.length === 0) return;
    for (const e of events) outbox.push(e);
    if (!pumping) {
      pumping = true;
      pump();
    }
  }

  /** Reads a fan-out's items for the watched users it reached and publishes them. */
  async function expand(f: FanOutEvent): Promise<void> {
    const watched = hub.watchedUserIds();
    if (watched.length === 0 || f.reached === 0) return;
    const executor = db();
    const message = (await getWatchMessages(executor, kind, [f.messageId])).get(f.messageId);
    if (!message) return;
    const shared = new SharedParts();
    // Its items copy the message's bucket, template, tenant and time.
    const itemOf = (i: FanOutItemRow): WatchItemRow => ({
      id: i.id,
      user_id: i.user_id,
      message_id: message.id,
      bucket_id: message.bucket_id,
      template_id: message.template_id,
      tenant_id: message.tenant_id,
      read_at: i.read_at,
      created_at: f.createdAt,
    });
    const publishItems = (items: FanOutItemRow[], now: number) => {
      publish(
        items.map((item) => ({
          userId: item.user_id,
          notificationId: item.id,
          kind: 'created',
          attached: new AttachedFrame(joinWatchRow(itemOf(item), message), item.unread, shared, now),
        })),
      );
    };
    // Read whichever costs less: all the fan-out's items by message (when it reached not many
    // more users than are watched), or the watched users' items of it, a chunk at a time.
    if (f.reached <= Math.min(2 * watched.length, 2 * EXPAND_CHUNK)) {
      const now = clock.now();
      const items = await getFanOutItems(executor, kind, f, null, now);
      publishItems(
        items.filter((i) => hub.subscriberCount(i.user_id) > 0),
        now,
      );
      return;
    }
    for (let i = 0; i < watched.length; i += EXPAND_CHUNK) {
      // Past the first chunk, let the event loop turn: each read runs on it (SQLite).
      if (i > 0) await new Promise((resolve) => setImmediate(resolve));
      const now = clock.now();
      publishItems(await getFanOutItems(executor, kind, f, watched.slice(i, i + EXPAND_CHUNK), now), now);
    }
  }

  // --- frame data for events that name their items, batched per turn
  let batch = new Map<string, Pending>();
  let scheduled = false;

  async function flush(): Promise<void> {
    const current = batch;
    batch = new Map();
    scheduled = false;
    const entries = [...current.values()];
    try {
      const executor = db();
      const items = await getWatchItemsByIds(executor, kind, [
        ...new Set(entries.map((e) => e.notificationId)),
      ]);
      const messages = await getWatchMessages(executor, kind, [...new Set(items.map((i) => i.message_id))]);
      const byId = new Map<string, { row: InboxRow; shared: SharedParts }>();
      const sharedOf = new Map<string, SharedParts>();
      for (const item of items) {
        const m = messages.get(item.message_id);
        if (!m) continue;
        let shared = sharedOf.get(m.id);
        if (!shared) {
          shared = new SharedParts();
          sharedOf.set(m.id, shared);
        }
        byId.set(item.id, { row: joinWatchRow(item, m), shared });
      }
      const unread = await countUnreadByUser(
        executor,
        kind,
        [...new Set(entries.map((e) => e.userId))],
        clock.now(),
      );
      for (const e of entries) {
        const found = byId.get(e.notificationId);
        // A row belongs to one user; another user's watcher never gets it.
        const mine = found?.row.user_id === e.userId ? found : undefined;
        e.resolve({
          row: mine?.row,
          unread: unread.get(e.userId) ?? 0,
          shared: mine?.shared ?? new SharedParts(),
        });
      }
    } catch (err) {
      for (const e of entries) e.reject(err);
    }
  }

  function load(userId: string, notificationId: string): Promise<FrameData> {
    const key = `${userId}\u0000${notificationId}`;
    const existing = batch.get(key);
    if (existing) return existing.promise;
    let resolve!: (d: FrameData) => void;
    let reject!: (err: unknown) => void;
    const promise = new Promise<FrameData>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    batch.set(key, { userId, notificationId, resolve, reject, promise });
    if (!scheduled) {
      scheduled = true;
      // After the current turn: every watcher the same publish woke has asked by then.
      setImmediate(() => void flush());
    }
    return promise;
  }

  return {
    announce(events, fanOuts) {
      if (fanOuts.length === 0 && queued === 0) {
        publish(events);
        return;
      }
      queued++;
      tail = tail
        .then(async () => {
          // A turn of the event loop first: the request that committed the fan-out gets its
          // answer written before the read of the watched items and the first slice of
          // frames (they delayed a 10k-watcher message's 201 by about a quarter).
          if (fanOuts.length > 0) await new Promise((resolve) => setImmediate(resolve));
          for (const f of fanOuts) {
            try {
              await expand(f);
            } catch (err) {
              onError(err);
            }
          }
          publish(events);
        })
        .catch(onError)
        .finally(() => {
          queued--;
        });
    },

    frameData(userId, event) {
      const pre = event.attached;
      if (
        pre instanceof AttachedFrame &&
        pre.row.user_id === userId &&
        clock.now() - pre.at <= ATTACHED_FRESH_MS
      )
        return pre;
      return load(userId, event.notificationId);
    },
  };
}
