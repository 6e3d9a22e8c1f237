import type { Executor } from './database.ts';

/** One inbox item as a Gotify client sees it: the message, its number and its application. */
export interface GotifyMessageRow {
  id: number;
  app_id: number;
  message_id: string;
  bucket_id: string | null;
  title: string;
  subtitle: string | null;
  body: string | null;
  delivery_type: string;
  tap_action: string | null;
  attachments: string;
  created_at: number;
  priority: number | null;
  extras: string | null;
}

/**
 * The user's inbox items in buckets that have a Gotify application and that the user still
 * belongs to (so every `appid` a client sees is in its application list).
 */
function visibleTo(db: Executor, userId: string) {
  return db
    .selectFrom('notifications as n')
    .innerJoin('messages as m', 'm.id', 'n.message_id')
    .innerJoin('gotify_messages as g', 'g.message_id', 'n.message_id')
    .innerJoin('gotify_applications as a', 'a.bucket_id', 'n.bucket_id')
    .innerJoin('bucket_members as bm', (j) =>
      j.onRef('bm.bucket_id', '=', 'n.bucket_id').on('bm.user_id', '=', userId),
    )
    .select([
      'g.id',
      'a.id as app_id',
      'n.message_id',
      'n.bucket_id',
      'm.title',
      'm.subtitle',
      'm.body',
      'm.delivery_type',
      'm.tap_action',
      'm.attachments',
      'm.created_at',
      'g.priority',
      'g.extras',
    ])
    .where('n.user_id', '=', userId)
    .where('n.archived_at', 'is', null);
}

/** Records what a Gotify sender gave beside the core message, in the message's transaction. */
export async function setGotifyMessageMeta(
  db: Executor,
  messageId: string,
  meta: { priority: number; extras: string | null },
): Promise<number> {
  const row = await db
    .updateTable('gotify_messages')
    .set(meta)
    .where('message_id', '=', messageId)
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** Newest first: numbers below `since` (0: from the newest), optionally of one application. */
export async function listGotifyMessages(
  db: Executor,
  userId: string,
  opts: { since: number; limit: number; appId?: number; bucketIds?: readonly string[] },
): Promise<GotifyMessageRow[]> {
  let q = visibleTo(db, userId);
  if (opts.bucketIds) q = q.where('n.bucket_id', 'in', opts.bucketIds.length > 0 ? opts.bucketIds : ['']);
  if (opts.since > 0) q = q.where('g.id', '<', opts.since);
  if (opts.appId !== undefined) q = q.where('a.id', '=', opts.appId);
  return q.orderBy('g.id', 'desc').limit(opts.limit).execute();
}

export async function getGotifyMessageByNotification(
  db: Executor,
  userId: string,
  notificationId: string,
): Promise<GotifyMessageRow | undefined> {
  return visibleTo(db, userId).where('n.id', '=', notificationId).executeTakeFirst();
}

/**
 * Removes the user's inbox item of message number `id` (within `bucketIds` when given); false
 * when the user has none.
 */
export async function deleteGotifyMessageForUser(
  db: Executor,
  userId: string,
  id: number,
  bucketIds: readonly string[] | null,
): Promise<boolean> {
  let q = db.deleteFrom('notifications');
  if (bucketIds) q = q.where('bucket_id', 'in', bucketIds.length > 0 ? bucketIds : ['']);
  const res = await q
    .where('user_id', '=', userId)
    .where('message_id', 'in', db.selectFrom('gotify_messages').select('message_id').where('id', '=', id))
    .where('bucket_id', 'in', db.selectFrom('gotify_applications').select('bucket_id'))
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Removes the user's inbox items in every Gotify application's bucket (or in `bucketIds`). */
export async function deleteGotifyMessagesForUser(
  db: Executor,
  userId: string,
  bucketIds: readonly string[] | null,
): Promise<number> {
  let q = db
    .deleteFrom('notifications')
    .where('user_id', '=', userId)
    .where('bucket_id', 'in', db.selectFrom('gotify_applications').select('bucket_id'));
  if (bucketIds) q = q.where('bucket_id', 'in', bucketIds.length > 0 ? bucketIds : ['']);
  const res = await q.executeTakeFirst();
  return Number(res.numDeletedRows);
}
