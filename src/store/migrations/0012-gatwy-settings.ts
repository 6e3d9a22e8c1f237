import type { Kysely } from 'kysely';

/**
 * What the routing family needs to serve clients that speak their own vocabulary (Gatwy's
 * settings pages) beside the documented one:
 * - `client_shapes`: per channel or rule, the vocabulary it was last saved in and the parts
 *   of that client's shape the core does not keep (so a setting reads back as it was written);
 * - `events.source`: who recorded an event, set by the server (`herald` for its own, `app` for
 *   what applications post), so rules can tell Herald's security events from posted ones;
 * - `deliveries.retry_of`: a retry from the log is a new entry linked to the failed one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('client_shapes')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('subject_id', 'text', (c) => c.notNull())
    .addColumn('dialect', 'text', (c) => c.notNull())
    .addColumn('shape', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('client_shapes_pk', ['kind', 'subject_id'])
    .execute();
  await db.schema
    .alterTable('events')
    .addColumn('source', 'text', (c) => c.notNull().defaultTo('herald'))
    .execute();
  await db.schema.alterTable('deliveries').addColumn('retry_of', 'text').execute();
}
