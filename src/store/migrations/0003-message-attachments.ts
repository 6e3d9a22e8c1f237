import { type Kysely, sql } from 'kysely';

/**
 * An attachment may be sent with several messages (by `attachmentUuid`); each message's
 * recipients may download it. `attachments.message_id` stays as the first message.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('message_attachments')
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('attachment_id', 'text', (c) => c.notNull().references('attachments.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('message_attachments_pk', ['message_id', 'attachment_id'])
    .execute();
  await db.schema
    .createIndex('message_attachments_attachment_idx')
    .on('message_attachments')
    .column('attachment_id')
    .execute();
  await sql`insert into message_attachments (message_id, attachment_id)
            select message_id, id from attachments where message_id is not null`.execute(db);
}
