import type { AppContext } from '../context.ts';
import { registerMessageRouting } from '../rules/message-routing.ts';
import { type Dispatcher, startDispatcher } from './delivery.worker.ts';
import { startRetention } from './retention.worker.ts';

/**
 * The delivery engine of one process: message routing (a commit step that enqueues outside
 * deliveries with each message), the dispatcher (claims and sends), and the retention job.
 *
 * Call {@link registerMessageRouting} before the server accepts requests (startEngine calls it
 * too, for callers without an HTTP server), then startEngine once the server listens, and
 * stop it before closing the store.
 */
export interface Engine {
  /** Wakes the dispatcher (tests, or code that enqueued outside the usual paths). */
  wake(): void;
  /** Stops claiming, lets in-flight sends finish and records their outcomes. */
  stop(): Promise<void>;
}

export interface EngineOptions {
  /** Concurrent sends; defaults to HERALD_WORKERS. 0 runs no dispatcher in this process. */
  workers?: number;
  /** Backoff jitter source in [0, 1); injectable for tests. */
  random?: () => number;
  /** Run the retention job (default true). */
  retention?: boolean;
}

export function startEngine(ctx: AppContext, opts: EngineOptions = {}): Engine {
  registerMessageRouting(ctx);
  const workers = opts.workers ?? ctx.config.workers;
  const dispatcher: Dispatcher | undefined =
    workers > 0 ? startDispatcher(ctx, { workers, random: opts.random }) : undefined;
  const retention = opts.retention === false ? undefined : startRetention(ctx);
  let stopping: Promise<void> | undefined;
  return {
    wake: () => dispatcher?.wake(),
    stop() {
      stopping ??= (async () => {
        await Promise.all([dispatcher?.stop(), retention?.stop()]);
      })();
      return stopping;
    },
  };
}

export { registerMessageRouting };
