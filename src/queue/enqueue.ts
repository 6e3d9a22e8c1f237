import type { OutboundMessage, Recipient } from '../channels/channel.ts';
import { getChannel } from '../channels/channel-registry.ts';
import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import type { Executor } from '../store/database.ts';
import { insertDeliveries, type NewDeliveryRow } from '../store/delivery.repository.ts';

/** What a delivery sends, rendered once at enqueue time and stored as the row's `content`. */
export type DeliveryContent = Omit<OutboundMessage, 'deliveryId'>;

/** One thing to send over one channel to one or more recipients (one delivery row each). */
export interface DeliveryPlan {
  /** A channel type from the registry: smtp, webhook, slack, telegram, discord, webpush. */
  channel: string;
  /**
   * Where each copy goes: `{address}` (email address, chat id), `{subscription}` (web push),
   * or `{}` for the channel's own target (slack/discord/webhook URL, telegram's chatId).
   * `userId` links the row to a user for the log; it is not sent anywhere.
   */
  recipients: ReadonlyArray<Recipient & { userId?: string | null }>;
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
  for (const plan of plans) {
    if (!getChannel(plan.channel)) throw new Error(`enqueueDeliveries: unknown channel "${plan.channel}"`);
    const content = JSON.stringify(plan.content);
    for (const { userId, ...recipient } of plan.recipients) {
      rows.push({
        id: newId(now),
        channel: plan.channel,
        status: 'pending',
        message_id: plan.messageId ?? null,
        notification_id: null,
        user_id: userId ?? null,
        rule_id: plan.ruleId ?? null,
        rule_name: plan.ruleName ?? null,
        recipient: JSON.stringify(recipient),
        content,
        window_key: plan.windowKey ?? null,
        next_attempt_at: plan.notBefore ?? now,
        lease_until: null,
        last_error: null,
        created_at: now,
        updated_at: now,
        sent_at: null,
      });
    }
  }
  await insertDeliveries(tx, rows);
  return rows.map((r) => r.id);
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
