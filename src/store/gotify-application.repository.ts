import type { Insertable, Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { GotifyApplicationTable } from './gotify.table.ts';

export type GotifyApplicationRow = Selectable<GotifyApplicationTable>;

/** An application with what Gotify shows of it: its bucket's name and the caller's permission. */
export interface GotifyApplicationView extends GotifyApplicationRow {
  name: string;
  description: string | null;
  icon: string | null;
  /** The caller's permission on the bucket. */
  permission: string;
  owner_id: string;
  last_used_at: number | null;
}

function visibleTo(db: Executor, userId: string) {
  return db
    .selectFrom('gotify_applications as a')
    .innerJoin('buckets as b', 'b.id', 'a.bucket_id')
    .innerJoin('bucket_members as bm', (j) =>
      j.onRef('bm.bucket_id', '=', 'a.bucket_id').on('bm.user_id', '=', userId),
    )
    .innerJoin('access_tokens as t', 't.id', 'a.token_id')
    .selectAll('a')
    .select(['b.name', 'b.description', 'b.icon', 'b.owner_id', 'bm.permission', 't.last_used_at']);
}

export async function insertGotifyApplication(
  db: Executor,
  row: Insertable<GotifyApplicationTable>,
): Promise<number> {
  const res = await db
    .insertInto('gotify_applications')
    .values(row)
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(res.id);
}

/** The applications of every bucket the user belongs to, oldest first. */
export async function listGotifyApplicationsForUser(
  db: Executor,
  userId: string,
): Promise<GotifyApplicationView[]> {
  return visibleTo(db, userId).orderBy('a.id').execute();
}

export async function getGotifyApplicationForUser(
  db: Executor,
  id: number,
  userId: string,
): Promise<GotifyApplicationView | undefined> {
  return visibleTo(db, userId).where('a.id', '=', id).executeTakeFirst();
}

export async function findGotifyApplicationByToken(
  db: Executor,
  tokenId: string,
): Promise<GotifyApplicationRow | undefined> {
  return db.selectFrom('gotify_applications').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
}

export async function findGotifyApplicationByBucket(
  db: Executor,
  bucketId: string,
): Promise<GotifyApplicationRow | undefined> {
  return db
    .selectFrom('gotify_applications')
    .selectAll()
    .where('bucket_id', '=', bucketId)
    .executeTakeFirst();
}

export async function setGotifyDefaultPriority(db: Executor, id: number, priority: number): Promise<void> {
  await db
    .updateTable('gotify_applications')
    .set({ default_priority: priority })
    .where('id', '=', id)
    .execute();
}

export async function deleteGotifyApplication(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('gotify_applications').where('id', '=', id).execute();
}
