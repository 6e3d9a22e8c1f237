import type { Executor } from './database.ts';

export interface StoredResponse {
  status: number;
  body: unknown;
}

export async function findIdempotent(
  db: Executor,
  callerId: string,
  scope: string,
  key: string,
  notBefore: number,
): Promise<StoredResponse | undefined> {
  const row = await db
    .selectFrom('idempotency_keys')
    .select(['status', 'response'])
    .where('caller_id', '=', callerId)
    .where('scope', '=', scope)
    .where('key', '=', key)
    .where('created_at', '>=', notBefore)
    .executeTakeFirst();
  return row ? { status: row.status, body: JSON.parse(row.response) } : undefined;
}

/** Claims the key in the caller's transaction; a concurrent duplicate fails on the primary key. */
export async function claimIdempotent(
  db: Executor,
  entry: { callerId: string; scope: string; key: string; status: number; body: unknown },
  now: number,
  notBefore: number,
): Promise<void> {
  await db
    .deleteFrom('idempotency_keys')
    .where('caller_id', '=', entry.callerId)
    .where('scope', '=', entry.scope)
    .where('key', '=', entry.key)
    .where('created_at', '<', notBefore)
    .execute();
  await db
    .insertInto('idempotency_keys')
    .values({
      caller_id: entry.callerId,
      scope: entry.scope,
      key: entry.key,
      status: entry.status,
      response: JSON.stringify(entry.body),
      created_at: now,
    })
    .execute();
}

export async function purgeIdempotent(db: Executor, before: number): Promise<number> {
  const res = await db.deleteFrom('idempotency_keys').where('created_at', '<', before).executeTakeFirst();
  return Number(res.numDeletedRows);
}
