import { sql } from 'kysely';
import type { Executor } from './database.ts';

/** One round trip to the database; throws when it cannot be reached. */
export async function pingStore(db: Executor): Promise<void> {
  await sql`select 1`.execute(db);
}
