import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { NtfyMessageTable } from './ntfy.table.ts';

/** A bucket message as an ntfy subscriber sees it: its number, topic, core fields and ntfy's. */
export interface NtfyMessageRow {
  number: number;
  message_id: string;
  topic: string;
  title: string;
  subtitle: string | null;
  body: string | null;
  delivery_type: string;
  tap_action: string | null;
  attachments: string;
  actions: string;
  created_at: number;
  ntfy_title: string | null;
  ntfy_message: string | null;
  ntfy_priority: number | null;
  ntfy_tags: string | null;
  ntfy_click: string | null;
  ntfy_icon: string | null;
  ntfy_actions: string | null;
  ntfy_attachment: string | null;
  ntfy_content_type: string | null;
}

/** Records what an ntfy publisher gave beside the core message, in the message's transaction. */
export async function insertNtfyMessage(db: Executor, row: Selectable<NtfyMessageTable>): Promise<number> {
  await db.insertInto('ntfy_messages').values(row).execute();
  const numbered = await db
    .selectFrom('gotify_messages')
    .select('id')
    .where('message_id', '=', row.message_id)
    .executeTakeFirstOrThrow();
  return Number(numbered.id);
}

// Bucket message numbers come from 0006's gotify_messages (every bucket message has one).
const topicMessages = (db: Executor) =>
  db
    .selectFrom('messages as m')
    .innerJoin('gotify_messages as g', 'g.message_id', 'm.id')
    .innerJoin('ntfy_topics as t', 't.bucket_id', 'm.bucket_id')
    .leftJoin('ntfy_messages as x', 'x.message_id', 'm.id')
    .select([
      'g.id as number',
      'm.id as message_id',
      't.name as topic',
      'm.title',
      'm.subtitle',
      'm.body',
      'm.delivery_type',
      'm.tap_action',
      'm.attachments',
      'm.actions',
      'm.created_at',
      'x.title as ntfy_title',
      'x.message as ntfy_message',
      'x.priority as ntfy_priority',
      'x.tags as ntfy_tags',
      'x.click as ntfy_click',
      'x.icon as ntfy_icon',
      'x.actions as ntfy_actions',
      'x.attachment as ntfy_attachment',
      'x.content_type as ntfy_content_type',
    ]);

const numbered = (rows: NtfyMessageRow[]) => rows.map((r) => ({ ...r, number: Number(r.number) }));

/** Messages of the buckets, oldest first: after number `afterNumber`, or from `fromMs` on. */
export async function listNtfyMessages(
  db: Executor,
  bucketIds: readonly string[],
  opts: { afterNumber?: number; fromMs?: number; limit: number; latest?: boolean },
): Promise<NtfyMessageRow[]> {
  if (bucketIds.length === 0) return [];
  let q = topicMessages(db).where('m.bucket_id', 'in', bucketIds);
  if (opts.afterNumber !== undefined) q = q.where('g.id', '>', opts.afterNumber);
  if (opts.fromMs !== undefined) q = q.where('m.created_at', '>=', opts.fromMs);
  if (opts.latest) return numbered(await q.orderBy('g.id', 'desc').limit(1).execute());
  const rows = await q.orderBy('g.id', 'desc').limit(opts.limit).execute();
  return numbered(rows).reverse();
}

export async function getNtfyMessageByNotification(
  db: Executor,
  notificationId: string,
): Promise<NtfyMessageRow | undefined> {
  const row = await topicMessages(db)
    .innerJoin('notifications as n', 'n.message_id', 'm.id')
    .where('n.id', '=', notificationId)
    .executeTakeFirst();
  return row ? { ...row, number: Number(row.number) } : undefined;
}
