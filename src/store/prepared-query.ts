import { type Compilable, type CompiledQuery, createQueryId, type QueryResult } from 'kysely';
import type { Executor } from './database.ts';

/** Stands in for a named value while the query is built; never a real value. */
const SENTINEL = '\u0000herald-prepared:';

interface Template {
  sql: string;
  query: CompiledQuery['query'];
  /** Each parameter of the compiled query: a value of the call by name, or a constant of the build. */
  params: Array<{ key: string } | { value: unknown }>;
}

/**
 * A query of fixed shape on a hot path, built and compiled by Kysely once per dialect and
 * column set, then reused with each call's values: no builder or compiler work per call
 * (that was about a fifth of the event loop's time per message send).
 *
 * `build` is called once with a stand-in for each value, so it must not look at the values
 * (no branching on them, no arithmetic): it may only place them where Kysely binds a
 * parameter. The set of keys given is part of the shape, so an insert of a row keeps working
 * when a column is added.
 */
export function preparedQuery<V extends Record<string, unknown>, O>(
  build: (db: Executor, values: V) => Compilable<O>,
): (db: Executor, values: V) => CompiledQuery<O> {
  // Per adapter (one per dialect; a transaction shares its database's), then per key set.
  const templates = new WeakMap<object, Map<string, Template>>();
  return (db, values) => {
    const adapter = db.getExecutor().adapter;
    let byKeys = templates.get(adapter);
    if (!byKeys) {
      byKeys = new Map();
      templates.set(adapter, byKeys);
    }
    // As Kysely does for inserts, a key whose value is undefined is left out.
    const keys = Object.keys(values).filter((k) => values[k] !== undefined);
    const shape = keys.join(',');
    let t = byKeys.get(shape);
    if (!t) {
      const standIns = Object.fromEntries(keys.map((k) => [k, SENTINEL + k])) as unknown as V;
      const compiled = build(db, standIns).compile();
      t = {
        sql: compiled.sql,
        query: compiled.query,
        params: compiled.parameters.map((p) =>
          typeof p === 'string' && p.startsWith(SENTINEL) ? { key: p.slice(SENTINEL.length) } : { value: p },
        ),
      };
      byKeys.set(shape, t);
    }
    return {
      sql: t.sql,
      query: t.query,
      queryId: createQueryId(),
      parameters: t.params.map((p) => ('key' in p ? values[p.key] : p.value)),
    };
  };
}

/** Runs a prepared query and returns its rows. */
export async function rowsOf<O>(db: Executor, query: CompiledQuery<O>): Promise<O[]> {
  return ((await db.executeQuery(query)) as QueryResult<O>).rows;
}
