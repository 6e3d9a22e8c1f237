import type { AppContext } from '../context.ts';
import { publishDueNtfyMessages } from '../services/ntfy-publish.service.ts';

/**
 * Publishes ntfy's scheduled deliveries (`X-Delay`) when they are due. It polls every
 * HERALD_POLL_INTERVAL_MS but at most once a second (a pass that finds nothing due only reads);
 * a publish is accepted only 10 s or more ahead, so that is precise enough. States: idle (waiting for the timer) → running (one pass over what is due)
 * → idle; stopped once `stop` resolves. `drain()` runs a pass now (after any in flight) and
 * says how many it published: tests advance their clock and drain instead of sleeping.
 */
export interface NtfyScheduler {
  drain(): Promise<number>;
  stop(): Promise<void>;
}

/** ms: the scheduler never polls more often than this, whatever the queue poll interval. */
const MIN_INTERVAL_MS = 1_000;

export function startNtfyScheduler(ctx: AppContext): NtfyScheduler {
  let stopped = false;
  let running: Promise<number> | undefined;
  const pass = (): Promise<number> => {
    running ??= publishDueNtfyMessages(ctx)
      .catch((err) => {
        ctx.log.error({ err }, 'ntfy scheduled delivery failed');
        return 0;
      })
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(
    () => {
      if (!stopped) void pass();
    },
    Math.max(ctx.config.pollIntervalMs, MIN_INTERVAL_MS),
  );
  timer.unref();
  return {
    async drain() {
      if (running) await running;
      return stopped ? 0 : pass();
    },
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
