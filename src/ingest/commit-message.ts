import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import type { MessageDraft, Recipients } from '../domain/message.ts';
import type { HubEvent } from '../realtime/hub.ts';
import type { FanOutEvent } from '../realtime/inbox-events.ts';
import { type RoutingInput, routeMessage } from '../rules/message-routing.ts';
import { type AttachmentRow, insertAttachment } from '../store/attachment.repository.ts';
import {
  type BucketChannelDeliveries,
  bucketNameOf,
  insertChannelTargetDelivery,
  insertNamedUserDeliveries,
} from '../store/bucket-channel.repository.ts';
import type { Tx } from '../store/database.ts';
import { insertMessageDeliveries, templateMethod } from '../store/delivery.repository.ts';
import { insertEvents, MESSAGE_EVENT_BODY_CHARS, messageCreatedEvent } from '../store/event.repository.ts';
import { claimIdempotent } from '../store/idempotency.repository.ts';
import {
  collapseOlder,
  draftToRow,
  fanOut,
  insertMessage,
  linkAttachments,
  type MessageRow,
} from '../store/message.repository.ts';
import { messageContent } from '../templates/message-content.ts';

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

export interface IdempotencyClaim {
  callerId: string;
  scope: string;
  key: string;
  status: number;
}

export interface CommitOptions {
  /** Server-stored attachments to link to the message. */
  attachmentIds?: readonly string[];
  /**
   * Attachments stored on disk for this message (uploads, saveOnServer copies); their rows are
   * written in the message's transaction so a failed send leaves no row behind.
   */
  newAttachments?: readonly AttachmentRow[];
  /** When set, the response is remembered under this key in the same transaction. */
  idempotency?: IdempotencyClaim;
  /** Builds the response remembered for the idempotency key. */
  respond?: (message: MessageRow, recipients: number) => unknown;
  /** A preassigned id (e.g. so actions can reference the message). */
  messageId?: string;
  /** The API family the message came through, for its `message.created` event. */
  family?: MessageFamily;
  /** The bucket's name, when the caller has it (saves a lookup for the event). */
  bucketName?: string;
  /**
   * Record the `message.created` event (default true). The rules engine's own inbox messages
   * do not, so a rule on messages cannot feed on what it writes.
   */
  event?: boolean;
}

/** The ways in a message can come through, as its `message.created` event names them. */
export type MessageFamily = 'messages' | 'ntfy' | 'gotify' | 'inbox' | 'tenant';

export interface CommittedMessage {
  message: MessageRow;
  /** Inbox items written, one per recipient reached. */
  reached: number;
  /**
   * The items written for named recipients. Empty for a message to a whole bucket, which does
   * not bring its items back (see `reached`): watchers are told of it as one fan-out.
   */
  notifications: Array<{ id: string; user_id: string }>;
  replaced: Array<{ id: string; user_id: string }>;
  /** Who the message was addressed to (before preferences). */
  recipients: Recipients;
  /** Outside deliveries (email, web push, bucket channels) enqueued with the message. */
  deliveries: number;
  /** The `message.created` event recorded with it, if any. */
  eventId: string | null;
  /** It went to every member of a bucket (so `notifications` is empty). */
  wholeBucket: boolean;
}

const hubEventsOf = (c: CommittedMessage): HubEvent[] => [
  ...c.notifications.map((n) => ({ userId: n.user_id, notificationId: n.id, kind: 'created' as const })),
  ...c.replaced.map((n) => ({ userId: n.user_id, notificationId: n.id, kind: 'updated' as const })),
];

/** A whole-bucket message is announced by its id alone, however many members it reached. */
const fanOutsOf = (c: CommittedMessage): FanOutEvent[] =>
  c.wholeBucket && c.reached > 0
    ? [{ messageId: c.message.id, createdAt: c.message.created_at, reached: c.reached }]
    : [];

/**
 * The one write path for messages from every family, in one transaction: the message row,
 * collapse of older messages, one notification per recipient (set-based), attachment links,
 * the outside deliveries message routing plans (set-based) and the idempotency record. Live
 * watchers and delivery workers are told only after the commit.
 */
export async function commitMessage(
  ctx: AppContext,
  draft: MessageDraft,
  recipients: Recipients,
  opts: CommitOptions = {},
): Promise<CommittedMessage> {
  const now = ctx.clock.now();
  const row = draftToRow(opts.messageId ?? newId(now), draft, now);
  const committed = await ctx.store.writer.run((tx) => writeMessage(ctx, tx, row, recipients, opts), {
    concurrent: independent(row, opts),
  });
  announceMessage(ctx, committed);
  return committed;
}

/**
 * A message unit may run beside others of its batch (see group-commit.ts) unless it reads
 * something to decide what it writes that another message could be writing at the same time:
 * older messages of its collapse id, its idempotency key, the attachments it links.
 */
const independent = (row: MessageRow, opts: CommitOptions): boolean =>
  !row.collapse_id &&
  !opts.idempotency &&
  (opts.attachmentIds?.length ?? 0) === 0 &&
  (opts.newAttachments?.length ?? 0) === 0;

/**
 * The body of {@link commitMessage} for callers that already hold a transaction (the rules
 * engine writes inbox items in the same transaction as the event it processed). The caller
 * must call {@link announceMessage} after its commit.
 */
export async function writeMessage(
  ctx: AppContext,
  tx: Tx,
  row: MessageRow,
  recipients: Recipients,
  opts: CommitOptions = {},
): Promise<CommittedMessage> {
  const now = row.created_at;
  await insertMessage(tx, row);
  const replaced = await collapseOlder(tx, row, recipients);
  const written = await fanOut(tx, ctx.store.kind, row, recipients);
  const reached = written.count;
  const notifications = written.items ?? [];
  for (const a of opts.newAttachments ?? []) await insertAttachment(tx, { ...a, message_id: row.id });
  await linkAttachments(tx, row.id, [
    ...(opts.attachmentIds ?? []),
    ...(opts.newAttachments ?? []).map((a) => a.id),
  ]);
  const deliveries = await enqueueOutside(ctx, tx, row, reached, recipients);
  const eventId = opts.event === false ? null : await recordMessageEvent(tx, row, reached, opts);
  const result: CommittedMessage = {
    message: row,
    reached,
    notifications,
    replaced,
    recipients,
    deliveries,
    eventId,
    wholeBucket: written.items === null,
  };
  await ctx.inboxEvents.inTx(tx, hubEventsOf(result), fanOutsOf(result));
  if (opts.idempotency) {
    const body = opts.respond ? opts.respond(row, reached) : { id: row.id };
    await claimIdempotent(tx, { ...opts.idempotency, body }, now, now - IDEMPOTENCY_WINDOW_MS);
  }
  return result;
}

/**
 * `message.created`: one event row per message, in the message's transaction, so rules see
 * every committed message exactly once (the event worker's own guarantee does the rest). Its
 * fields are what a rule needs to pick messages out: no per-recipient work.
 */
async function recordMessageEvent(
  tx: Tx,
  row: MessageRow,
  reached: number,
  opts: CommitOptions,
): Promise<string> {
  const now = row.created_at;
  const payload = row.payload ? (JSON.parse(row.payload) as Record<string, unknown>) : null;
  const tags = Array.isArray(payload?.tags) ? payload.tags.filter((t) => typeof t === 'string') : [];
  const bucket =
    opts.bucketName ?? (row.bucket_id ? ((await bucketNameOf(tx, row.bucket_id)) ?? null) : null);
  const event = messageCreatedEvent(
    newId(now),
    {
      messageId: row.id,
      bucketId: row.bucket_id,
      bucket,
      deliveryType: row.delivery_type,
      title: row.title,
      subtitle: row.subtitle,
      body: row.body === null ? null : row.body.slice(0, MESSAGE_EVENT_BODY_CHARS),
      tags,
      senderId: row.sender_id,
      family: opts.family ?? (row.tenant_id ? 'tenant' : 'inbox'),
      recipients: reached,
    },
    now,
  );
  await insertEvents(tx, [event], now);
  return event.id;
}

/** Routes the message to email and web push and writes those deliveries; returns how many. */
async function enqueueOutside(
  ctx: AppContext,
  tx: Tx,
  row: MessageRow,
  inboxItems: number,
  recipients: Recipients,
): Promise<number> {
  const input: RoutingInput = {
    deliveryType: row.delivery_type,
    templateId: row.template_id,
    templateMethod: null,
    enabledChannels: await ctx.enabledChannels.get(tx),
    inboxItems,
  };
  // The template's method only narrows the route: read it only when there is a route to narrow.
  let route = routeMessage(input);
  if (route && row.template_id) {
    route = routeMessage({ ...input, templateMethod: await templateMethod(tx, row.template_id) });
  }
  let count = 0;
  // Rendered once, and only when something goes outside (markdown rendering is not free).
  let rendered: string | undefined;
  const content = () => (rendered ??= JSON.stringify(messageContent(row)));
  if (route) {
    const insert = {
      messageId: row.id,
      content: content(),
      now: row.created_at,
      skipDisabledTemplateId: row.template_id,
    };
    count += await insertMessageDeliveries(tx, ctx.store.kind, insert, route, recipients);
  }
  if (row.bucket_id && inboxItems > 0 && row.delivery_type !== 'NO_PUSH') {
    count += await enqueueBucketChannels(ctx, tx, row.bucket_id, {
      messageId: row.id,
      now: row.created_at,
      content,
    });
  }
  return count;
}

/**
 * The bucket's default channels (services/bucket-channel.service.ts): without named
 * recipients, one delivery to the channel's own target; with them, one per named member the
 * message reached who has an address there. Only for messages that reached someone, so a
 * message every member turned off stays quiet everywhere.
 */
async function enqueueBucketChannels(
  ctx: AppContext,
  tx: Tx,
  bucketId: string,
  base: { messageId: string; now: number; content: () => string },
): Promise<number> {
  const channels = await ctx.bucketChannels.get(tx, bucketId);
  if (channels.length === 0) return 0;
  const enabled = await ctx.enabledChannels.get(tx);
  let count = 0;
  for (const c of channels) {
    if (!enabled.has(c.channel)) continue;
    const d: BucketChannelDeliveries = {
      messageId: base.messageId,
      now: base.now,
      channel: c.channel,
      content: base.content(),
    };
    const refs = c.recipients ? (JSON.parse(c.recipients) as string[]) : null;
    count += refs
      ? await insertNamedUserDeliveries(tx, ctx.store.kind, d, refs)
      : await insertChannelTargetDelivery(tx, ctx.store.kind, d);
  }
  return count;
}

/** Tells live watchers and, when it enqueued any, delivery workers about a committed message. */
export function announceMessage(ctx: AppContext, committed: CommittedMessage): void {
  ctx.inboxEvents.committed(hubEventsOf(committed), fanOutsOf(committed));
  if (committed.deliveries > 0) ctx.signals.deliveriesCommitted.emit({ count: committed.deliveries });
  if (committed.eventId) ctx.signals.eventsCommitted.emit({ count: 1 });
}
