import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { NtfyTopicTable } from './ntfy.table.ts';

export type NtfyTopicRow = Selectable<NtfyTopicTable> & { owner_id: string };

const withOwner = (db: Executor) =>
  db
    .selectFrom('ntfy_topics as t')
    .innerJoin('buckets as b', 'b.id', 't.bucket_id')
    .select(['t.name', 't.bucket_id', 't.anonymous_read', 't.anonymous_write', 't.created_at', 'b.owner_id']);

export async function getNtfyTopics(db: Executor, names: readonly string[]): Promise<NtfyTopicRow[]> {
  if (names.length === 0) return [];
  return withOwner(db).where('t.name', 'in', names).execute();
}

export async function getNtfyTopicByBucket(
  db: Executor,
  bucketId: string,
): Promise<NtfyTopicRow | undefined> {
  return withOwner(db).where('t.bucket_id', '=', bucketId).executeTakeFirst();
}

export async function insertNtfyTopic(db: Executor, row: Selectable<NtfyTopicTable>): Promise<void> {
  await db.insertInto('ntfy_topics').values(row).execute();
}

export async function setNtfyTopicAccess(
  db: Executor,
  name: string,
  access: { anonymous_read: number; anonymous_write: number },
): Promise<void> {
  await db.updateTable('ntfy_topics').set(access).where('name', '=', name).execute();
}
