import type { AppContext } from '../context.ts';
import { type Stream, type StreamEncoder, type StreamSink, subscribe } from '../realtime/subscribe.ts';
import { getNtfyMessageByNotification, listNtfyMessages } from '../store/ntfy-message.repository.ts';
import { listNtfyScheduled } from '../store/ntfy-scheduled.repository.ts';
import {
  controlEvent,
  type NtfyFilters,
  type NtfyMessage,
  numberOfNtfyId,
  passes,
  type Since,
} from './ntfy-format.ts';
import { toNtfyMessage } from './ntfy-message-view.ts';
import { scheduledView } from './ntfy-publish.service.ts';
import type { NtfyCaller, NtfyTopic } from './ntfy-topic.service.ts';

/** Messages replayed for `since=` at most, newest kept (ntfy's cache holds 12 hours). */
export const NTFY_REPLAY_LIMIT = 1000;

export interface NtfySubscription {
  topics: NtfyTopic[];
  since: Since;
  poll: boolean;
  /** Also replay publishes held for scheduled delivery (`scheduled=1`). */
  scheduled: boolean;
  filters: NtfyFilters;
  /** One encoder per transport (JSON lines, SSE, raw, WebSocket); see the ntfy routes. */
  encode(message: NtfyMessage): string;
  /** Without it, the transport's own keepalive (WebSocket ping) is used. */
  keepalive: boolean;
}

/**
 * What an ntfy subscriber missed, oldest first: the topics' bucket messages after `since`.
 * These are the topic's messages, not the caller's inbox (an inbox item deleted or archived
 * in another family is still in the topic), as ntfy's message cache answers.
 */
async function replayOf(
  ctx: AppContext,
  bucketIds: string[],
  since: Since,
  attachmentUrl: (id: string) => string,
): Promise<NtfyMessage[]> {
  if (since.kind === 'none') return [];
  const opts =
    since.kind === 'latest'
      ? { latest: true }
      : since.kind === 'time'
        ? { fromMs: since.ms }
        : since.kind === 'id'
          ? { afterNumber: numberOfNtfyId(since.id) ?? Number.MAX_SAFE_INTEGER }
          : {};
  const rows = await listNtfyMessages(ctx.store.db, bucketIds, { ...opts, limit: NTFY_REPLAY_LIMIT });
  return rows.map((r) => toNtfyMessage(r, attachmentUrl));
}

/**
 * A live ntfy subscription over the one realtime fan-out. The hub is keyed by user, so a
 * member listens on their own inbox events and anyone else (an admin who is not a member, an
 * anonymous subscriber of an open topic) on the bucket owner's; each event is re-read as the
 * topic's message, so either way the subscriber sees the topic.
 */
export function subscribeNtfy(
  ctx: AppContext,
  caller: NtfyCaller,
  sub: NtfySubscription,
  sink: StreamSink,
  attachmentUrl: (id: string) => string,
): Stream {
  const bucketIds = sub.topics.map((t) => t.bucketId);
  const topicNames = sub.topics.map((t) => t.name).join(',');
  const keys = sub.topics.map((t) => (caller && t.permission !== null ? caller.userId : t.ownerId));
  const visible = (m: NtfyMessage | undefined) => (m && passes(sub.filters, m) ? m : undefined);
  const encoder: StreamEncoder<NtfyMessage> = {
    open: () => sub.encode(controlEvent('open', topicNames, ctx.clock.now())),
    item: (m) => sub.encode(m),
    ...(sub.keepalive
      ? { keepalive: () => sub.encode(controlEvent('keepalive', topicNames, ctx.clock.now())) }
      : {}),
  };
  // ntfy's poll answers the cached messages only, with no open event.
  if (sub.poll) delete encoder.open;
  return subscribe<NtfyMessage>(
    ctx.hub,
    {
      userIds: keys,
      async resolve(event) {
        if (event.kind !== 'created') return undefined;
        const row = await getNtfyMessageByNotification(ctx.store.db, event.notificationId);
        if (!row || !sub.topics.some((t) => t.name === row.topic)) return undefined;
        return visible(toNtfyMessage(row, attachmentUrl));
      },
      replay: async () => {
        const stored = await replayOf(ctx, bucketIds, sub.since, attachmentUrl);
        const held =
          sub.scheduled && sub.since.kind !== 'none'
            ? (
                await listNtfyScheduled(
                  ctx.store.db,
                  sub.topics.map((t) => t.name),
                )
              ).map(scheduledView)
            : [];
        return [...stored, ...held].filter((m) => passes(sub.filters, m));
      },
      keyOf: (m) => m.id,
    },
    encoder,
    sink,
    {
      keepaliveMs: ctx.config.ntfyKeepaliveSeconds * 1000,
      poll: sub.poll,
      onError: (err) => ctx.log.warn({ err }, 'ntfy subscription failed'),
    },
  );
}
