import { type Insertable, type Selectable, sql } from 'kysely';
import type { AccessTokenTable } from './access-token.table.ts';
import type { Executor, StoreKind } from './database.ts';

export type AccessTokenRow = Selectable<AccessTokenTable>;
export type AccessTokenWithUser = AccessTokenRow & { email: string | null; username: string | null };

export async function insertAccessToken(db: Executor, row: Insertable<AccessTokenTable>): Promise<void> {
  await db.insertInto('access_tokens').values(row).execute();
}

/** Looks a presented token up by its hash (unique index), with its owner. */
export async function findAccessTokenByHash(
  db: Executor,
  hash: string,
): Promise<AccessTokenWithUser | undefined> {
  return db
    .selectFrom('access_tokens')
    .innerJoin('users', 'users.id', 'access_tokens.user_id')
    .selectAll('access_tokens')
    .select(['users.email', 'users.username'])
    .where('access_tokens.token_hash', '=', hash)
    .executeTakeFirst();
}

export async function listAccessTokens(db: Executor, userId: string): Promise<AccessTokenRow[]> {
  return db
    .selectFrom('access_tokens')
    .selectAll()
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .orderBy('created_at', 'desc')
    .execute();
}

export async function revokeAccessToken(
  db: Executor,
  id: string,
  userId: string,
  now: number,
): Promise<boolean> {
  const res = await db
    .updateTable('access_tokens')
    .set({ revoked_at: now })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/**
 * Sets last-used times in one statement, from one bound list: 10k watchers connecting with
 * 10k tokens were 10k statements, each a round trip to the SQLite writer thread while it
 * held the writer, for seconds.
 */
export async function touchAccessTokens(
  db: Executor,
  kind: StoreKind,
  lastUsed: ReadonlyMap<string, number>,
): Promise<void> {
  if (lastUsed.size === 0) return;
  if (kind === 'postgres') {
    await sql`update access_tokens as a set last_used_at = v.at
      from unnest(cast(${[...lastUsed.keys()]} as text[]), cast(${[...lastUsed.values()]} as bigint[])) as v(id, at)
      where a.id = v.id`.execute(db);
    return;
  }
  await sql`update access_tokens set last_used_at = j.value ->> 1
    from json_each(${JSON.stringify([...lastUsed])}) as j
    where access_tokens.id = j.value ->> 0`.execute(db);
}
