import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { BucketChannelTable } from './delivery.table.ts';

/** A bucket's default outside channels (see services/bucket-channel.service.ts). */
export type BucketChannelRow = Selectable<BucketChannelTable>;

export async function bucketNameOf(db: Executor, bucketId: string): Promise<string | undefined> {
  const row = await db.selectFrom('buckets').select('name').where('id', '=', bucketId).executeTakeFirst();
  return row?.name;
}
