/**
 * The delivery queue: the `deliveries` table is both the work queue and the delivery log.
 *
 * States of one delivery (a row):
 *
 *   pending ──claim──► sending ──sent────────────────────────► sent     (sent_at set)
 *      ▲                  │  ├──retryable, attempts left──► pending  (next_attempt_at = now + backoff)
 *      │                  │  ├──permanent, or attempts used─► failed   (last_error kept, event
 *      │                  │  │                                          `delivery.failed` recorded,
 *      │                  │  │                                          its fallback due now)
 *      │                  │  └──a fallback whose inbox item was read──► skipped (reason in last_error)
 *      ├──released────────┤   (never sent: it waited in a worker's reserve until too little of
 *      │                  │    its lease was left; due again at once, the attempt taken back)
 *      └──lease expired───┘   (the process died or hung mid-send; the row is claimed again)
 *   failed ──operator retry──► pending (attempts reset)
 *
 * - claim: UPDATE … RETURNING leases up to n due rows (SKIP LOCKED on PostgreSQL). It sets
 *   `lease_until` and also `next_attempt_at` to the lease end, so "due" is the same test for
 *   both kinds of claimable row, `next_attempt_at <= now`: a pending row whose time has come, or
 *   a sending row whose lease ran out, each a range on the (status, next_attempt_at) index.
 * - a worker records outcomes and claims its next rows in one transaction (settleAndClaim), so
 *   each step costs one commit.
 * - attempts count attempts *started*: the claim increments it, as graphile-worker does, so a
 *   delivery that crashes its process every time still runs out of attempts instead of looping.
 * - outcomes are written only while the row is still under the lease this worker took; a
 *   worker whose lease expired cannot overwrite the attempt that replaced it.
 * - the send timeout is shorter than the lease (enforced at config load), so a live worker
 *   always records its outcome before anyone else may claim the row. Delivery is therefore
 *   at least once: only a crash between a receiver's answer and the outcome write repeats a send.
 * - every failure stores its error text in `last_error`, retryable or not.
 * - a fallback (`fallback_of` set) is a delivery like any other; one with `unless_read` is
 *   skipped when it comes due if its inbox item (`notification_id`) was read by then. The
 *   fallback of a final failure is written in the transaction that records it (fallback.ts).
 */
import type { Recipient } from '../channels/channel.ts';
import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import type { Tx } from '../store/database.ts';
import {
  claimDue,
  type DeliveryRow,
  markFailed,
  markReleased,
  markRetry,
  markSent,
  markSkipped,
} from '../store/delivery.repository.ts';
import { insertEvents, type NewEvent } from '../store/event.repository.ts';
import { deletePushSubscriptionByEndpoint } from '../store/push-subscription.repository.ts';
import { retryDelayMs } from './backoff.ts';
import type { DeliveryContent } from './enqueue.ts';
import { fallBack } from './fallback.ts';

/** A leased row with its JSON columns parsed. `lease` identifies this claim in outcome writes. */
export interface ClaimedDelivery {
  row: DeliveryRow;
  lease: number;
  recipient: Recipient;
  content: DeliveryContent;
}

/** What one send attempt came to. */
export type SendOutcome =
  | { delivery: ClaimedDelivery; ok: true }
  | {
      delivery: ClaimedDelivery;
      ok: false;
      error: string;
      retryable: boolean;
      /** A push subscription its service says is gone; removed in the same transaction. */
      goneEndpoint?: string;
    }
  | {
      delivery: ClaimedDelivery;
      ok: false;
      /** Not sent, and not to be: a fallback whose inbox item was read in time. Why, in words. */
      skipped: string;
    }
  | {
      delivery: ClaimedDelivery;
      ok: false;
      /** Not sent, not attempted: handed back to the queue (see the state comment). */
      released: true;
    };

/** What the queue made of an outcome, for metrics and wake-up timers. */
export interface RecordedOutcome {
  delivery: ClaimedDelivery;
  result: 'sent' | 'retry' | 'failed' | 'skipped' | 'released';
  /** When a retried delivery is due again. */
  nextAttemptAt?: number;
  /** The `delivery.failed` event recorded with a final failure. */
  eventId?: string;
  /** Fallbacks a final failure made due now. */
  fallbacks?: number;
}

async function claimIn(ctx: AppContext, tx: Tx, limit: number, expired: boolean): Promise<ClaimedDelivery[]> {
  if (limit <= 0) return [];
  const now = ctx.clock.now();
  const leaseUntil = now + ctx.config.leaseMs;
  const rows = await claimDue(tx, ctx.store.kind, { limit, now, leaseUntil, expired });
  // The rows of one plan share their content: parsed once per claim, and never changed after.
  const contents = new Map<string, DeliveryContent>();
  const contentOf = (text: string): DeliveryContent => {
    let content = contents.get(text);
    if (!content) {
      content = JSON.parse(text) as DeliveryContent;
      contents.set(text, content);
    }
    return content;
  };
  return rows.map((row) => ({
    row,
    lease: leaseUntil,
    recipient: JSON.parse(row.recipient) as Recipient,
    content: contentOf(row.content),
  }));
}

/** True when a re-claimed row already used every attempt (its earlier leases expired). */
export function attemptsExhausted(ctx: AppContext, row: DeliveryRow): boolean {
  return row.attempts > ctx.config.maxAttempts;
}

function failedEvent(d: ClaimedDelivery, error: string, now: number): NewEvent {
  return {
    id: newId(now),
    name: 'delivery.failed',
    fields: {
      deliveryId: d.row.id,
      channel: d.row.channel,
      error,
      attempts: d.row.attempts,
      ruleId: d.row.rule_id,
      ruleName: d.row.rule_name,
      messageId: d.row.message_id,
      userId: d.row.user_id,
    },
    occurredAt: now,
  };
}

/**
 * One step of a worker: records the outcomes of finished sends, then leases up to `claim` due
 * deliveries, in one transaction, so each step costs one commit (one fsync on SQLite; fewer,
 * fuller commits are what makes throughput). `expired: false` leaves rows whose lease ran out
 * for a later claim (one statement fewer).
 *
 * Sent rows are one UPDATE per lease; retried and failed rows one each (they carry their own
 * error and time), plus a `delivery.failed` event per final failure. Outcomes whose lease was
 * lost are dropped: the newer attempt owns the row.
 */
export async function settleAndClaim(
  ctx: AppContext,
  outcomes: readonly SendOutcome[],
  claim: number,
  random: () => number = Math.random,
  opts: { expired?: boolean } = {},
): Promise<{ recorded: RecordedOutcome[]; claimed: ClaimedDelivery[] }> {
  if (outcomes.length === 0 && claim <= 0) return { recorded: [], claimed: [] };
  return ctx.store.writer.run(async (tx) => {
    const recorded = await recordIn(ctx, tx, outcomes, random);
    const claimed = await claimIn(ctx, tx, claim, opts.expired ?? true);
    return { recorded, claimed };
  });
}

async function recordIn(
  ctx: AppContext,
  tx: Tx,
  outcomes: readonly SendOutcome[],
  random: () => number,
): Promise<RecordedOutcome[]> {
  if (outcomes.length === 0) return [];
  const policy = { baseMs: ctx.config.retryBaseMs, maxMs: ctx.config.retryMaxMs };
  const now = ctx.clock.now();
  const recorded: RecordedOutcome[] = [];
  const sentByLease = new Map<number, ClaimedDelivery[]>();
  const releasedByLease = new Map<number, ClaimedDelivery[]>();
  const events: NewEvent[] = [];
  for (const o of outcomes) {
    if ('released' in o) {
      const group = releasedByLease.get(o.delivery.lease) ?? [];
      group.push(o.delivery);
      releasedByLease.set(o.delivery.lease, group);
      continue;
    }
    if ('skipped' in o) {
      const change = { reason: o.skipped, now };
      if (await markSkipped(tx, o.delivery.row.id, o.delivery.lease, change))
        recorded.push({ delivery: o.delivery, result: 'skipped' });
      continue;
    }
    if (o.ok) {
      const group = sentByLease.get(o.delivery.lease) ?? [];
      group.push(o.delivery);
      sentByLease.set(o.delivery.lease, group);
      continue;
    }
    const { row, lease } = o.delivery;
    if (o.goneEndpoint) await deletePushSubscriptionByEndpoint(tx, o.goneEndpoint);
    if (o.retryable && row.attempts < ctx.config.maxAttempts) {
      const nextAttemptAt = now + retryDelayMs(row.attempts, policy, random);
      if (await markRetry(tx, row.id, lease, { nextAttemptAt, error: o.error, now })) {
        recorded.push({ delivery: o.delivery, result: 'retry', nextAttemptAt });
      }
      continue;
    }
    const error =
      o.retryable && row.attempts > 1 ? `gave up after ${row.attempts} attempts: ${o.error}` : o.error;
    if (await markFailed(tx, row.id, lease, { error, now })) {
      const event = failedEvent(o.delivery, error, now);
      const fallbacks = await fallBack(tx, row, now);
      recorded.push({ delivery: o.delivery, result: 'failed', eventId: event.id, fallbacks });
      events.push(event);
    }
  }
  for (const [lease, group] of sentByLease) {
    const ids = group.map((d) => d.row.id);
    const changed = new Set(await markSent(tx, ids, lease, now));
    for (const d of group) if (changed.has(d.row.id)) recorded.push({ delivery: d, result: 'sent' });
  }
  for (const [lease, group] of releasedByLease) {
    const changed = new Set(
      await markReleased(
        tx,
        group.map((d) => d.row.id),
        lease,
        now,
      ),
    );
    for (const d of group) if (changed.has(d.row.id)) recorded.push({ delivery: d, result: 'released' });
  }
  await insertEvents(tx, events, now);
  return recorded;
}
