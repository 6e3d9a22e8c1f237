import { type Clock, systemClock } from '../domain/clock.ts';
import type { Executor } from '../store/database.ts';
import { countUnreadByUser, getInboxItemsByIds, type InboxRow } from '../store/inbox.repository.ts';

/** What a live watcher needs for one event: the item (absent once deleted or archived) and the unread count. */
export interface FrameData {
  row: InboxRow | undefined;
  unread: number;
}

/**
 * Reads what live watchers show, for all of them together. A bucket message to 10k users wakes
 * 10k watchers in the same turn of the event loop; each asks for its own item, and the loader
 * answers them all from one read of the items and one grouped count of unread items (chunked),
 * instead of two queries per watcher. Watchers of the same user share one answer.
 *
 * Reads happen after the event's transaction committed (events are published only then), so a
 * batch never sees less than the event announced.
 */
export interface InboxFrameLoader {
  load(userId: string, notificationId: string): Promise<FrameData>;
}

interface Pending {
  userId: string;
  notificationId: string;
  resolve: (data: FrameData) => void;
  reject: (err: unknown) => void;
  promise: Promise<FrameData>;
}

/** Unread counts leave out items snoozed past `clock`'s now, as the inbox list does. */
export function createInboxFrameLoader(db: () => Executor, clock: Clock = systemClock): InboxFrameLoader {
  let batch = new Map<string, Pending>();
  let scheduled = false;

  async function flush(): Promise<void> {
    const current = batch;
    batch = new Map();
    scheduled = false;
    const entries = [...current.values()];
    try {
      const executor = db();
      const rows = await getInboxItemsByIds(executor, [...new Set(entries.map((e) => e.notificationId))]);
      const byId = new Map(rows.map((r) => [r.id, r]));
      const unread = await countUnreadByUser(
        executor,
        [...new Set(entries.map((e) => e.userId))],
        clock.now(),
      );
      for (const e of entries) {
        const row = byId.get(e.notificationId);
        // A row belongs to one user; another user's watcher never gets it.
        e.resolve({ row: row?.user_id === e.userId ? row : undefined, unread: unread.get(e.userId) ?? 0 });
      }
    } catch (err) {
      for (const e of entries) e.reject(err);
    }
  }

  return {
    load(userId, notificationId) {
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
    },
  };
}
