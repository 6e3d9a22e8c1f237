import type { Kysely } from 'kysely';

/**
 * Messages reach the channels people use (docs/delivery.md, "Messages on every channel"):
 * - `bucket_channels`: a bucket's default outside channels, used for every message to it;
 *   `recipients` (JSON array of user and role refs, or null for every member reached);
 * - `user_addresses`: a user's own address per channel (email, Telegram chat id, Slack or
 *   Discord webhook URL); webhook URLs are sealed like channel secrets;
 * - deliveries gain their fallback: `fallback` (JSON: the channel, recipient and user to use
 *   when this delivery fails for good), `fallback_id` (the fallback entry once written),
 *   `fallback_of` (on the fallback: the entry it stands in for) and `unless_read` (1: the
 *   fallback waits for its inbox item and is dropped if that was read in time).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('bucket_channels')
    .addColumn('bucket_id', 'text', (c) => c.notNull().references('buckets.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('recipients', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bucket_channels_pk', ['bucket_id', 'channel'])
    .execute();
  await db.schema
    .createTable('user_addresses')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('address', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_addresses_pk', ['user_id', 'channel'])
    .execute();
  await db.schema.alterTable('deliveries').addColumn('fallback', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('fallback_id', 'text').execute();
  await db.schema.alterTable('deliveries').addColumn('fallback_of', 'text').execute();
  await db.schema
    .alterTable('deliveries')
    .addColumn('unless_read', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}
