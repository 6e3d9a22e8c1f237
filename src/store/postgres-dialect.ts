import { PostgresDialect } from 'kysely';

/**
 * The PostgreSQL dialect. The driver is loaded when the first connection is made, so a server
 * on the embedded SQLite store never pays for it in start-up time or memory.
 */
export function createPostgresDialect(url: string, poolSize = 10): { dialect: PostgresDialect } {
  const pool = async () => {
    const { default: pg } = await import('pg');
    // Timestamps are epoch milliseconds in bigint columns; they fit in a double, so read them as numbers.
    pg.types.setTypeParser(pg.types.builtins.INT8, (v: string) => Number(v));
    const created = new pg.Pool({ connectionString: url, max: poolSize });
    // An idle client losing its connection must not crash the process; the pool replaces it.
    created.on('error', () => {});
    return created;
  };
  return { dialect: new PostgresDialect({ pool }) };
}
