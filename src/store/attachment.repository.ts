import type { Selectable } from 'kysely';
import type { Executor } from './database.ts';
import type { AttachmentTable } from './message.table.ts';

export type AttachmentRow = Selectable<AttachmentTable>;

export async function insertAttachment(db: Executor, row: AttachmentRow): Promise<void> {
  await db.insertInto('attachments').values(row).execute();
}

export async function getAttachments(db: Executor, ids: readonly string[]): Promise<AttachmentRow[]> {
  if (ids.length === 0) return [];
  return db.selectFrom('attachments').selectAll().where('id', 'in', ids).execute();
}

/** Whether the user may download: the uploader, the message's sender, or one of its recipients. */
export async function canReadAttachment(db: Executor, att: AttachmentRow, userId: string): Promise<boolean> {
  if (att.owner_id === userId) return true;
  // Any message it was sent with counts: its sender and its recipients may read it.
  const row = await db
    .selectFrom('message_attachments as ma')
    .innerJoin('messages as m', 'm.id', 'ma.message_id')
    .leftJoin('notifications as n', (j) => j.onRef('n.message_id', '=', 'm.id').on('n.user_id', '=', userId))
    .select('ma.message_id')
    .where('ma.attachment_id', '=', att.id)
    .where((eb) => eb.or([eb('m.sender_id', '=', userId), eb('n.id', 'is not', null)]))
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
