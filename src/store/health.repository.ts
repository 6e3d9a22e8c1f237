import { sql } from 'kysely';
import type { Executor } from './database.ts';

/**
 * One round trip to the database; throws when it cannot be reached. A SELECT, so on SQLite it
 * runs on the reader connection like every other read: a long write transaction (a fan-out to
 * a large bucket) holds the writer, and a raw statement would wait behind it.
 */
export async function pingStore(db: Executor): Promise<void> {
  await db.selectNoFrom(sql<number>`1`.as('one')).execute();
}
