import { type Kysely, sql } from 'kysely';

/**
 * Unread counts from the index alone. `notifications_user_read_idx` (user_id, read_at) found a
 * user's unread items but had to visit each row for `archived_at`, `held_since` and
 * `snoozed_until`; counting the unread items of the 10k watchers one bucket message wakes
 * spent most of its time on those visits. This index holds only the items still unread and not
 * held (it shrinks as items are read) with the other two columns in it, so a count is one seek
 * per user, and marking all read finds its rows the same way.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('notifications_unread_idx')
    .on('notifications')
    .columns(['user_id', 'archived_at', 'snoozed_until'])
    .where(sql<boolean>`read_at is null and held_since is null`)
    .execute();
  await db.schema.dropIndex('notifications_user_read_idx').execute();
}
