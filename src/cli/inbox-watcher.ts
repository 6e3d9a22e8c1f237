import { setTimeout as sleep } from 'node:timers/promises';
import { CliFailure } from './cli-error.ts';
import type { Client } from './client.ts';
import { readSse } from './sse-reader.ts';

/**
 * `herald watch`: follows the inbox stream (`GET /api/v1/inbox/stream`, SSE) and survives
 * the server going away without losing or repeating a notification.
 *
 * States:
 *
 *   baseline ──newest item known──▶ connecting ──`: connected`──▶ live
 *      ▲ │                             ▲   │                        │
 *      │ └─unreachable: wait, retry────┘   └─refused/unreachable─┐  ├─stream ended/broke─┐
 *      │                                                         ▼  ▼                    │
 *      │                                         waiting (backoff 0.25 s … 5 s) ◀────────┘
 *      └─ `event: overflow` (too much missed to replay): catch up from the inbox list, reconnect
 *
 *   baseline   reads the newest matching inbox item before the first connect, so even what
 *              arrives before any live frame can be replayed after a disconnect.
 *   connecting sends `Last-Event-ID` = the newest item printed (or the baseline); the server
 *              replays what came after it, oldest first, then goes live.
 *   live       frames are printed once each: the replay may repeat items of the cursor's
 *              millisecond, so ids already printed are dropped.
 */
export interface InboxItem {
  id: string;
  title: string;
  content: string;
  targets: string[];
  read_at: string | null;
  created_at: string;
  [key: string]: unknown;
}

export interface WatchHandlers {
  item(item: InboxItem): void;
  /** `replayed` counts the items that arrived on reconnect, before going live. */
  connected(info: { first: boolean; replayed: number }): void;
  lost(info: { reason: string; retryInMs: number }): void;
}

export interface WatchOptions {
  targets?: string;
  unread: boolean;
  signal: AbortSignal;
}

const BACKOFF_MIN_MS = 250;
const BACKOFF_MAX_MS = 5_000;
/** Inbox pages (25 each) read to catch up after an overflow. */
const CATCH_UP_MAX_PAGES = 40;
/** Ids remembered to drop repeats; far more than one replay (200) can hold. */
const SEEN_LIMIT = 5_000;

interface Cursor {
  id: string;
  createdAt: number;
}

interface InboxPage {
  notifications: InboxItem[];
}

export async function watchInbox(client: Client, opts: WatchOptions, on: WatchHandlers): Promise<void> {
  const filter = {
    targets: opts.targets,
    read_status: opts.unread ? 'unread' : undefined,
  };
  const seen = new Set<string>();
  let cursor: Cursor | undefined;
  let baselineKnown = false;
  let firstConnect = true;
  let failures = 0;

  const remember = (item: InboxItem) => {
    seen.add(item.id);
    if (seen.size > SEEN_LIMIT) seen.delete(seen.values().next().value as string);
    const createdAt = Date.parse(item.created_at);
    if (!cursor || createdAt >= cursor.createdAt) cursor = { id: item.id, createdAt };
  };
  const emit = (item: InboxItem): boolean => {
    if (seen.has(item.id)) return false;
    remember(item);
    on.item(item);
    return true;
  };

  /** Lists newest first until the cursor's time, then prints what was not seen, oldest first. */
  const catchUp = async (): Promise<number> => {
    const found: InboxItem[] = [];
    let before: string | undefined;
    for (let page = 0; page < CATCH_UP_MAX_PAGES; page++) {
      const res = await client.request<InboxPage>('GET', '/api/v2/notifications/inbox', {
        query: { ...filter, starting_before: before },
        signal: opts.signal,
      });
      const since = cursor?.createdAt;
      const newer =
        since === undefined
          ? res.notifications
          : res.notifications.filter((n) => Date.parse(n.created_at) >= since);
      found.push(...newer);
      if (newer.length < res.notifications.length || res.notifications.length === 0) break;
      before = res.notifications[res.notifications.length - 1].id;
    }
    let n = 0;
    for (const item of found.reverse()) if (emit(item)) n++;
    return n;
  };

  while (!opts.signal.aborted) {
    let reason = 'the stream ended';
    try {
      if (!baselineKnown) {
        const res = await client.request<InboxPage>('GET', '/api/v2/notifications/inbox', {
          query: filter,
          signal: opts.signal,
        });
        for (const item of res.notifications) remember(item);
        baselineKnown = true;
      } else if (!cursor) {
        // The inbox was empty at start and the stream broke before any frame: whatever is in
        // the inbox now arrived while we were away.
        await catchUp();
      }
      const res = await client.open('/api/v1/inbox/stream', {
        query: { ...filter, format: 'markdown' },
        headers: { accept: 'text/event-stream', ...(cursor ? { 'last-event-id': cursor.id } : {}) },
        signal: opts.signal,
      });
      let replayed = 0;
      let live = false;
      for await (const frame of readSse(res.body!)) {
        if (frame.kind === 'comment') {
          if (frame.text === 'connected' && !live) {
            live = true;
            failures = 0;
            on.connected({ first: firstConnect, replayed });
            firstConnect = false;
          }
          continue;
        }
        if (frame.event === 'notification') {
          const { notification } = JSON.parse(frame.data) as { notification: InboxItem };
          if (emit(notification) && !live) replayed++;
        } else if (frame.event === 'overflow') {
          await res.body?.cancel().catch(() => {});
          await catchUp();
          reason = 'too much was missed to replay; caught up from the inbox';
          break;
        }
      }
    } catch (err) {
      if (opts.signal.aborted) return;
      // A refused credential will not get better by retrying.
      if (err instanceof CliFailure && err.status !== undefined && err.status < 500) throw err;
      reason = err instanceof Error ? err.message : String(err);
    }
    if (opts.signal.aborted) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** failures) * (0.75 + Math.random() * 0.5);
    failures++;
    on.lost({ reason, retryInMs: Math.round(delay) });
    try {
      await sleep(delay, undefined, { signal: opts.signal });
    } catch {
      return;
    }
  }
}
