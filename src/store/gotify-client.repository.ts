import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { GotifyClientTable } from './gotify.table.ts';

export type GotifyClientRow = Selectable<GotifyClientTable> & { last_used_at: number | null };

function clientsOf(db: Executor, userId: string) {
  return db
    .selectFrom('gotify_clients as c')
    .innerJoin('access_tokens as t', 't.id', 'c.token_id')
    .selectAll('c')
    .select('t.last_used_at')
    .where('c.user_id', '=', userId)
    .where('t.revoked_at', 'is', null);
}

export async function insertGotifyClient(db: Executor, row: Insertable<GotifyClientTable>): Promise<number> {
  const res = await db.insertInto('gotify_clients').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(res.id);
}

/** The user's clients whose tokens are still valid, oldest first. */
export async function listGotifyClients(db: Executor, userId: string): Promise<GotifyClientRow[]> {
  return clientsOf(db, userId).orderBy('c.id').execute();
}

export async function getGotifyClient(
  db: Executor,
  id: number,
  userId: string,
): Promise<GotifyClientRow | undefined> {
  return clientsOf(db, userId).where('c.id', '=', id).executeTakeFirst();
}

export async function findGotifyClientByToken(
  db: Executor,
  tokenId: string,
): Promise<Selectable<GotifyClientTable> | undefined> {
  return db.selectFrom('gotify_clients').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
}

export async function renameGotifyClient(db: Executor, id: number, name: string): Promise<void> {
  await db.updateTable('gotify_clients').set({ name }).where('id', '=', id).execute();
}

export async function deleteGotifyClient(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('gotify_clients').where('id', '=', id).execute();
}
