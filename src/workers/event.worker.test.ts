import { afterEach, describe, expect, it } from 'vitest';
import { until } from '../../test/support/wait.ts';
import type { AppContext } from '../context.ts';
import { createSignals } from '../domain/signals.ts';
import { EVENT_PASS_GAP_MS, type EventWorker, startEventWorker } from './event.worker.ts';

/**
 * When the worker runs its passes. The store is left out: each pass is counted where it would
 * take the writer, and finds no events. What the passes do is covered through HTTP in
 * test/rules.test.ts.
 */
function harness() {
  const signals = createSignals((err) => {
    throw err;
  });
  const passes: number[] = [];
  const ctx = {
    signals,
    config: { pollIntervalMs: 60_000 },
    clock: { now: () => Date.now() },
    log: { error: () => undefined },
    store: {
      kind: 'sqlite',
      writer: {
        run: async () => {
          passes.push(performance.now());
          return null;
        },
      },
    },
  } as unknown as AppContext;
  return { ctx, signals, passes };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('event worker wake-ups', () => {
  let worker: EventWorker | undefined;
  afterEach(async () => {
    await worker?.stop();
    worker = undefined;
  });

  it('runs a pass at once for the first commit after a quiet spell', async () => {
    const { ctx, signals, passes } = harness();
    worker = startEventWorker(ctx);
    await until(() => passes.length === 1);
    await sleep(EVENT_PASS_GAP_MS + 20);
    signals.eventsCommitted.emit({ count: 1 });
    // Synchronously: the pass took the writer before emit returned to us.
    expect(passes).toHaveLength(2);
  });

  it('gathers a burst of commits into one pass after the gap, and loses none', async () => {
    const { ctx, signals, passes } = harness();
    worker = startEventWorker(ctx);
    await until(() => passes.length === 1);
    for (let i = 0; i < 20; i++) signals.eventsCommitted.emit({ count: 1 });
    await sleep(10);
    expect(passes).toHaveLength(1);
    await until(() => passes.length === 2);
    expect(passes[1] - passes[0]).toBeGreaterThanOrEqual(EVENT_PASS_GAP_MS - 1);
    await sleep(EVENT_PASS_GAP_MS * 2);
    expect(passes).toHaveLength(2);
  });

  it('drain runs a pass without waiting for the gap', async () => {
    const { ctx, passes } = harness();
    worker = startEventWorker(ctx);
    await until(() => passes.length === 1);
    await worker.drain();
    expect(passes).toHaveLength(2);
    expect(passes[1] - passes[0]).toBeLessThan(EVENT_PASS_GAP_MS);
  });

  it('a commit after stop starts nothing', async () => {
    const { ctx, signals, passes } = harness();
    worker = startEventWorker(ctx);
    await until(() => passes.length === 1);
    await worker.stop();
    signals.eventsCommitted.emit({ count: 1 });
    await sleep(EVENT_PASS_GAP_MS + 20);
    expect(passes).toHaveLength(1);
  });
});
