import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { runRetention } from '../src/workers/retention.worker.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const DAY = 86_400_000;

describe.each(STORES)('retention of bookkeeping rows on %s', (store) => {
  let h: TestHerald;
  const clock = manualClock(Date.parse('2026-06-01T00:00:00Z'));
  beforeAll(async () => {
    h = await startHerald(store, { clock });
  });
  afterAll(() => h?.close());

  it('drops expired idempotency keys and long-processed events, keeping recent ones', async () => {
    const db = h.server.ctx.store.db;
    const now = clock.now();
    await db
      .insertInto('idempotency_keys')
      .values([
        { caller_id: 'u', scope: 's', key: 'old', status: 201, response: '{}', created_at: now - 2 * DAY },
        { caller_id: 'u', scope: 's', key: 'new', status: 201, response: '{}', created_at: now - 3_600_000 },
      ])
      .execute();
    await db
      .insertInto('events')
      .values([
        {
          id: 'e-old',
          name: 'x.done',
          fields: '{}',
          occurred_at: now - 200 * DAY,
          created_at: now - 200 * DAY,
          processed_at: now - 200 * DAY,
        },
        {
          id: 'e-new',
          name: 'x.done',
          fields: '{}',
          occurred_at: now - DAY,
          created_at: now - DAY,
          processed_at: now - DAY,
        },
      ])
      .execute();
    await runRetention(h.server.ctx);
    expect((await db.selectFrom('idempotency_keys').select('key').execute()).map((r) => r.key)).toEqual([
      'new',
    ]);
    const events = (
      await db.selectFrom('events').select('id').where('id', 'in', ['e-old', 'e-new']).execute()
    ).map((r) => r.id);
    expect(events).toEqual(['e-new']);
  });
});
