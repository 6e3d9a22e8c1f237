import { performance } from 'node:perf_hooks';
import { ChannelError } from '../channels/channel.ts';
import type { AppContext } from '../context.ts';
import {
  attemptsExhausted,
  type ClaimedDelivery,
  type RecordedOutcome,
  type SendOutcome,
  settleAndClaim,
} from '../queue/delivery-queue.ts';
import { wakeDispatchers } from '../queue/enqueue.ts';
import { type ChannelSetting, createChannelCache } from '../services/channel-settings.service.ts';
import { openRecipient } from '../services/user-address.service.ts';
import { isInboxItemRead } from '../store/inbox.repository.ts';
import { getSetting } from '../store/setting.repository.ts';
import { sendThroughChannel } from './channel-send.ts';

/**
 * The worker loop of one process: claims due deliveries, sends them through their channel
 * adapters with at most `workers` sends in flight, and records the outcomes.
 *
 * The loop runs in steps. One step is one transaction that records every outcome gathered
 * since the last step and claims as many due rows as there are free send slots, plus a reserve
 * of rows that start the moment a send ends instead of waiting for the next step to commit
 * (without it, every slot sat idle for a whole commit between two sends). At most one step runs
 * at a time; while it commits, finished sends gather for the next one, so the busier the queue,
 * the more work each commit carries.
 *
 * The reserve is one lot of `workers` rows for each whole send timeout the lease holds beyond
 * two, at most four lots (four with the default 60 s lease and 10 s timeout). A reserved row
 * waits about one send timeout per lot ahead of it for a slot (every send in flight ends by
 * then), sends for at most another, and one more is left for recording the outcome. With a
 * lease shorter than three send timeouts there is no reserve: each claimed row starts at once.
 * A reserved row that still finds less than two send timeouts of its lease left when a slot
 * frees (a starved process whose timers fire late) is released unsent instead: sending it could
 * outlast the lease, and another worker would claim and send it again.
 *
 * Rows whose lease expired (their worker died or hung) are looked for on the poll timer and on
 * drains, not in the steps that follow each send: they are rare, and the check is one more
 * statement per step.
 *
 * States:
 * - idle: no outcomes to record and nothing claimable found since the last wake-up. A
 *   wake-up is the `deliveriesCommitted` signal, the poll timer, or the timer set for the
 *   earliest retry this process scheduled.
 * - stepping: one step in its transaction.
 * - sending: sends in flight; each one that ends queues its outcome, starts the next reserved
 *   row if there is one, and asks for a step.
 * - paused: the `notifier_paused` setting is true (re-read on every poll, and taken at once
 *   from the `settingsChanged` signal of this process); steps record outcomes but claim
 *   nothing, so deliveries wait in the table and go out once it turns false. Rows already
 *   claimed (in flight or reserved) are still sent.
 * - stopping: steps claim nothing; in-flight and reserved sends finish and their outcomes are
 *   recorded; nothing is released (a row claimed by a process that dies returns when its lease
 *   expires).
 *
 * `drain()` polls and wakes, then waits for idle (or paused) with nothing in flight: tests use it
 * to know that nothing more will be sent now, instead of sleeping.
 */
export interface DeliveryWorker {
  wake(): void;
  /**
   * Re-reads the pause setting, claims what is due now and resolves once the worker is idle
   * again: nothing due left to claim (or paused), no send in flight, every outcome recorded.
   * Resolves with the number of outcomes recorded meanwhile. Deliveries due later (retries,
   * digests) are not waited for.
   */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export interface DeliveryWorkerOptions {
  /** Concurrent sends. */
  workers: number;
  /** Backoff jitter source; injectable for tests. */
  random?: () => number;
}

const PAUSE_SETTING = 'notifier_paused';
/** Most lots of `workers` rows a worker claims ahead of its free slots (see the reserve above). */
const MAX_RESERVE_LOTS = 4;

export function startDeliveryWorker(ctx: AppContext, opts: DeliveryWorkerOptions): DeliveryWorker {
  const { workers } = opts;
  const log = ctx.log.child({ component: 'delivery-worker' });
  const metrics = ctx.metrics;
  const channels = createChannelCache(ctx, ctx.config.pollIntervalMs);
  /** Claimed rows waiting for a send slot; never more than `reserve`, and only while all slots are busy. */
  const ready: ClaimedDelivery[] = [];
  const lots = Math.floor(ctx.config.leaseMs / ctx.config.sendTimeoutMs) - 2;
  const reserve = Math.max(0, Math.min(MAX_RESERVE_LOTS, lots)) * workers;
  const tooLateToSend = (d: ClaimedDelivery) =>
    reserve > 0 && d.lease - ctx.clock.now() < 2 * ctx.config.sendTimeoutMs;
  let inFlight = 0;
  let stepping = false;
  /** Whether the next claim also looks for expired leases (set by polls and drains). */
  let checkExpired = true;
  let stopping = false;
  let paused = true; // until the first poll has read the setting
  /** Bumped by every wake-up; `drainedAt` is the wake-up after which a claim came back short. */
  let wakeSeq = 0;
  let drainedAt = -1;
  const outcomes: SendOutcome[] = [];
  let retryTimer: NodeJS.Timeout | undefined;
  let retryAt = Number.POSITIVE_INFINITY;
  /** Outcomes recorded so far, so a drain can say whether it saw any work. */
  let recordedTotal = 0;
  /** Resolved when no send is in flight and nothing is left to record (stop waits for this). */
  let quietWaiters: Array<() => void> = [];
  /** Resolved when, on top of that, nothing claimable is left and no poll is reading (drain). */
  let drainWaiters: Array<() => void> = [];

  const claimable = () =>
    stopping || paused || drainedAt === wakeSeq ? 0 : workers + reserve - inFlight - ready.length;

  function wake(): void {
    wakeSeq++;
    step();
  }

  function step(): void {
    if (stepping || (outcomes.length === 0 && claimable() <= 0)) {
      settle();
      return;
    }
    stepping = true;
    // Let sends that end in this turn of the event loop join the step.
    setImmediate(() => void runStep());
  }

  async function runStep(): Promise<void> {
    const batch = outcomes.splice(0);
    const seq = wakeSeq;
    const want = claimable();
    const expired = checkExpired && want > 0;
    if (expired) checkExpired = false;
    let claimed: ClaimedDelivery[] = [];
    try {
      const result = await settleAndClaim(ctx, batch, want, opts.random, { expired });
      claimed = result.claimed;
      observe(result.recorded);
      if (claimed.length < want && drainedAt < seq) drainedAt = seq;
    } catch (err) {
      // Unrecorded rows stay `sending` and return when their lease expires: sent again, never lost.
      log.error(
        { err, outcomes: batch.length },
        'a delivery worker step failed; trying again at the next poll',
      );
      drainedAt = seq;
    }
    ready.push(...claimed);
    fillSlots();
    stepping = false;
    step();
  }

  function fillSlots(): void {
    while (inFlight < workers && ready.length > 0) {
      const d = ready.shift()!;
      if (tooLateToSend(d)) outcomes.push({ delivery: d, ok: false, released: true });
      else startSend(d);
    }
  }

  function startSend(d: ClaimedDelivery): void {
    inFlight++;
    void attempt(d)
      .catch((err): SendOutcome => ({ delivery: d, ok: false, error: String(err), retryable: true }))
      .then((outcome) => {
        inFlight--;
        outcomes.push(outcome);
        fillSlots();
        step();
      });
  }

  async function attempt(d: ClaimedDelivery): Promise<SendOutcome> {
    const { row } = d;
    const fail = (error: string, retryable = false): SendOutcome => ({
      delivery: d,
      ok: false,
      error,
      retryable,
    });
    if (row.unless_read === 1 && row.notification_id) {
      let read: boolean | undefined;
      try {
        read = await isInboxItemRead(ctx.store.db, row.notification_id);
      } catch (err) {
        return fail(`reading the inbox item failed: ${(err as Error).message}`, true);
      }
      if (read === true) return { delivery: d, ok: false, skipped: 'read in time' };
      if (read === undefined) return { delivery: d, ok: false, skipped: 'the inbox item was deleted' };
    }
    if (attemptsExhausted(ctx, row)) {
      return fail(
        `gave up after ${ctx.config.maxAttempts} attempts; the last lease expired before its send finished (the process stopped or hung)`,
      );
    }
    let setting: ChannelSetting | undefined;
    try {
      setting = (await channels.get()).get(row.channel);
    } catch (err) {
      return fail(`reading the ${row.channel} channel settings failed: ${(err as Error).message}`, true);
    }
    if (!setting) return fail(`the ${row.channel} channel is not configured`);
    if (!setting.enabled)
      return fail(`the ${row.channel} channel is disabled; enable it, then retry from the log`);
    if (!setting.config) {
      return fail(
        `the ${row.channel} channel's secrets cannot be decrypted (HERALD_SECRET changed?); save it again`,
      );
    }
    let recipient: ClaimedDelivery['recipient'];
    try {
      recipient = openRecipient(ctx, row.channel, row.user_id, d.recipient);
    } catch {
      return fail("the user's address for this channel cannot be decrypted (HERALD_SECRET changed?)");
    }
    const started = performance.now();
    try {
      await sendThroughChannel(
        ctx,
        row.channel,
        setting.config,
        { deliveryId: row.id, ...d.content },
        recipient,
      );
      return { delivery: d, ok: true };
    } catch (err) {
      const e = err instanceof ChannelError ? err : new ChannelError(String(err), true);
      const gone = e.recipientGone;
      return {
        delivery: d,
        ok: false,
        error: e.message,
        retryable: e.retryable,
        ...(gone && d.recipient.subscription ? { goneEndpoint: d.recipient.subscription.endpoint } : {}),
      };
    } finally {
      metrics.observeSend(row.channel, (performance.now() - started) / 1000);
    }
  }

  function observe(recorded: RecordedOutcome[]): void {
    recordedTotal += recorded.length;
    const now = ctx.clock.now();
    let earliestRetry = Number.POSITIVE_INFINITY;
    const events: string[] = [];
    let fallbacks = 0;
    let released = 0;
    // Counted per channel and outcome, then added once each: a step records dozens.
    const counts = new Map<string, number>();
    const count = (channel: string, status: 'sent' | 'retried' | 'failed' | 'skipped') => {
      const key = `${channel}\n${status}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    for (const r of recorded) {
      const channel = r.delivery.row.channel;
      if (r.result === 'released') {
        released++;
      } else if (r.result === 'skipped') {
        count(channel, 'skipped');
      } else if (r.result === 'sent') {
        count(channel, 'sent');
        metrics.observeEnqueueToSend(channel, Math.max(0, now - r.delivery.row.created_at) / 1000);
      } else if (r.result === 'retry') {
        count(channel, 'retried');
        earliestRetry = Math.min(earliestRetry, r.nextAttemptAt ?? now);
      } else {
        count(channel, 'failed');
        if (r.eventId) events.push(r.eventId);
        fallbacks += r.fallbacks ?? 0;
        log.warn(
          { deliveryId: r.delivery.row.id, channel, attempts: r.delivery.row.attempts },
          'delivery failed for good',
        );
      }
    }
    for (const [key, n] of counts) {
      const [channel, status] = key.split('\n') as [string, 'sent' | 'retried' | 'failed' | 'skipped'];
      metrics.countOutcome(channel, status, n);
    }
    if (earliestRetry < retryAt) scheduleRetryWake(earliestRetry);
    // Fallbacks of final failures, and released rows, are committed and due now.
    if (fallbacks + released > 0) wakeDispatchers(ctx, fallbacks + released);
    // `delivery.failed` events are committed: whoever processes events may look now.
    if (events.length > 0) ctx.signals.eventsCommitted.emit({ count: events.length });
  }

  /** Retries sooner than the next poll would notice them get a timer of their own. */
  function scheduleRetryWake(at: number): void {
    if (stopping) return;
    clearTimeout(retryTimer);
    retryAt = at;
    retryTimer = setTimeout(
      () => {
        retryAt = Number.POSITIVE_INFINITY;
        wake();
      },
      Math.max(0, at - ctx.clock.now()),
    );
    retryTimer.unref();
  }

  let polling: Promise<void> | undefined;
  /** A poll was asked for while one was reading: its answer may predate the request. */
  let pollAgain = false;
  /** Bumped by in-process setting changes, so a poll that read before one does not undo it. */
  let settingSeq = 0;
  function poll(): void {
    if (stopping) return;
    checkExpired = true;
    if (polling) {
      pollAgain = true;
      return;
    }
    const seq = settingSeq;
    polling = (async () => {
      try {
        const value = (await getSetting<boolean>(ctx.store.db, PAUSE_SETTING)) === true;
        if (seq === settingSeq) paused = value;
      } catch (err) {
        log.error({ err }, 'reading the notifier_paused setting failed');
      }
    })().finally(() => {
      polling = undefined;
      if (pollAgain) {
        pollAgain = false;
        poll();
      }
      wake();
    });
  }

  const unsubscribe = [
    ctx.signals.deliveriesCommitted.subscribe(() => wake()),
    ctx.signals.settingsChanged.subscribe((change) => {
      if (change.key !== PAUSE_SETTING) return;
      settingSeq++;
      paused = change.value === true;
      wake();
    }),
  ];
  const pollTimer = setInterval(poll, ctx.config.pollIntervalMs);
  pollTimer.unref();
  poll();

  function settle(): void {
    if (inFlight > 0 || stepping || outcomes.length > 0) return;
    const quiet = quietWaiters;
    quietWaiters = [];
    for (const w of quiet) w();
    if (polling || claimable() > 0) return;
    const drained = drainWaiters;
    drainWaiters = [];
    for (const w of drained) w();
  }

  return {
    wake,
    drain() {
      const before = recordedTotal;
      const done = new Promise<void>((resolve) => drainWaiters.push(resolve));
      // A fresh look: the pause setting and the queue may have changed without a signal
      // (another process, a row written straight to the table).
      if (stopping) settle();
      else poll();
      return done.then(() => recordedTotal - before);
    },
    async stop() {
      stopping = true;
      clearInterval(pollTimer);
      clearTimeout(retryTimer);
      for (const off of unsubscribe) off();
      channels.close();
      await polling;
      while (inFlight > 0 || stepping || outcomes.length > 0) {
        await new Promise<void>((resolve) => {
          quietWaiters.push(resolve);
          step();
        });
      }
      settle();
    },
  };
}
