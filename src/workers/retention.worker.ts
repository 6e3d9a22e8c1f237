import { rm } from 'node:fs/promises';
import path from 'node:path';
import type { AppContext } from '../context.ts';
import { IDEMPOTENCY_WINDOW_MS } from '../ingest/commit-message.ts';
import { getRetentionDays } from '../services/retention-settings.service.ts';
import {
  deleteOldAttachments,
  deleteOldDeliveries,
  deleteOldMessages,
  deleteOldNotifications,
} from '../store/delivery.repository.ts';
import { purgeProcessedEvents } from '../store/event.repository.ts';
import { purgeIdempotent } from '../store/idempotency.repository.ts';

/**
 * Log retention: deliveries (sent or failed), notifications, messages and attachments (rows
 * and files) older than `retentionDays` are deleted, once at start and then every hour. Each
 * batch is its own short transaction so sends and requests keep flowing during a large purge.
 * Attachment files are removed after their rows are gone: a crash leaves an orphan file,
 * never a row pointing at nothing.
 */
/** ms between retention runs. */
export const RETENTION_INTERVAL_MS = 60 * 60 * 1000;
/** Rows deleted per transaction. */
const BATCH = 1_000;
const DAY_MS = 24 * 60 * 60 * 1000;

export interface RetentionResult {
  deliveries: number;
  attachments: number;
  notifications: number;
  messages: number;
}

/** One full pass. `shouldStop` is checked between batches so shutdown is not held up. */
export async function runRetention(
  ctx: AppContext,
  shouldStop: () => boolean = () => false,
): Promise<RetentionResult> {
  const cutoff = ctx.clock.now() - (await getRetentionDays(ctx)) * DAY_MS;
  const result: RetentionResult = { deliveries: 0, attachments: 0, notifications: 0, messages: 0 };
  const drain = async (step: () => Promise<number>): Promise<number> => {
    let total = 0;
    for (;;) {
      if (shouldStop()) return total;
      const n = await step();
      total += n;
      if (n < BATCH) return total;
    }
  };
  const dataDir = path.resolve(ctx.config.dataDir);
  result.deliveries = await drain(() => ctx.store.writer.run((tx) => deleteOldDeliveries(tx, cutoff, BATCH)));
  result.attachments = await drain(async () => {
    const paths = await ctx.store.writer.run((tx) => deleteOldAttachments(tx, cutoff, BATCH));
    for (const rel of paths) {
      const file = path.resolve(dataDir, rel);
      if (file.startsWith(dataDir + path.sep)) await rm(file, { force: true });
    }
    return paths.length;
  });
  result.notifications = await drain(() =>
    ctx.store.writer.run((tx) => deleteOldNotifications(tx, cutoff, BATCH)),
  );
  result.messages = await drain(() => ctx.store.writer.run((tx) => deleteOldMessages(tx, cutoff, BATCH)));
  if (!shouldStop()) {
    // Bookkeeping that would otherwise grow forever: expired idempotency keys, and events the
    // rules engine finished with before the retention cutoff.
    const now = ctx.clock.now();
    await ctx.store.writer.run(async (tx) => {
      await purgeIdempotent(tx, now - IDEMPOTENCY_WINDOW_MS);
      await purgeProcessedEvents(tx, cutoff);
    });
  }
  return result;
}

/** Runs retention now and every interval until stopped. */
export function startRetention(
  ctx: AppContext,
  intervalMs = RETENTION_INTERVAL_MS,
): { stop(): Promise<void> } {
  let stopping = false;
  let running: Promise<void> | undefined;
  const run = () => {
    if (running || stopping) return;
    running = runRetention(ctx, () => stopping)
      .then((r) => {
        if (r.deliveries + r.attachments + r.notifications + r.messages > 0) {
          ctx.log.info(r, 'retention removed old entries');
        }
      })
      .catch((err) => ctx.log.error({ err }, 'retention run failed'))
      .finally(() => {
        running = undefined;
      });
  };
  const timer = setInterval(run, intervalMs);
  timer.unref();
  run();
  return {
    async stop() {
      stopping = true;
      clearInterval(timer);
      await running;
    },
  };
}
