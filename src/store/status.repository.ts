import type { Executor } from './database.ts';

/** What `herald status` reports about the store: the delivery queue and how much it holds. */
export interface StoreStatus {
  deliveries: { pending: number; sending: number; sent: number; failed: number };
  users: number;
  buckets: number;
  messages: number;
}

export async function storeStatus(db: Executor): Promise<StoreStatus> {
  const [byStatus, totals] = await Promise.all([
    db
      .selectFrom('deliveries')
      .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
      .groupBy('status')
      .execute(),
    db
      .selectNoFrom((eb) => [
        eb
          .selectFrom('users')
          .select(eb.fn.countAll<number | string>().as('n'))
          .where('kind', '=', 'account')
          .as('users'),
        eb.selectFrom('buckets').select(eb.fn.countAll<number | string>().as('n')).as('buckets'),
        eb.selectFrom('messages').select(eb.fn.countAll<number | string>().as('n')).as('messages'),
      ])
      .executeTakeFirstOrThrow(),
  ]);
  const deliveries = { pending: 0, sending: 0, sent: 0, failed: 0 };
  for (const r of byStatus) {
    if (r.status in deliveries) deliveries[r.status as keyof typeof deliveries] = Number(r.n);
  }
  return {
    deliveries,
    users: Number(totals.users),
    buckets: Number(totals.buckets),
    messages: Number(totals.messages),
  };
}
