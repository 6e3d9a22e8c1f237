import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { enqueue } from '../src/queue/enqueue.ts';
import { type Engine, startEngine } from '../src/workers/engine.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const content = { title: 'Nightly backup', text: 'finished' };

/**
 * The delivery worker claims ahead of its free send slots (a reserve that starts as soon as a
 * send ends) only when the lease covers a wait for a slot plus a send. Either way every
 * delivery reaches the receiver once, in one attempt.
 */
describe.each(STORES)('bursts larger than the send slots on %s', (store) => {
  /** Default leases (60 s against 10 s send timeouts): the worker holds a reserve. */
  let roomy: TestHerald;
  /** Leases only a little longer than a send timeout: it may hold none. */
  let tight: TestHerald;
  let receiver: HttpReceiver;
  let engine: Engine | undefined;

  const configure = async (h: TestHerald) => {
    const res = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: await h.adminToken(),
      body: { enabled: true, config: { url: `${receiver.url}/hook`, secret: 'burst-secret' } },
    });
    expect(res.status).toBe(200);
  };

  beforeAll(async () => {
    receiver = await createHttpReceiver();
    roomy = await startHerald(store, { env: { HERALD_WORKERS: '0' } });
    tight = await startHerald(store, {
      env: {
        HERALD_WORKERS: '0',
        HERALD_LEASE_MS: '1500',
        HERALD_SEND_TIMEOUT_MS: '1000',
        HERALD_POLL_INTERVAL_MS: '100',
      },
    });
    await configure(roomy);
    await configure(tight);
  });
  afterEach(async () => {
    await engine?.stop();
    engine = undefined;
    receiver.delay(0);
  });
  afterAll(async () => {
    await roomy?.close();
    await tight?.close();
    await receiver?.close();
  });

  const attemptsOf = async (h: TestHerald, ids: string[]) =>
    (
      await h.server.ctx.store.db
        .selectFrom('deliveries')
        .select(['id', 'status', 'attempts'])
        .where('id', 'in', ids)
        .execute()
    ).map((r) => ({ status: r.status, attempts: r.attempts }));

  /** Enqueues `count` webhook deliveries, lets the engine send them all, returns the ids and what arrived. */
  const burst = async (h: TestHerald, count: number) => {
    const before = receiver.received.length;
    const ids = await enqueue(h.server.ctx, [
      { channel: 'webhook', recipients: Array.from({ length: count }, () => ({})), content },
    ]);
    await engine!.drain();
    const seen = receiver.received.slice(before).map((r) => r.headers['x-herald-delivery']);
    return { ids, seen };
  };

  it('sends every delivery of a burst ten times the send slots once, each in one attempt', async () => {
    engine = startEngine(roomy.server.ctx, { workers: 3, retention: false, events: false });
    const { ids, seen } = await burst(roomy, 30);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(await attemptsOf(roomy, ids)).toEqual(ids.map(() => ({ status: 'sent', attempts: 1 })));
  });

  it('holds no claimed row back when a wait for a slot and a send could outlast the lease', async () => {
    // Two slots, four deliveries, answers after 850 ms: a third row claimed together with the
    // first two would wait 850 ms for a slot and send for 850 ms more, past its 1.5 s lease,
    // and the next poll would claim it again and send it a second time.
    receiver.delay(850);
    engine = startEngine(tight.server.ctx, { workers: 2, retention: false, events: false });
    const { ids, seen } = await burst(tight, 4);
    expect([...seen].sort()).toEqual([...ids].sort());
    expect(await attemptsOf(tight, ids)).toEqual(ids.map(() => ({ status: 'sent', attempts: 1 })));
  });

  it('gives up on a receiver slower than the send timeout and keeps the delivery for a retry', async () => {
    receiver.delay(1_500);
    engine = startEngine(tight.server.ctx, { workers: 2, retention: false, events: false });
    const { ids } = await burst(tight, 1);
    const row = await tight.server.ctx.store.db
      .selectFrom('deliveries')
      .selectAll()
      .where('id', '=', ids[0])
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'pending', attempts: 1 });
    expect(row.last_error).toMatch(/within 1000 ms/);
  });
});
