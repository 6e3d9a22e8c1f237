import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config/config.ts';
import { type AppContext, closeContext, createContext } from '../context.ts';
import { manualClock } from '../domain/clock.ts';
import { getDelivery } from '../store/delivery.repository.ts';
import { listEventsByName } from '../store/event.repository.ts';
import { retryDelayMs } from './backoff.ts';
import { attemptsExhausted, type ClaimedDelivery, settleAndClaim } from './delivery-queue.ts';
import { enqueueDeliveries } from './enqueue.ts';

/** The queue on a real SQLite store, with time moved by hand. */
const LEASE_MS = 60_000;
const MAX_ATTEMPTS = 3;
const BASE_MS = 1_000;
const MAX_MS = 30_000;
const HALF = () => 0.5;

let dir: string;
let ctx: AppContext;
const clock = manualClock(Date.UTC(2030, 0, 1));

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'herald-queue-'));
  const config = loadConfig({
    HERALD_DATA_DIR: dir,
    HERALD_LEASE_MS: String(LEASE_MS),
    HERALD_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    HERALD_RETRY_BASE_MS: String(BASE_MS),
    HERALD_RETRY_MAX_MS: String(MAX_MS),
  });
  ctx = createContext(config, pino({ level: 'silent' }), { clock });
  await ctx.store.migrate();
});
afterEach(async () => {
  await closeContext(ctx);
  rmSync(dir, { recursive: true, force: true });
});

async function enqueueOne(notBefore?: number): Promise<string> {
  const [id] = await ctx.store.writer.run((tx) =>
    enqueueDeliveries(
      tx,
      [
        {
          channel: 'webhook',
          recipients: [{}],
          content: { title: 'Disk full', text: 'on host a' },
          notBefore,
        },
      ],
      clock.now(),
    ),
  );
  return id;
}

const claim = async (n = 10) => (await settleAndClaim(ctx, [], n, HALF)).claimed;
const row = async (id: string) => (await getDelivery(ctx.store.db, id))!;
const fail = (delivery: ClaimedDelivery, retryable: boolean, error = 'connect ECONNREFUSED') =>
  settleAndClaim(ctx, [{ delivery, ok: false, retryable, error }], 0, HALF);

describe('delivery queue', () => {
  it('claims a due delivery under a lease, counting the attempt, and hands it out once', async () => {
    const id = await enqueueOne();
    const [claimed, ...more] = await claim();
    expect(more).toEqual([]);
    expect(claimed.row.id).toBe(id);
    expect(claimed.content).toMatchObject({ title: 'Disk full' });
    const r = await row(id);
    expect(r).toMatchObject({ status: 'sending', attempts: 1, lease_until: clock.now() + LEASE_MS });
    expect(await claim()).toEqual([]);
  });

  it('does not claim a delivery before its time', async () => {
    const id = await enqueueOne(clock.now() + 5_000);
    expect(await claim()).toEqual([]);
    clock.advance(5_000);
    expect((await claim()).map((c) => c.row.id)).toEqual([id]);
  });

  it('marks a successful send sent', async () => {
    const id = await enqueueOne();
    const [claimed] = await claim();
    const { recorded } = await settleAndClaim(ctx, [{ delivery: claimed, ok: true }], 0);
    expect(recorded.map((r) => r.result)).toEqual(['sent']);
    expect(await row(id)).toMatchObject({ status: 'sent', sent_at: clock.now(), lease_until: null });
  });

  it('claims a delivery again once its lease expired, and drops the outcome of the lost lease', async () => {
    const id = await enqueueOne();
    const [first] = await claim();
    clock.advance(LEASE_MS - 1);
    expect(await claim()).toEqual([]);
    clock.advance(1);
    const [second] = await claim();
    expect(second.row.id).toBe(id);
    expect(second.row.attempts).toBe(2);
    expect(second.lease).not.toBe(first.lease);

    // The first worker wakes up late: its outcome must not overwrite the newer attempt.
    const late = await settleAndClaim(ctx, [{ delivery: first, ok: true }], 0);
    expect(late.recorded).toEqual([]);
    expect(await row(id)).toMatchObject({ status: 'sending', lease_until: second.lease });
  });

  it('reschedules a retryable failure with backoff, keeping the error', async () => {
    const id = await enqueueOne();
    const [claimed] = await claim();
    const failedAt = clock.now();
    const { recorded } = await fail(claimed, true);
    const expectedAt = failedAt + retryDelayMs(1, { baseMs: BASE_MS, maxMs: MAX_MS }, HALF);
    expect(recorded).toMatchObject([{ result: 'retry', nextAttemptAt: expectedAt }]);
    expect(await row(id)).toMatchObject({
      status: 'pending',
      next_attempt_at: expectedAt,
      lease_until: null,
      last_error: 'connect ECONNREFUSED',
    });

    clock.set(expectedAt - 1);
    expect(await claim()).toEqual([]);
    clock.set(expectedAt);
    const [again] = await claim();
    expect(again.row).toMatchObject({ id, attempts: 2 });
    // The second failure waits longer: the cap doubles with every attempt.
    const { recorded: second } = await fail(again, true);
    expect(second[0].nextAttemptAt! - clock.now()).toBe(
      retryDelayMs(2, { baseMs: BASE_MS, maxMs: MAX_MS }, HALF),
    );
    expect(second[0].nextAttemptAt! - clock.now()).toBeGreaterThan(expectedAt - failedAt);
  });

  it('fails a delivery for good once its attempts are used, recording delivery.failed', async () => {
    const id = await enqueueOne();
    let last: Awaited<ReturnType<typeof fail>> | undefined;
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const [claimed] = await claim();
      expect(claimed.row.attempts).toBe(attempt);
      last = await fail(claimed, true, 'HTTP 503');
      if (attempt < MAX_ATTEMPTS) clock.set(last.recorded[0].nextAttemptAt!);
    }
    expect(last!.recorded.map((r) => r.result)).toEqual(['failed']);
    expect(await row(id)).toMatchObject({
      status: 'failed',
      attempts: MAX_ATTEMPTS,
      last_error: `gave up after ${MAX_ATTEMPTS} attempts: HTTP 503`,
    });
    clock.advance(MAX_MS * 10);
    expect(await claim()).toEqual([]);
    const events = await listEventsByName(ctx.store.db, 'delivery.failed');
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0].fields)).toMatchObject({ deliveryId: id, attempts: MAX_ATTEMPTS });
  });

  it('fails a permanent failure at once, without retrying', async () => {
    const id = await enqueueOne();
    const [claimed] = await claim();
    const { recorded } = await fail(claimed, false, 'HTTP 404 from receiver');
    expect(recorded.map((r) => r.result)).toEqual(['failed']);
    expect(await row(id)).toMatchObject({
      status: 'failed',
      attempts: 1,
      last_error: 'HTTP 404 from receiver',
    });
    clock.advance(MAX_MS * 10);
    expect(await claim()).toEqual([]);
    expect(await listEventsByName(ctx.store.db, 'delivery.failed')).toHaveLength(1);
  });

  it('tells when a delivery whose leases kept expiring has used every attempt', async () => {
    await enqueueOne();
    let claimed: ClaimedDelivery | undefined;
    for (let i = 0; i <= MAX_ATTEMPTS; i++) {
      [claimed] = await claim();
      expect(attemptsExhausted(ctx, claimed.row)).toBe(i === MAX_ATTEMPTS);
      clock.advance(LEASE_MS);
    }
    expect(claimed!.row.attempts).toBe(MAX_ATTEMPTS + 1);
  });

  it('puts a released delivery back in the queue at once without counting its attempt', async () => {
    const id = await enqueueOne();
    const [claimed] = await claim();
    clock.advance(1_000);
    const { recorded, claimed: again } = await settleAndClaim(
      ctx,
      [{ delivery: claimed, ok: false, released: true }],
      10,
      HALF,
    );
    expect(recorded.map((r) => r.result)).toEqual(['released']);
    // Due at once: the same step claims it again, as its first attempt.
    expect(again.map((d) => d.row.id)).toEqual([id]);
    expect(await row(id)).toMatchObject({ status: 'sending', attempts: 1, last_error: null });
  });

  it('ignores a release under a lease that was lost', async () => {
    const id = await enqueueOne();
    const [stale] = await claim();
    clock.advance(LEASE_MS);
    const [current] = await claim();
    const { recorded } = await settleAndClaim(ctx, [{ delivery: stale, ok: false, released: true }], 0, HALF);
    expect(recorded).toEqual([]);
    expect(await row(id)).toMatchObject({ status: 'sending', attempts: 2, lease_until: current.lease });
  });
});
