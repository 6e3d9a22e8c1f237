import type { Kysely } from 'kysely';

/**
 * The ntfy family. A topic is a bucket seen through ntfy, named by ntfy's topic-name rules
 * (names are global there, while bucket names are per owner); each topic may allow anonymous
 * reading or publishing, off by default.
 *
 * A message published through ntfy keeps what ntfy clients read back (exact priority, tags,
 * click URL, icon, actions in ntfy's form, attachment, content type) beside the core message,
 * written in the message's transaction. Messages from other families have no row and are
 * mapped from the core message. ntfy message ids come from the bucket message numbers that
 * 0006 gives every bucket message, so any message can be named in `since=<id>`.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('ntfy_topics')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('bucket_id', 'text', (c) => c.notNull().unique().references('buckets.id').onDelete('cascade'))
    .addColumn('anonymous_read', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('anonymous_write', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('ntfy_messages')
    .addColumn('message_id', 'text', (c) => c.primaryKey().references('messages.id').onDelete('cascade'))
    .addColumn('title', 'text')
    .addColumn('message', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('tags', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('click', 'text')
    .addColumn('icon', 'text')
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('attachment', 'text')
    .addColumn('content_type', 'text')
    .execute();
}
