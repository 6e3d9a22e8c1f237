import type { Kysely } from 'kysely';

/**
 * The core model: buckets and their members, messages and their per-recipient notifications
 * (inbox items), attachments, idempotency keys, templates and preferences, outside delivery
 * (channels, push subscriptions, the deliveries queue/log) and rules.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('buckets')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('icon', 'text')
    .addColumn('color', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('buckets_owner_name_uq')
    .on('buckets')
    .columns(['owner_id', 'name'])
    .unique()
    .execute();
  await db.schema.createIndex('buckets_name_idx').on('buckets').column('name').execute();

  await db.schema
    .createTable('bucket_members')
    .addColumn('bucket_id', 'text', (c) => c.notNull().references('buckets.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('permission', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('bucket_members_pk', ['bucket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('bucket_members_user_idx').on('bucket_members').column('user_id').execute();

  await db.schema
    .createTable('templates')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('group_name', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('title_template', 'text', (c) => c.notNull())
    .addColumn('body_template', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('enabled_by_default', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('method', 'text')
    .addColumn('is_actionable', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('templates_kind_idx').on('templates').column('kind').execute();

  await db.schema
    .createTable('messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('bucket_id', 'text', (c) => c.references('buckets.id').onDelete('cascade'))
    .addColumn('sender_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('template_id', 'text', (c) => c.references('templates.id').onDelete('set null'))
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('subtitle', 'text')
    .addColumn('body', 'text')
    .addColumn('delivery_type', 'text', (c) => c.notNull())
    .addColumn('attachments', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('actions', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('tap_action', 'text')
    .addColumn('sound', 'text')
    .addColumn('snoozes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('locale', 'text')
    .addColumn('group_id', 'text')
    .addColumn('collapse_id', 'text')
    .addColumn('tenant_id', 'text')
    .addColumn('entity_type', 'text')
    .addColumn('entity_id', 'text')
    .addColumn('action_url', 'text')
    .addColumn('payload', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('messages_bucket_idx')
    .on('messages')
    .columns(['bucket_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('messages_collapse_idx')
    .on('messages')
    .columns(['bucket_id', 'collapse_id'])
    .execute();
  await db.schema.createIndex('messages_created_idx').on('messages').column('created_at').execute();

  // One row per recipient per message: the inbox item. Filter columns are copied from the
  // message so every inbox filter is served by an index on this table alone.
  await db.schema
    .createTable('notifications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('message_id', 'text', (c) => c.notNull().references('messages.id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('bucket_id', 'text')
    .addColumn('template_id', 'text')
    .addColumn('tenant_id', 'text')
    .addColumn('read_at', 'bigint')
    .addColumn('snoozed_until', 'bigint')
    .addColumn('archived_at', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('notifications_user_idx')
    .on('notifications')
    .columns(['user_id', 'created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('notifications_user_read_idx')
    .on('notifications')
    .columns(['user_id', 'read_at'])
    .execute();
  await db.schema.createIndex('notifications_message_idx').on('notifications').column('message_id').execute();
  await db.schema
    .createIndex('notifications_tenant_idx')
    .on('notifications')
    .columns(['tenant_id', 'user_id', 'created_at'])
    .execute();
  await db.schema.createIndex('notifications_created_idx').on('notifications').column('created_at').execute();

  await db.schema
    .createTable('attachments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('owner_id', 'text', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('message_id', 'text', (c) => c.references('messages.id').onDelete('set null'))
    .addColumn('filename', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('media_type', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('source_url', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('attachments_message_idx').on('attachments').column('message_id').execute();
  await db.schema.createIndex('attachments_created_idx').on('attachments').column('created_at').execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('caller_id', 'text', (c) => c.notNull())
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('response', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['caller_id', 'scope', 'key'])
    .execute();
  await db.schema
    .createIndex('idempotency_keys_created_idx')
    .on('idempotency_keys')
    .column('created_at')
    .execute();

  await db.schema
    .createTable('preferences')
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('template_id', 'text', (c) => c.notNull().references('templates.id').onDelete('cascade'))
    .addColumn('disabled', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('preferences_pk', ['user_id', 'template_id'])
    .execute();
  await db.schema
    .createIndex('preferences_template_idx')
    .on('preferences')
    .columns(['template_id', 'disabled'])
    .execute();

  await db.schema
    .createTable('channel_configs')
    .addColumn('type', 'text', (c) => c.primaryKey())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('config', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('push_subscriptions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('endpoint', 'text', (c) => c.notNull().unique())
    .addColumn('p256dh', 'text', (c) => c.notNull())
    .addColumn('auth', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('push_subscriptions_user_idx')
    .on('push_subscriptions')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('rules')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('events', 'text', (c) => c.notNull())
    .addColumn('condition_logic', 'text', (c) => c.notNull())
    .addColumn('conditions', 'text', (c) => c.notNull())
    .addColumn('cadence', 'text', (c) => c.notNull())
    .addColumn('actions', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('last_triggered_at', 'bigint')
    .execute();

  // The deliveries table is both the queue and the log. States: pending → sending (leased)
  // → sent | failed; a retryable failure goes back to pending with a later next_attempt_at.
  await db.schema
    .createTable('deliveries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('message_id', 'text')
    .addColumn('notification_id', 'text')
    .addColumn('user_id', 'text')
    .addColumn('rule_id', 'text')
    .addColumn('rule_name', 'text')
    .addColumn('recipient', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('window_key', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
    .addColumn('lease_until', 'bigint')
    .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addColumn('sent_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('deliveries_due_idx')
    .on('deliveries')
    .columns(['status', 'next_attempt_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_rule_idx')
    .on('deliveries')
    .columns(['rule_id', 'created_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_created_idx')
    .on('deliveries')
    .columns(['created_at', 'id'])
    .execute();
  await db.schema
    .createIndex('deliveries_status_created_idx')
    .on('deliveries')
    .columns(['status', 'created_at'])
    .execute();
  await db.schema
    .createIndex('deliveries_window_idx')
    .on('deliveries')
    .columns(['rule_id', 'window_key'])
    .execute();
}
