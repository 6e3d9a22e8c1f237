import type { Hub, HubEvent, Subscription, WatcherCredential } from './hub.ts';

/**
 * One live stream with replay, shared by every family that streams messages (ntfy's /json, /sse,
 * /raw and /ws; Gotify's /stream; …). DESIGN.md's `subscribe(user, filter, since, encoder)`: the
 * caller says what differs, this file does the ordering, de-duplication, keepalive and cleanup.
 *
 * - who     `source.userIds`: the hub keys (user ids) whose inbox events feed the stream;
 * - filter  `source.resolve`: re-reads one hub event into the item the stream shows, or undefined
 *           to skip it (the hub carries ids only);
 * - since   `source.replay`: what the client missed, oldest first;
 * - encoder item → frame, plus the optional opening and keepalive frames;
 * - sink    the transport (an HTTP response, a WebSocket) that writes frames with backpressure.
 *
 * States:
 *
 *   opening ──open frame + replay written──▶ live ──close() / overflow / sink error──▶ closed
 *      │                                                         ▲
 *      └── poll: replay written ─────────────────────────────────┘ (sink.end('done'))
 *
 *   opening  the hub subscriptions exist before the replay is read, so nothing committed in
 *            between is lost; live items wait (in the hub's bounded queue) until the replay is
 *            written and are dropped when the replay already sent them.
 *   live     each hub event is resolved and written in order; writes from several hub keys are
 *            chained, so frames never interleave. A keepalive frame (or sink.ping) every
 *            keepaliveMs keeps proxies from dropping the idle connection.
 *   closed   hub subscriptions and the timer are gone; late events are ignored.
 */

export interface StreamEncoder<T> {
  /** Frame written first, before any replayed item (ntfy's `open` event). */
  open?(): string;
  item(item: T): string;
  /** Frame written every keepaliveMs; without it the sink's `ping` is called instead. */
  keepalive?(): string;
}

export interface StreamSink {
  /** Resolves once the transport took the frame (or at once when the client is gone). */
  write(frame: string): Promise<void>;
  /** Transport-level keepalive (WebSocket ping), used when the encoder has no keepalive frame. */
  ping?(): void;
  /**
   * Ends the transport: `done` after a poll or on error, `overflow` when the client fell behind,
   * `revoked` when the credential it was opened with was revoked.
   */
  end(reason: 'done' | 'overflow' | 'revoked'): void;
}

export interface StreamSource<T> {
  userIds: readonly string[];
  /** The credential the stream was opened with; its revocation ends the stream. */
  credential?: WatcherCredential;
  /** Bucket of an item, so a bucket the user leaves stops showing at once. */
  bucketOf?(item: T): string | null;
  resolve(event: HubEvent): Promise<T | undefined>;
  replay?(): Promise<readonly T[]>;
  /** Identity used to drop an item sent twice (replayed, then live; or seen through two keys). */
  keyOf(item: T): string;
}

export interface StreamOptions {
  keepaliveMs: number;
  /** Write the opening frame and the replay, then end; no live subscription (ntfy `poll=1`). */
  poll?: boolean;
  /** Told about a failed resolve, replay or write; the stream ends on replay or write failure. */
  onError?: (err: unknown) => void;
}

export interface Stream {
  /** Stops everything; idempotent. Call it when the client goes away. Does not call sink.end. */
  close(): void;
  /** Resolves once the opening frame and the replay are written (or the stream closed). */
  readonly ready: Promise<void>;
}

/** Keys remembered to drop repeats; a repeat arrives within a few events, so a short memory is enough. */
const RECENT_KEYS = 512;

export function subscribe<T>(
  hub: Hub,
  source: StreamSource<T>,
  encoder: StreamEncoder<T>,
  sink: StreamSink,
  opts: StreamOptions,
): Stream {
  const onError = opts.onError ?? (() => {});
  let closed = false;
  const subs: Subscription[] = [];
  let timer: NodeJS.Timeout | undefined;
  const recent = new Set<string>();
  const left = new Set<string>();
  let chain: Promise<void> = Promise.resolve();

  const remember = (key: string): boolean => {
    if (recent.has(key)) return false;
    recent.add(key);
    if (recent.size > RECENT_KEYS) recent.delete(recent.values().next().value as string);
    return true;
  };

  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(timer);
    for (const s of subs) s.close();
  };

  const fail = (err: unknown): void => {
    onError(err);
    if (closed) return;
    close();
    sink.end('done');
  };

  // Frames from every hub key go through one chain so they never interleave.
  const write = (frame: string): Promise<void> => {
    const next = chain.then(() => (closed ? undefined : sink.write(frame)));
    chain = next.catch(fail);
    return chain;
  };

  let endOpening!: () => void;
  const opening = new Promise<void>((resolve) => {
    endOpening = resolve;
  });

  if (!opts.poll) {
    for (const userId of new Set(source.userIds)) {
      subs.push(
        hub.subscribe(
          userId,
          {
            async deliver(event) {
              await opening;
              if (closed) return;
              let item: T | undefined;
              try {
                item = await source.resolve(event);
              } catch (err) {
                onError(err);
                return;
              }
              if (item === undefined || closed) return;
              const bucket = source.bucketOf?.(item);
              if ((bucket && left.has(bucket)) || !remember(source.keyOf(item))) return;
              await write(encoder.item(item));
            },
            overflow() {
              if (closed) return;
              close();
              sink.end('overflow');
            },
            revoked() {
              if (closed) return;
              close();
              sink.end('revoked');
            },
            leftBucket: (bucketId) => left.add(bucketId),
          },
          { credential: source.credential },
        ),
      );
    }
  }

  const ready = (async () => {
    try {
      const first = encoder.open?.();
      if (first !== undefined) await write(first);
      const missed = source.replay ? await source.replay() : [];
      for (const item of missed) {
        if (closed) return;
        if (remember(source.keyOf(item))) await write(encoder.item(item));
      }
      if (closed) return;
      if (opts.poll) {
        await chain;
        close();
        sink.end('done');
        return;
      }
      timer = setInterval(() => {
        if (encoder.keepalive) void write(encoder.keepalive());
        else sink.ping?.();
      }, opts.keepaliveMs);
    } catch (err) {
      fail(err);
    } finally {
      endOpening();
    }
  })();

  return { close, ready };
}
