import type { Selectable } from 'kysely';
import { newMagicCode } from '../domain/magic-code.ts';
import type { Executor } from './database.ts';
import { deleteBucketMagicCodes, deleteMagicCode, ensureMagicCode } from './magic-code.repository.ts';
import type { BucketTable } from './message.table.ts';
import { preparedQuery, rowsOf } from './prepared-query.ts';

export type BucketRow = Selectable<BucketTable>;
export type BucketWithPermission = BucketRow & { permission: string | null };

export async function insertBucket(db: Executor, row: BucketRow, ownerPermission: string): Promise<void> {
  await db.insertInto('buckets').values(row).execute();
  await db
    .insertInto('bucket_members')
    .values({
      bucket_id: row.id,
      user_id: row.owner_id,
      permission: ownerPermission,
      created_at: row.created_at,
    })
    .execute();
  // Every membership has its magic code from the start.
  await ensureMagicCode(db, row.id, row.owner_id, row.created_at, newMagicCode);
}

export async function getBucket(db: Executor, id: string): Promise<BucketRow | undefined> {
  return db.selectFrom('buckets').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A bucket by id with the user's permission on it (null when not a member), in one query. */
/** Every message send asks this first, so it is built once (see prepared-query.ts). */
const bucketForUser = preparedQuery((db, v: { id: string; userId: string }) =>
  db
    .selectFrom('buckets')
    .leftJoin('bucket_members', (j) =>
      j.onRef('bucket_members.bucket_id', '=', 'buckets.id').on('bucket_members.user_id', '=', v.userId),
    )
    .selectAll('buckets')
    .select('bucket_members.permission')
    .where('buckets.id', '=', v.id),
);

export async function getBucketForUser(
  db: Executor,
  id: string,
  userId: string,
): Promise<BucketWithPermission | undefined> {
  return (await rowsOf(db, bucketForUser(db, { id, userId })))[0];
}

/** Buckets with a given name that the user owns or belongs to (names are unique per owner only). */
export async function findBucketsByName(
  db: Executor,
  name: string,
  userId: string,
): Promise<BucketWithPermission[]> {
  return db
    .selectFrom('buckets')
    .innerJoin('bucket_members', (j) =>
      j.onRef('bucket_members.bucket_id', '=', 'buckets.id').on('bucket_members.user_id', '=', userId),
    )
    .selectAll('buckets')
    .select('bucket_members.permission')
    .where('buckets.name', '=', name)
    .execute();
}

export async function findBucketsByNameAny(db: Executor, name: string): Promise<BucketRow[]> {
  return db.selectFrom('buckets').selectAll().where('name', '=', name).limit(2).execute();
}

export async function memberPermission(
  db: Executor,
  bucketId: string,
  userId: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('bucket_members')
    .select('permission')
    .where('bucket_id', '=', bucketId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.permission ?? null;
}

export async function listBucketsForUser(db: Executor, userId: string): Promise<BucketWithPermission[]> {
  return db
    .selectFrom('buckets')
    .innerJoin('bucket_members', 'bucket_members.bucket_id', 'buckets.id')
    .selectAll('buckets')
    .select('bucket_members.permission')
    .where('bucket_members.user_id', '=', userId)
    .orderBy('buckets.name')
    .orderBy('buckets.id')
    .execute();
}

export async function listAllBuckets(db: Executor): Promise<BucketRow[]> {
  return db.selectFrom('buckets').selectAll().orderBy('name').orderBy('id').execute();
}

export async function updateBucket(
  db: Executor,
  id: string,
  patch: Partial<Pick<BucketRow, 'name' | 'description' | 'icon' | 'color' | 'updated_at'>>,
): Promise<void> {
  await db.updateTable('buckets').set(patch).where('id', '=', id).execute();
}

export async function deleteBucket(db: Executor, id: string): Promise<void> {
  // Notifications reference messages with ON DELETE CASCADE; delete them first explicitly so
  // SQLite (foreign keys on) and PostgreSQL behave the same.
  await db.deleteFrom('notifications').where('bucket_id', '=', id).execute();
  await db.deleteFrom('messages').where('bucket_id', '=', id).execute();
  await db.deleteFrom('bucket_invites').where('bucket_id', '=', id).execute();
  await deleteBucketMagicCodes(db, id);
  await db.deleteFrom('bucket_members').where('bucket_id', '=', id).execute();
  await db.deleteFrom('buckets').where('id', '=', id).execute();
}

export interface MemberRow {
  user_id: string;
  permission: string;
  created_at: number;
  email: string | null;
  username: string | null;
}

export async function listMembers(db: Executor, bucketId: string): Promise<MemberRow[]> {
  return db
    .selectFrom('bucket_members')
    .innerJoin('users', 'users.id', 'bucket_members.user_id')
    .select([
      'bucket_members.user_id',
      'bucket_members.permission',
      'bucket_members.created_at',
      'users.email',
      'users.username',
    ])
    .where('bucket_members.bucket_id', '=', bucketId)
    .orderBy('bucket_members.created_at')
    .execute();
}

export async function upsertMember(
  db: Executor,
  bucketId: string,
  userId: string,
  permission: string,
  now: number,
): Promise<void> {
  await db
    .insertInto('bucket_members')
    .values({ bucket_id: bucketId, user_id: userId, permission, created_at: now })
    .onConflict((oc) => oc.columns(['bucket_id', 'user_id']).doUpdateSet({ permission }))
    .execute();
  // A new member gets a code; an existing member keeps theirs when the permission changes.
  await ensureMagicCode(db, bucketId, userId, now, newMagicCode);
}

/** Removes a membership and its magic code, which stops working at once. */
export async function removeMember(db: Executor, bucketId: string, userId: string): Promise<boolean> {
  await deleteMagicCode(db, bucketId, userId);
  const res = await db
    .deleteFrom('bucket_members')
    .where('bucket_id', '=', bucketId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Resolves user refs (ids or usernames) to the ids of those who are members of the bucket. */
export async function memberIdsByRefs(
  db: Executor,
  bucketId: string,
  refs: readonly string[],
): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  if (refs.length === 0) return out;
  const rows = await db
    .selectFrom('bucket_members')
    .innerJoin('users', 'users.id', 'bucket_members.user_id')
    .select(['users.id', 'users.username', 'users.email'])
    .where('bucket_members.bucket_id', '=', bucketId)
    .where((eb) =>
      eb.or([eb('users.id', 'in', refs), eb('users.username', 'in', refs), eb('users.email', 'in', refs)]),
    )
    .execute();
  for (const r of rows) {
    out.set(r.id, r.id);
    if (r.username) out.set(r.username, r.id);
    if (r.email) out.set(r.email, r.id);
  }
  return out;
}

export interface InviteRow {
  id: string;
  bucket_id: string;
  user_id: string;
  permission: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
}

/** Creates or renews the pending invite of a user to a bucket. */
export async function upsertInvite(db: Executor, row: InviteRow): Promise<void> {
  await db
    .insertInto('bucket_invites')
    .values(row)
    .onConflict((oc) =>
      oc.columns(['bucket_id', 'user_id']).doUpdateSet({
        permission: row.permission,
        invited_by: row.invited_by,
        created_at: row.created_at,
        expires_at: row.expires_at,
      }),
    )
    .execute();
}

export async function getInvite(db: Executor, id: string): Promise<InviteRow | undefined> {
  return db.selectFrom('bucket_invites').selectAll().where('id', '=', id).executeTakeFirst();
}

export interface InviteWithBucket extends InviteRow {
  bucket_name: string;
}

/** A user's unexpired invites, with the bucket's name. */
export async function listInvitesForUser(
  db: Executor,
  userId: string,
  now: number,
): Promise<InviteWithBucket[]> {
  return db
    .selectFrom('bucket_invites')
    .innerJoin('buckets', 'buckets.id', 'bucket_invites.bucket_id')
    .selectAll('bucket_invites')
    .select('buckets.name as bucket_name')
    .where('bucket_invites.user_id', '=', userId)
    .where('bucket_invites.expires_at', '>', now)
    .orderBy('bucket_invites.created_at')
    .execute();
}

export async function listInvitesForBucket(
  db: Executor,
  bucketId: string,
  now: number,
): Promise<InviteWithBucket[]> {
  return db
    .selectFrom('bucket_invites')
    .innerJoin('buckets', 'buckets.id', 'bucket_invites.bucket_id')
    .selectAll('bucket_invites')
    .select('buckets.name as bucket_name')
    .where('bucket_invites.bucket_id', '=', bucketId)
    .where('bucket_invites.expires_at', '>', now)
    .orderBy('bucket_invites.created_at')
    .execute();
}

export async function deleteInvite(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom('bucket_invites').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
