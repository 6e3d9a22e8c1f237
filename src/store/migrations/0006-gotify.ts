import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * The Gotify family's integer identities. Gotify clients page messages by an integer id and
 * name applications, clients and users by integers, while Herald's ids are UUIDs; these tables
 * give each of those a stable number of its own.
 *
 * Every bucket message gets its number in the transaction that writes it, from a trigger, so
 * a message sent through any family is numbered in write order without the one write path
 * knowing about Gotify. Numbers are never reused (AUTOINCREMENT / identity), so a client's
 * "since" cursor stays valid after deletes. Messages already stored are numbered oldest first.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const serial = (name: string) =>
    postgres
      ? db.schema
          .createTable(name)
          .addColumn('id', 'bigint', (c) => c.primaryKey().generatedByDefaultAsIdentity())
      : db.schema.createTable(name).addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement());

  await serial('gotify_messages')
    .addColumn('message_id', 'text', (c) =>
      c.notNull().unique().references('messages.id').onDelete('cascade'),
    )
    // What a Gotify sender gave; null for messages from other families (mapped from delivery_type).
    .addColumn('priority', 'integer')
    .addColumn('extras', 'text')
    .execute();

  // An application is a bucket seen through Gotify, with one send-only access token.
  await serial('gotify_applications')
    .addColumn('bucket_id', 'text', (c) => c.notNull().unique().references('buckets.id').onDelete('cascade'))
    .addColumn('token_id', 'text', (c) =>
      c.notNull().unique().references('access_tokens.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('default_priority', 'integer', (c) => c.notNull().defaultTo(0))
    // 1 when the bucket was made for this application, so deleting the application deletes it.
    .addColumn('owns_bucket', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();

  await serial('gotify_clients')
    .addColumn('token_id', 'text', (c) =>
      c.notNull().unique().references('access_tokens.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('gotify_clients_user_idx').on('gotify_clients').column('user_id').execute();

  await serial('gotify_users')
    .addColumn('user_id', 'text', (c) => c.notNull().unique().references('users.id').onDelete('cascade'))
    .execute();

  await sql`insert into gotify_messages (message_id)
            select id from messages where bucket_id is not null order by created_at, id`.execute(db);

  if (postgres) {
    await sql`create function gotify_number_message() returns trigger language plpgsql as $$
              begin
                insert into gotify_messages (message_id) values (new.id);
                return null;
              end $$`.execute(db);
    await sql`create trigger gotify_messages_number after insert on messages for each row
              when (new.bucket_id is not null) execute function gotify_number_message()`.execute(db);
  } else {
    await sql`create trigger gotify_messages_number after insert on messages
              when new.bucket_id is not null
              begin
                insert into gotify_messages (message_id) values (new.id);
              end`.execute(db);
  }
}
