import type { Executor } from './database.ts';

/** The user's Gotify number, if one was handed out. */
export async function findGotifyUserId(db: Executor, userId: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('gotify_users')
    .select('id')
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row ? Number(row.id) : undefined;
}

/** Hands out the user's Gotify number once; a concurrent second call changes nothing. */
export async function insertGotifyUser(db: Executor, userId: string): Promise<void> {
  await db
    .insertInto('gotify_users')
    .values({ user_id: userId })
    .onConflict((oc) => oc.column('user_id').doNothing())
    .execute();
}
