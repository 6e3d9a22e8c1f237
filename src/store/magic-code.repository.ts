import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { BucketMagicCodeTable } from './message.table.ts';

export type MagicCodeRow = Selectable<BucketMagicCodeTable>;

/**
 * Tries before giving up on a fresh code. With 2^32 codes a second collision in a row means
 * the code space is nearly full, not bad luck.
 */
const MAX_TRIES = 5;

/**
 * The membership's code, creating one when it has none. A collision with another membership's
 * code is skipped by the insert (`on conflict do nothing`, so a PostgreSQL transaction shared by
 * a group commit is not aborted) and a new code is drawn. The membership row must exist.
 */
export async function ensureMagicCode(
  db: Executor,
  bucketId: string,
  userId: string,
  now: number,
  generate: () => string,
): Promise<MagicCodeRow> {
  for (let i = 0; i < MAX_TRIES; i++) {
    const row: MagicCodeRow = { code: generate(), bucket_id: bucketId, user_id: userId, created_at: now };
    const res = await db
      .insertInto('bucket_magic_codes')
      .values(row)
      .onConflict((oc) => oc.doNothing())
      .executeTakeFirst();
    if (Number(res.numInsertedOrUpdatedRows ?? 0) > 0) return row;
    // Nothing inserted: either the membership has its code already, or the code was taken.
    const existing = await getMagicCode(db, bucketId, userId);
    if (existing) return existing;
  }
  throw new Error(`No free magic code after ${MAX_TRIES} tries.`);
}

/** The membership's code, if it has one. */
export async function getMagicCode(
  db: Executor,
  bucketId: string,
  userId: string,
): Promise<MagicCodeRow | undefined> {
  return db
    .selectFrom('bucket_magic_codes')
    .selectAll()
    .where('bucket_id', '=', bucketId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
}

/** Who a code belongs to: the membership it was made for (the membership must still exist). */
export async function findMagicCode(db: Executor, code: string): Promise<MagicCodeRow | undefined> {
  return db
    .selectFrom('bucket_magic_codes')
    .innerJoin('bucket_members', (j) =>
      j
        .onRef('bucket_members.bucket_id', '=', 'bucket_magic_codes.bucket_id')
        .onRef('bucket_members.user_id', '=', 'bucket_magic_codes.user_id'),
    )
    .selectAll('bucket_magic_codes')
    .where('bucket_magic_codes.code', '=', code)
    .executeTakeFirst();
}

/** Removes the membership's code (the membership is leaving, or a new code replaces it). */
export async function deleteMagicCode(db: Executor, bucketId: string, userId: string): Promise<void> {
  await db
    .deleteFrom('bucket_magic_codes')
    .where('bucket_id', '=', bucketId)
    .where('user_id', '=', userId)
    .execute();
}

/** Removes every code of a bucket (the bucket is being deleted). */
export async function deleteBucketMagicCodes(db: Executor, bucketId: string): Promise<void> {
  await db.deleteFrom('bucket_magic_codes').where('bucket_id', '=', bucketId).execute();
}
