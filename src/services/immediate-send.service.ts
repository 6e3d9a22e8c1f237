import { ChannelError, type Recipient } from '../channels/channel.ts';
import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import type { DeliveryContent } from '../queue/enqueue.ts';
import { insertDeliveries, markFailed, markSent } from '../store/delivery.repository.ts';
import { sendThroughChannel } from '../workers/channel-send.ts';
import { openRecipient } from './user-address.service.ts';

/**
 * Sends that a person waits for (a channel test, a retry from the log): one attempt made in
 * the request, kept in the delivery log like any other. The entry is written as `sending`
 * under a lease before the attempt, so if the process stops mid-send the queue finishes it,
 * and is then marked sent or failed. No automatic retries follow: the person sees the outcome
 * and decides.
 */
export interface ImmediateSend {
  channel: string;
  /** The channel's full, valid config; null when it cannot be used (then `refusal` says why). */
  config: Record<string, unknown> | null;
  content: DeliveryContent;
  recipient: Recipient & { userId?: string | null };
  ruleId?: string | null;
  ruleName?: string | null;
  messageId?: string | null;
  /** The failed entry this one retries. */
  retryOf?: string | null;
  /** Why no attempt can be made (channel disabled, not configured); recorded as the failure. */
  refusal?: string;
}

export type ImmediateOutcome = { id: string; ok: true } | { id: string; ok: false; error: string };

export async function sendNowAndLog(ctx: AppContext, send: ImmediateSend): Promise<ImmediateOutcome> {
  const now = ctx.clock.now();
  const id = newId(now);
  const lease = now + ctx.config.leaseMs;
  const { userId, ...recipient } = send.recipient;
  const refused = send.refusal ?? (send.config === null ? 'the channel cannot be used' : undefined);
  await ctx.store.writer.run((tx) =>
    insertDeliveries(tx, [
      {
        id,
        channel: send.channel,
        status: refused ? 'failed' : 'sending',
        message_id: send.messageId ?? null,
        notification_id: null,
        user_id: userId ?? null,
        rule_id: send.ruleId ?? null,
        rule_name: send.ruleName ?? null,
        recipient: JSON.stringify(recipient),
        content: JSON.stringify(send.content),
        window_key: null,
        attempts: 1,
        // A `sending` row's next_attempt_at is its lease end (when the queue may take it over).
        next_attempt_at: refused ? now : lease,
        lease_until: refused ? null : lease,
        last_error: refused ?? null,
        created_at: now,
        updated_at: now,
        sent_at: null,
        retry_of: send.retryOf ?? null,
      },
    ]),
  );
  if (refused || send.config === null) return { id, ok: false, error: refused ?? 'unusable channel' };
  let error: string | undefined;
  try {
    const opened = openRecipient(ctx, send.channel, userId ?? null, recipient);
    await sendThroughChannel(ctx, send.channel, send.config, { deliveryId: id, ...send.content }, opened);
  } catch (err) {
    error = err instanceof ChannelError ? err.message : String(err);
  }
  const done = ctx.clock.now();
  await ctx.store.writer.run(async (tx) => {
    if (error === undefined) await markSent(tx, [id], lease, done);
    else await markFailed(tx, id, lease, { error, now: done });
  });
  return error === undefined ? { id, ok: true } : { id, ok: false, error };
}
