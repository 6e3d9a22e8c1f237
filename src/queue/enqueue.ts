import type { OutboundMessage, Recipient } from '../channels/channel.ts';
import { getChannel } from '../channels/channel-registry.ts';
import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import type { Executor } from '../store/database.ts';
import { insertDeliveries, type NewDeliveryRow } from '../store/delivery.repository.ts';

/** What a delivery sends, rendered once at enqueue time and stored as the row's `content`. */
export type DeliveryContent = Omit<OutboundMessage, 'deliveryId'>;

/**
 * Where one copy goes: `{address}` (email address, chat id), `{subscription}` (web push), or
 * `{}` for the channel's own target. `userId` links the row to a user for the log (and opens
 * that user's sealed address); it is not sent anywhere.
 */
export type DeliveryTarget = Recipient & { userId?: string | null };

/**
 * A delivery's fallback (docs/delivery.md, "Fallback"). Each fallback is a delivery of its own
 * whose `fallback_of` names the original; the original's `fallback_id` names the first.
 */
export interface FallbackPlan {
  channel: string;
  /** Kept on the row (`fallback`) and written, due at once, when it fails for good. */
  targets: readonly DeliveryTarget[];
  /**
   * Written with the delivery, due at `at`, each dropped then if its inbox item was read; when
   * the delivery fails for good first, they are due at once (still unless read).
   */
  unlessRead?: { at: number; targets: ReadonlyArray<DeliveryTarget & { notificationId: string }> };
}

/** What the `fallback` column holds. */
export interface StoredFallback {
  channel: string;
  targets: DeliveryTarget[];
}

/** One thing to send over one channel to one or more recipients (one delivery row each). */
export interface DeliveryPlan {
  /** A channel type from the registry: smtp, webhook, slack, telegram, discord, webpush. */
  channel: string;
  /** Where each copy goes (one row each), with that copy's fallback if it has one. */
  recipients: ReadonlyArray<DeliveryTarget & { fallback?: FallbackPlan }>;
  content: DeliveryContent;
  ruleId?: string | null;
  ruleName?: string | null;
  messageId?: string | null;
  /** Cadence window (throttle/digest) this delivery belongs to, for the rules engine's lookups. */
  windowKey?: string | null;
  /** Earliest send time (epoch ms); now when absent. */
  notBefore?: number;
}

/**
 * Writes deliveries inside the caller's transaction (the outbox rule: the deliveries commit
 * with whatever caused them). Returns the new ids in plan and recipient order. After the
 * transaction commits, call {@link wakeDispatchers} so workers pick them up at once instead of
 * at the next poll.
 */
export async function enqueueDeliveries(
  tx: Executor,
  plans: readonly DeliveryPlan[],
  now: number,
): Promise<string[]> {
  const rows: NewDeliveryRow[] = [];
  const ids: string[] = [];
  for (const plan of plans) {
    if (!getChannel(plan.channel)) throw new Error(`enqueueDeliveries: unknown channel "${plan.channel}"`);
    const content = JSON.stringify(plan.content);
    for (const { userId, fallback, ...recipient } of plan.recipients) {
      if (fallback && !getChannel(fallback.channel))
        throw new Error(`enqueueDeliveries: unknown fallback channel "${fallback.channel}"`);
      const row = deliveryRow(
        {
          channel: plan.channel,
          message_id: plan.messageId ?? null,
          user_id: userId ?? null,
          rule_id: plan.ruleId ?? null,
          rule_name: plan.ruleName ?? null,
          recipient: JSON.stringify(recipient),
          content,
          window_key: plan.windowKey ?? null,
          next_attempt_at: plan.notBefore ?? now,
        },
        now,
      );
      if (fallback) {
        const stored: StoredFallback = { channel: fallback.channel, targets: [...fallback.targets] };
        row.fallback = JSON.stringify(stored);
      }
      rows.push(row);
      ids.push(row.id);
      for (const { notificationId, ...target } of fallback?.unlessRead?.targets ?? []) {
        const waiting = fallbackRow(row, fallback!.channel, target, now);
        waiting.next_attempt_at = fallback!.unlessRead!.at;
        waiting.notification_id = notificationId;
        waiting.unless_read = 1;
        row.fallback_id ??= waiting.id;
        rows.push(waiting);
      }
    }
  }
  await insertDeliveries(tx, rows);
  return ids;
}

/** A new pending row; every row names every column, so a multi-row insert has one shape. */
function deliveryRow(
  fields: Pick<
    NewDeliveryRow,
    | 'channel'
    | 'message_id'
    | 'user_id'
    | 'rule_id'
    | 'rule_name'
    | 'recipient'
    | 'content'
    | 'window_key'
    | 'next_attempt_at'
  >,
  now: number,
): NewDeliveryRow {
  return {
    id: newId(now),
    status: 'pending',
    notification_id: null,
    lease_until: null,
    last_error: null,
    created_at: now,
    updated_at: now,
    sent_at: null,
    fallback: null,
    fallback_id: null,
    fallback_of: null,
    unless_read: 0,
    ...fields,
  };
}

/**
 * The fallback of `original` to one target: the original's content, rule and message, due now,
 * with `fallback_of` naming the original.
 */
export function fallbackRow(
  original: Pick<NewDeliveryRow, 'id' | 'content' | 'rule_id' | 'rule_name' | 'message_id'>,
  channel: string,
  { userId, ...recipient }: DeliveryTarget,
  now: number,
): NewDeliveryRow {
  const row = deliveryRow(
    {
      channel,
      message_id: original.message_id ?? null,
      user_id: userId ?? null,
      rule_id: original.rule_id ?? null,
      rule_name: original.rule_name ?? null,
      recipient: JSON.stringify(recipient),
      content: original.content,
      window_key: null,
      next_attempt_at: now,
    },
    now,
  );
  row.fallback_of = original.id;
  return row;
}

/** Tells this process's delivery workers that `count` deliveries are committed and due. */
export function wakeDispatchers(ctx: AppContext, count = 1): void {
  ctx.signals.deliveriesCommitted.emit({ count });
}

/** Enqueues in a transaction of its own, then wakes the delivery workers. */
export async function enqueue(ctx: AppContext, plans: readonly DeliveryPlan[]): Promise<string[]> {
  const ids = await ctx.store.writer.run((tx) => enqueueDeliveries(tx, plans, ctx.clock.now()));
  wakeDispatchers(ctx, ids.length);
  return ids;
}
