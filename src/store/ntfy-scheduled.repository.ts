import type { Executor, StoreKind } from './database.ts';

export interface NtfyScheduledRow {
  id: number;
  topic: string;
  bucket_id: string;
  sender_id: string | null;
  due_at: number;
  input: string;
  created_at: number;
}

export async function insertNtfyScheduled(
  db: Executor,
  row: { topic: string; sender_id: string | null; due_at: number; input: string; created_at: number },
): Promise<number> {
  const r = await db.insertInto('ntfy_scheduled').values(row).returning('id').executeTakeFirstOrThrow();
  return Number(r.id);
}

const withBucket = (db: Executor) =>
  db
    .selectFrom('ntfy_scheduled as s')
    .innerJoin('ntfy_topics as t', 't.name', 's.topic')
    .select(['s.id', 's.topic', 't.bucket_id', 's.sender_id', 's.due_at', 's.input', 's.created_at']);

const numbered = (rows: NtfyScheduledRow[]) =>
  rows.map((r) => ({ ...r, id: Number(r.id), due_at: Number(r.due_at), created_at: Number(r.created_at) }));

/** The topics' publishes still waiting, soonest first (for `scheduled=1`). */
export async function listNtfyScheduled(
  db: Executor,
  topics: readonly string[],
): Promise<NtfyScheduledRow[]> {
  if (topics.length === 0) return [];
  return numbered(
    await withBucket(db).where('s.topic', 'in', topics).orderBy('s.due_at').orderBy('s.id').execute(),
  );
}

/**
 * Takes up to `limit` publishes due at `now` out of the table, inside the caller's transaction;
 * on PostgreSQL rows another process is taking are skipped, so each is published once.
 */
export async function takeDueNtfyScheduled(
  tx: Executor,
  kind: StoreKind,
  now: number,
  limit: number,
): Promise<NtfyScheduledRow[]> {
  let q = withBucket(tx).where('s.due_at', '<=', now).orderBy('s.due_at').orderBy('s.id').limit(limit);
  if (kind === 'postgres') q = q.forUpdate('s').skipLocked();
  const rows = numbered(await q.execute());
  if (rows.length > 0) {
    await tx
      .deleteFrom('ntfy_scheduled')
      .where(
        'id',
        'in',
        rows.map((r) => r.id),
      )
      .execute();
  }
  return rows;
}

/** ms of the earliest waiting publish, if any. */
export async function nextNtfyDue(db: Executor): Promise<number | undefined> {
  const r = await db
    .selectFrom('ntfy_scheduled')
    .select((eb) => eb.fn.min('due_at').as('due'))
    .executeTakeFirst();
  return r?.due == null ? undefined : Number(r.due);
}
