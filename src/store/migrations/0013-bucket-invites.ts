import type { Kysely } from 'kysely';

/**
 * Bucket invites: a bucket admin who is not a server admin cannot add a member directly; the
 * user is invited and becomes a member only when they accept. One pending invite per
 * (bucket, user); an invite past `expires_at` can no longer be accepted.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bucket_invites')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bucket_id', 'text', (c) => c.notNull().references('buckets.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('invited_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addUniqueConstraint('bucket_invites_bucket_user', ['bucket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('bucket_invites_user').on('bucket_invites').column('user_id').execute();
}
