import type { AppContext } from '../context.ts';
import { announceMessage } from '../ingest/commit-message.ts';
import { wakeDispatchers } from '../queue/enqueue.ts';
import type { RuleEvent } from '../rules/rule.types.ts';
import { firedRuleIds, planDeliveries } from '../rules/rule-matcher.ts';
import {
  listEnabledRules,
  markEventsProcessed,
  markRulesTriggered,
  ruleFromRow,
  takePendingEvents,
} from '../store/rule.repository.ts';
import { type AppliedPlans, applyPlans } from './rule-actions.ts';

/** Events taken per transaction. */
const BATCH = 100;
/**
 * Least time from the start of one pass to the start of the next when a commit's signal wakes
 * the worker. Each pass is a write transaction of its own (two reads, the marks, a commit):
 * woken by every commit, it took the writer after nearly every batch of messages under a steady
 * load and held the next batch back (SQLite ingest, two runs each on a throttled machine:
 * 0.175 and 0.177 of the bare server's rate without the gap, 0.193 and 0.191 with it). The first event after a quiet spell still runs at once; a full batch runs the
 * next pass at once; `drain` never waits.
 */
export const EVENT_PASS_GAP_MS = 100;

/**
 * The rules engine's loop. States: idle (waiting for a wake-up or the poll timer) → running
 * (one transaction: take unprocessed events, match them against the enabled rules, write the
 * planned deliveries and inbox items, set lastTriggeredAt, mark the events processed) → idle,
 * or running again at once if a full batch was taken. Because all of that commits together,
 * an event is processed exactly once even if the process dies mid-way.
 */
export interface EventWorker {
  /**
   * Processes every event recorded before the call (joining a pass under way, then running
   * again); resolves with the number of events processed meanwhile.
   */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

export function startEventWorker(ctx: AppContext): EventWorker {
  let stopped = false;
  let running: Promise<number> | null = null;
  let again = false;
  /** When the last pass began, and the timer of a signal's wake-up that waits for the gap. */
  let lastStart = Number.NEGATIVE_INFINITY;
  let gapTimer: NodeJS.Timeout | undefined;

  async function pass(): Promise<number> {
    const result = await ctx.store.writer.run(async (tx) => {
      const rows = await takePendingEvents(tx, ctx.store.kind, BATCH);
      if (rows.length === 0) return null;
      const rules = (await listEnabledRules(tx)).map(ruleFromRow);
      const lastFired = new Map(rules.map((r) => [r.id, r.lastTriggeredAt]));
      const now = ctx.clock.now();
      const applied: AppliedPlans[] = [];
      for (const row of rows) {
        const event: RuleEvent = {
          id: row.id,
          name: row.name,
          fields: JSON.parse(row.fields) as Record<string, unknown>,
          occurredAt: new Date(row.occurred_at),
          source: row.source,
        };
        let plans = planDeliveries(event, rules, new Date(now), (id) => lastFired.get(id) ?? null);
        // A rule must not feed on its own failures (delivery.failed → same rule → …).
        if (event.name === 'delivery.failed') plans = plans.filter((p) => p.ruleId !== event.fields.ruleId);
        const fired = firedRuleIds(plans);
        for (const id of fired) lastFired.set(id, new Date(now));
        await markRulesTriggered(tx, fired, now);
        applied.push(await applyPlans(ctx, tx, event, plans));
      }
      await markEventsProcessed(
        tx,
        rows.map((r) => r.id),
        now,
      );
      return { count: rows.length, applied };
    });
    if (!result) return 0;
    for (const a of result.applied) for (const m of a.messages) announceMessage(ctx, m);
    const deliveries = result.applied.reduce((n, a) => n + a.deliveries, 0);
    if (deliveries > 0) wakeDispatchers(ctx, deliveries);
    return result.count;
  }

  function kick(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      try {
        do {
          again = false;
          lastStart = performance.now();
          const n = await pass();
          total += n;
          if (n >= BATCH) again = true;
        } while (again && !stopped);
        return total;
      } catch (err) {
        ctx.log.error({ err }, 'event processing failed; will retry on the next poll');
        return 0;
      } finally {
        // In the same step as the last check of `again`: a kick arriving after it starts a
        // pass of its own instead of joining one that has already ended.
        running = null;
      }
    })();
    return running;
  }

  const onEvents = () => void kick();
  /** A commit's signal: a pass now, or once the gap since the last one has passed. */
  const onCommitted = () => {
    if (gapTimer || stopped) return;
    const wait = lastStart + EVENT_PASS_GAP_MS - performance.now();
    if (wait <= 0) return onEvents();
    gapTimer = setTimeout(() => {
      gapTimer = undefined;
      onEvents();
    }, wait);
  };
  const unsubscribe = ctx.signals.eventsCommitted.subscribe(onCommitted);
  const timer = setInterval(onEvents, ctx.config.pollIntervalMs);
  timer.unref();
  void kick();

  return {
    drain: () => (stopped ? (running ?? Promise.resolve(0)) : kick()),
    async stop() {
      stopped = true;
      clearInterval(timer);
      clearTimeout(gapTimer);
      unsubscribe();
      await running;
    },
  };
}
