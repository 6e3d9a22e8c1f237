import type { AppContext } from '../context.ts';
import { type DeliveryWorker, startDeliveryWorker } from './delivery.worker.ts';
import { type EventWorker, startEventWorker } from './event.worker.ts';
import { startNtfyScheduler } from './ntfy-scheduler.worker.ts';
import { startRetention } from './retention.worker.ts';

/**
 * The background loops of one process: the delivery worker (claims and sends), the event
 * worker (matches events against the rules) and the retention job. Start it once the store is
 * migrated; stop it before closing the store.
 */
export interface Engine {
  /** Wakes the delivery worker (code that enqueued outside the usual paths). */
  wake(): void;
  /**
   * Resolves once both workers are idle with nothing due now: every event recorded so far is
   * processed and every delivery due now is sent or rescheduled, including the deliveries and
   * `delivery.failed` events they cause in turn. Tests await it instead of sleeping.
   */
  drain(): Promise<void>;
  /** Stops claiming, lets in-flight work finish and records its outcomes. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Concurrent sends; defaults to HERALD_WORKERS. 0 runs no delivery worker in this process. */
  workers?: number;
  /** Backoff jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Run the event worker (default true). */
  events?: boolean;
  /** Run the retention job (default true). */
  retention?: boolean;
}

/** Rounds of event → delivery → event a drain follows before it gives up. */
const MAX_DRAIN_ROUNDS = 100;

export function startEngine(ctx: AppContext, opts: EngineOptions = {}): Engine {
  const workers = opts.workers ?? ctx.config.workers;
  const deliveries: DeliveryWorker | undefined =
    workers > 0 ? startDeliveryWorker(ctx, { workers, random: opts.random }) : undefined;
  const events: EventWorker | undefined = opts.events === false ? undefined : startEventWorker(ctx);
  const retention = opts.retention === false ? undefined : startRetention(ctx);
  // ntfy's scheduled deliveries, written as messages when due (with the event worker's option).
  const scheduled = opts.events === false ? undefined : startNtfyScheduler(ctx);
  let stopping: Promise<void> | undefined;
  return {
    wake: () => deliveries?.wake(),
    async drain() {
      // Events plan deliveries and final failures record events, so go round until a whole
      // round finds nothing to do.
      for (let round = 0; round < MAX_DRAIN_ROUNDS; round++) {
        const published = (await scheduled?.drain()) ?? 0;
        const processed = (await events?.drain()) ?? 0;
        const recorded = (await deliveries?.drain()) ?? 0;
        if (published === 0 && processed === 0 && recorded === 0) return;
      }
      throw new Error(`the workers were still busy after ${MAX_DRAIN_ROUNDS} rounds of draining`);
    },
    stop() {
      stopping ??= (async () => {
        // Events first: their last pass may still enqueue deliveries (kept in the table either way).
        await events?.stop();
        await scheduled?.stop();
        await Promise.all([deliveries?.stop(), retention?.stop()]);
      })();
      return stopping;
    },
  };
}
