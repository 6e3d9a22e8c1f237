import type { Compilable, CompiledQuery } from 'kysely';
import type { Executor } from './database.ts';

/**
 * Writes whose answer nobody reads (an insert without `returning`), marked so the SQLite
 * writer connection may send them to its thread without waiting for the reply. Inside a
 * transaction the thread runs statements in the order they were sent, and the connection
 * checks every deferred reply before the next awaited statement answers and before `commit`
 * (see sqlite-dialect.ts), so a failed deferred write still fails its transaction and nothing
 * of it commits. Outside a transaction, and on PostgreSQL, a marked write runs like any other.
 */
const DEFERRED = new WeakSet<CompiledQuery>();

export const isDeferred = (query: CompiledQuery): boolean => DEFERRED.has(query);

/** Runs `query` as a deferred write (see above); its result is never needed, so none is returned. */
export async function executeDeferred(db: Executor, query: Compilable): Promise<void> {
  const compiled = query.compile();
  DEFERRED.add(compiled);
  await db.executeQuery(compiled);
}
