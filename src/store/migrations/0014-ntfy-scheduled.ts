import { type Kysely, PostgresAdapter } from 'kysely';

/**
 * ntfy's scheduled delivery (`X-Delay`, `X-At`, `X-In`): a publish held until its time, as
 * ntfy holds it in its message cache. Nothing of it is a message yet — no inbox item, no
 * delivery — until the scheduler writes it through the one write path when it is due (and
 * deletes the row in that same transaction, so it is published once).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const table = postgres
    ? db.schema
        .createTable('ntfy_scheduled')
        .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
    : db.schema
        .createTable('ntfy_scheduled')
        .addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());
  await table
    .addColumn('topic', 'text', (c) => c.notNull().references('ntfy_topics.name').onDelete('cascade'))
    .addColumn('sender_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('due_at', 'bigint', (c) => c.notNull())
    // The publish as given (NtfyPublishInput without a file body), JSON.
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ntfy_scheduled_due_idx').on('ntfy_scheduled').column('due_at').execute();
}
