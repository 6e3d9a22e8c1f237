import { sql } from 'kysely';
import type { Executor } from './database.ts';

/**
 * PostgreSQL NOTIFY from inside a transaction: PostgreSQL delivers the payloads to every
 * LISTENer when (and only if) the transaction commits. One statement for any number of them.
 */
export async function notifyInTx(db: Executor, channel: string, payloads: readonly string[]): Promise<void> {
  if (payloads.length === 0) return;
  await sql`select pg_notify(${channel}, p) from unnest(cast(${payloads} as text[])) as p`.execute(db);
}
