import { PostgresDialect } from 'kysely';
import pg from 'pg';

// Timestamps are epoch milliseconds in bigint columns; they fit in a double, so read them as numbers.
pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));

export function createPostgresDialect(
  url: string,
  poolSize = 10,
): { dialect: PostgresDialect; pool: pg.Pool } {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  // An idle client losing its connection must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  return { dialect: new PostgresDialect({ pool }), pool };
}
