import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { AuthSessionTable, RefreshTokenTable } from './user.table.ts';

export type RefreshTokenRow = Selectable<RefreshTokenTable> & { user_id: string; revoked_at: number | null };

export async function insertSession(db: Executor, row: Insertable<AuthSessionTable>): Promise<void> {
  await db.insertInto('auth_sessions').values(row).execute();
}

export async function insertRefreshToken(db: Executor, row: Insertable<RefreshTokenTable>): Promise<void> {
  await db.insertInto('refresh_tokens').values(row).execute();
}

export async function findRefreshToken(
  db: Executor,
  tokenHash: string,
): Promise<RefreshTokenRow | undefined> {
  return db
    .selectFrom('refresh_tokens')
    .innerJoin('auth_sessions', 'auth_sessions.id', 'refresh_tokens.session_id')
    .selectAll('refresh_tokens')
    .select(['auth_sessions.user_id', 'auth_sessions.revoked_at'])
    .where('refresh_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

/** Marks a refresh token spent; false if it was already spent (a concurrent or replayed use). */
export async function spendRefreshToken(db: Executor, id: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('refresh_tokens')
    .set({ used_at: now })
    .where('id', '=', id)
    .where('used_at', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

export async function revokeSession(db: Executor, sessionId: string, now: number): Promise<void> {
  await db
    .updateTable('auth_sessions')
    .set({ revoked_at: now })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .execute();
}

export async function isSessionActive(db: Executor, sessionId: string): Promise<boolean> {
  const row = await db
    .selectFrom('auth_sessions')
    .select('revoked_at')
    .where('id', '=', sessionId)
    .executeTakeFirst();
  return row !== undefined && row.revoked_at === null;
}
