import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { PushSubscriptionTable } from './delivery.table.ts';

export type PushSubscriptionRow = Selectable<PushSubscriptionTable>;

/**
 * Registers a browser's subscription. The endpoint is unique: a browser that subscribes again
 * (new keys, or another user signing in on it) replaces what was stored for that endpoint.
 * Returns the stored row.
 */
export async function upsertPushSubscription(
  db: Executor,
  row: PushSubscriptionRow,
): Promise<PushSubscriptionRow> {
  await db
    .insertInto('push_subscriptions')
    .values(row)
    .onConflict((oc) =>
      oc.column('endpoint').doUpdateSet({ user_id: row.user_id, p256dh: row.p256dh, auth: row.auth }),
    )
    .execute();
  return db
    .selectFrom('push_subscriptions')
    .selectAll()
    .where('endpoint', '=', row.endpoint)
    .executeTakeFirstOrThrow();
}

export async function listPushSubscriptions(db: Executor, userId: string): Promise<PushSubscriptionRow[]> {
  return db
    .selectFrom('push_subscriptions')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

/** Deletes one of the user's own subscriptions; false when it is not theirs or does not exist. */
export async function deletePushSubscription(db: Executor, userId: string, id: string): Promise<boolean> {
  const res = await db
    .deleteFrom('push_subscriptions')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** A gone subscription (404/410 from its push service) is removed so it is not tried again. */
export async function deletePushSubscriptionByEndpoint(db: Executor, endpoint: string): Promise<void> {
  await db.deleteFrom('push_subscriptions').where('endpoint', '=', endpoint).execute();
}
