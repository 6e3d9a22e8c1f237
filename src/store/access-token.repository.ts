import { type Insertable, type Selectable, sql } from 'kysely';
import type { AccessTokenTable } from './access-token.table.ts';
import type { Executor } from './database.ts';

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

/** Writes the last-used times gathered since the previous flush, one statement per token. */
/** Tokens updated per statement by touchAccessTokens. */
const TOUCH_CHUNK = 500;

/**
 * Sets last-used times, TOUCH_CHUNK tokens per statement: 10k watchers connecting with 10k
 * tokens were 10k statements, which held the writer for seconds.
 */
export async function touchAccessTokens(db: Executor, lastUsed: ReadonlyMap<string, number>): Promise<void> {
  const all = [...lastUsed];
  for (let i = 0; i < all.length; i += TOUCH_CHUNK) {
    const part = all.slice(i, i + TOUCH_CHUNK);
    const at = sql<number>`case ${sql.join(
      part.map(([id, t]) => sql`when ${sql.ref('id')} = ${id} then cast(${t} as bigint)`),
      sql` `,
    )} end`;
    await db
      .updateTable('access_tokens')
      .set({ last_used_at: at })
      .where(
        'id',
        'in',
        part.map(([id]) => id),
      )
      .execute();
  }
}
