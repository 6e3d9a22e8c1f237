import { type Compilable, type CompiledQuery, isCompilable } from 'kysely';
import type { Executor } from './database.ts';

/**
 * Writes whose answer nobody reads (an insert without `returning`), marked so the SQLite
 * writer connection need not wait for them. Inside a transaction it holds them and sends them
 * to its thread with the next statement that is awaited, or with `commit`, in one message; the
 * thread runs them first, in order, and the first that fails is that statement's error (see
 * sqlite-dialect.ts). So a failed deferred write still fails its transaction and nothing of it
 * commits. Outside a transaction, and on PostgreSQL, a marked write runs like any other.
 */
const DEFERRED = new WeakSet<CompiledQuery>();

export const isDeferred = (query: CompiledQuery): boolean => DEFERRED.has(query);

/** Runs `query` as a deferred write (see above); its result is never needed, so none is returned. */
export async function executeDeferred(db: Executor, query: Compilable | CompiledQuery): Promise<void> {
  const compiled = isCompilable(query) ? query.compile() : query;
  DEFERRED.add(compiled);
  await db.executeQuery(compiled);
}
