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
  if (!att.message_id) return false;
  const row = await db
    .selectFrom('messages')
    .leftJoin('notifications', (j) =>
      j.onRef('notifications.message_id', '=', 'messages.id').on('notifications.user_id', '=', userId),
    )
    .select(['messages.sender_id', 'notifications.id as nid'])
    .where('messages.id', '=', att.message_id)
    .executeTakeFirst();
  return row !== undefined && (row.sender_id === userId || row.nid !== null);
}
