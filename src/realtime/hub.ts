// The realtime hub: fans "notification created/updated" events out to live inbox watchers
// (WebSocket and SSE connections) in this process.
//
// Events enter only through `publish`, called after the store transaction commits. Today the
// caller is this process's ingest path; later a PostgreSQL LISTEN/NOTIFY bridge will call the same
// `publish` with events from other processes. Events carry ids only: sinks re-read what they show,
// so a late or repeated event is harmless.
//
// Subscriber states (one per `subscribe` call):
//
//   idle ──publish──▶ draining ──queue empty──▶ idle
//     │                  │
//     │                  ├──queue would exceed maxQueue──▶ overflowed ──(overflow() called once)──▶ closed
//     │                  │
//     └──────────────────┴──Subscription.close() / Hub.close()──▶ closed
//
//   idle       queue empty, no loop running.
//   draining   queued events go to `deliver` one at a time, in order, each waiting for the
//              promise the one before returned (if any); publish only appends, so a stalled
//              `deliver` stalls this subscriber alone and its queue fills up instead.
//   overflowed the subscriber fell more than maxQueue events behind. Its queue is dropped and
//              `overflow()` tells the sink to make the client refetch (WebSocket close code
//              WATCH_OVERFLOW_CLOSE_CODE), since the events it missed are gone.
//   closed     removed from the index; queued events are discarded and nothing more is delivered.
//              `revoke` gets here too: a watcher whose token, session or user ends is removed and
//              its sink's `revoked()` closes the transport.
//              A `deliver` already in flight is not cancelled (the hub cannot), only ignored.

/** A change to one user's inbox; ids only, so it can cross processes as a NOTIFY payload. */
export interface HubEvent {
  userId: string;
  notificationId: string;
  kind: 'created' | 'updated';
  /**
   * In this process only: what the publisher already read for the event, handed to sinks with
   * it (services/inbox-frames.ts). Never crosses processes; a sink that does not know it reads.
   */
  readonly attached?: unknown;
}

/**
 * A credential or a right that ended: every watcher opened with it closes (token, session, user)
 * or stops showing that bucket (membership). Ids only, so it can cross processes like HubEvent.
 */
export type Revocation =
  | { kind: 'token'; tokenId: string }
  | { kind: 'session'; sessionId: string }
  | { kind: 'user'; userId: string }
  | { kind: 'membership'; userId: string; bucketId: string };

/** What a watcher was opened with, so a revocation finds it. */
export interface WatcherCredential {
  tokenId: string | null;
  sessionId: string | null;
}

export interface Subscription {
  readonly id: string;
  /** Stops delivery and frees the slot; idempotent. Does not call `overflow()`. */
  close(): void;
}

export interface SubscriberSink {
  /** Called for each event for this user, in order; may be async (e.g. re-read + socket write). */
  deliver(event: HubEvent): Promise<void> | void;
  /**
   * Called once if the subscriber's queue overflows; the hub drops the subscription and calls
   * nothing else on this sink. (It is already out of the index when this runs, so the sink may
   * close its subscription or publish without re-entering the overflow.)
   */
  overflow(): void;
  /**
   * Called once when the watcher's credential or user was revoked; it is already out of the
   * index, and the sink closes its transport. Without it the subscription just ends.
   */
  revoked?(): void;
  /** The user left a bucket: show nothing from it any more (the watcher stays open). */
  leftBucket?(bucketId: string): void;
}

export interface Hub {
  /** Throws if the hub is closed or `maxQueue` is not a positive integer. */
  subscribe(
    userId: string,
    sink: SubscriberSink,
    opts?: { maxQueue?: number; credential?: WatcherCredential },
  ): Subscription;
  /** Closes (or narrows) the watchers each revocation names; never throws. */
  revoke(revocations: readonly Revocation[]): void;
  /** Never blocks and never throws; a slow subscriber never delays others. */
  publish(events: readonly HubEvent[]): void;
  /** Live subscriptions for one user, or for everyone when `userId` is omitted. */
  subscriberCount(userId?: string): number;
  /** The users with at least one live subscription. */
  watchedUserIds(): string[];
  /** Drops every subscription without calling `overflow()`; later publishes are ignored. */
  close(): void;
}

/**
 * WebSocket close code a watcher receives when it fell too far behind: events for it were dropped,
 * so the client should refetch the inbox and then reconnect. 4000–4999 is the application range;
 * 4008 echoes HTTP 408 ("too slow").
 */
export const WATCH_OVERFLOW_CLOSE_CODE = 4008;

/** WebSocket close code when the watcher's credential was revoked: 1008, policy violation. */
export const WATCH_REVOKED_CLOSE_CODE = 1008;

/** Events a subscriber may have waiting beyond the one in flight before it counts as stalled. */
export const DEFAULT_MAX_QUEUE = 256;

type State = 'idle' | 'draining' | 'closed';

interface Subscriber {
  readonly id: string;
  readonly userId: string;
  readonly sink: SubscriberSink;
  readonly maxQueue: number;
  readonly credential: WatcherCredential;
  state: State;
  queue: HubEvent[];
}

export function createHub(opts: { defaultMaxQueue?: number; onError?: (err: unknown) => void } = {}): Hub {
  const defaultMaxQueue = checkMaxQueue(opts.defaultMaxQueue ?? DEFAULT_MAX_QUEUE);
  const onError = opts.onError ?? (() => {});
  // userId → live subscribers, so publish touches only the affected users' watchers.
  const byUser = new Map<string, Set<Subscriber>>();
  let total = 0;
  let nextId = 1;
  // Subscribers woken by publish whose drain loop starts on the next microtask.
  let starting: Subscriber[] = [];
  let closed = false;

  function report(err: unknown): void {
    try {
      onError(err);
    } catch {
      // An error reporter that throws must not break the publisher or a drain loop.
    }
  }

  function remove(sub: Subscriber): void {
    if (sub.state === 'closed') return;
    sub.state = 'closed';
    sub.queue = [];
    const set = byUser.get(sub.userId);
    if (set?.delete(sub)) {
      total--;
      if (set.size === 0) byUser.delete(sub.userId);
    }
  }

  /**
   * Hands the subscriber's queued events to its sink in order. Deliveries that return nothing
   * (the frame went straight to the socket) follow each other in this call; one that returns a
   * promise holds the rest until it settles. (An async loop awaiting every delivery cost a
   * promise and a microtask per frame, a tenth of sending to 10k watchers.)
   */
  function drain(sub: Subscriber): void {
    while (sub.state === 'draining') {
      const event = sub.queue.shift();
      if (event === undefined) {
        sub.state = 'idle';
        return;
      }
      let pending: Promise<void> | void;
      try {
        pending = sub.sink.deliver(event);
      } catch (err) {
        // One failed delivery is the sink's to handle (it may close its subscription); the hub
        // keeps going so a transient re-read error does not silence the watcher.
        report(err);
        continue;
      }
      if (pending) {
        pending.then(
          () => drain(sub),
          (err: unknown) => {
            report(err);
            drain(sub);
          },
        );
        return;
      }
    }
  }

  function enqueue(sub: Subscriber, event: HubEvent): void {
    if (sub.queue.length >= sub.maxQueue) {
      remove(sub);
      try {
        sub.sink.overflow();
      } catch (err) {
        report(err);
      }
      return;
    }
    sub.queue.push(event);
    if (sub.state === 'idle') {
      sub.state = 'draining';
      // Deliveries start on a later microtask so publish returns before any sink code runs;
      // one microtask starts every subscriber a publish woke.
      starting.push(sub);
      if (starting.length === 1) queueMicrotask(startDrains);
    }
  }

  function startDrains(): void {
    const subs = starting;
    starting = [];
    for (const sub of subs) drain(sub);
  }

  return {
    subscribe(userId, sink, subOpts = {}) {
      if (closed) throw new Error('realtime hub is closed');
      const sub: Subscriber = {
        id: `sub-${nextId++}`,
        userId,
        sink,
        maxQueue: checkMaxQueue(subOpts.maxQueue ?? defaultMaxQueue),
        credential: subOpts.credential ?? { tokenId: null, sessionId: null },
        state: 'idle',
        queue: [],
      };
      let set = byUser.get(userId);
      if (set === undefined) {
        set = new Set();
        byUser.set(userId, set);
      }
      set.add(sub);
      total++;
      return { id: sub.id, close: () => remove(sub) };
    },

    publish(events) {
      if (closed) return;
      try {
        for (const event of events) {
          const set = byUser.get(event.userId);
          if (set === undefined) continue;
          if (set.size === 1) {
            // The usual case (one watcher per user) needs no copy.
            for (const sub of set) enqueue(sub, event);
            continue;
          }
          // Copy: an overflow removes from the set while we iterate it.
          for (const sub of [...set]) enqueue(sub, event);
        }
      } catch (err) {
        report(err);
      }
    },

    revoke(revocations) {
      for (const r of revocations) {
        try {
          if (r.kind === 'membership') {
            for (const sub of [...(byUser.get(r.userId) ?? [])]) sub.sink.leftBucket?.(r.bucketId);
            continue;
          }
          const hit = (sub: Subscriber) =>
            r.kind === 'user' ||
            (r.kind === 'token' && sub.credential.tokenId === r.tokenId) ||
            (r.kind === 'session' && sub.credential.sessionId === r.sessionId);
          const sets = r.kind === 'user' ? [byUser.get(r.userId) ?? new Set<Subscriber>()] : byUser.values();
          for (const set of [...sets]) {
            for (const sub of [...set]) {
              if (!hit(sub)) continue;
              remove(sub);
              sub.sink.revoked?.();
            }
          }
        } catch (err) {
          report(err);
        }
      }
    },

    subscriberCount(userId) {
      return userId === undefined ? total : (byUser.get(userId)?.size ?? 0);
    },

    watchedUserIds() {
      return [...byUser.keys()];
    },

    close() {
      closed = true;
      for (const set of [...byUser.values()]) for (const sub of [...set]) remove(sub);
    },
  };
}

function checkMaxQueue(n: number): number {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`maxQueue must be a positive integer, got ${n}`);
  return n;
}
