import { chmodSync, closeSync, openSync } from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

/** Prepared statements kept per connection; `in (…)` lists of many lengths make the set open-ended. */
const STATEMENT_CACHE_SIZE = 500;

/**
 * Kysely's SQLite driver prepares every query afresh, which was about a quarter of the CPU of
 * a message send. The driver only calls `prepare` and `close`, so hand it a facade that
 * reuses prepared statements (least recently used evicted first).
 */
function withStatementCache(db: SqliteDatabase.Database) {
  const cache = new Map<string, SqliteDatabase.Statement>();
  return {
    prepare(sql: string): SqliteDatabase.Statement {
      let stmt = cache.get(sql);
      if (stmt) {
        cache.delete(sql);
      } else {
        stmt = db.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
      }
      cache.set(sql, stmt);
      return stmt;
    },
    close(): void {
      cache.clear();
      if (db.open) db.close();
    },
  };
}

/**
 * The embedded store. WAL lets readers run beside the writer; synchronous=FULL makes every
 * commit durable before we answer 2xx — the group committer keeps that affordable by
 * committing many requests per fsync.
 */
/** Permissions of herald.db: it holds password hashes and sealed secrets. */
export const STORE_FILE_MODE = 0o600;

export function createSqliteDialect(dataDir: string): { dialect: SqliteDialect; close: () => void } {
  const file = path.join(dataDir, 'herald.db');
  // Owner-only (rw-------) before SQLite writes a byte; its -wal and -shm files copy this mode.
  closeSync(openSync(file, 'a', STORE_FILE_MODE));
  chmodSync(file, STORE_FILE_MODE);
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return {
    dialect: new SqliteDialect({
      database: withStatementCache(sqlite) as unknown as SqliteDatabase.Database,
    }),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}

/**
 * Kysely's migrator takes no lock on SQLite. Processes sharing a data dir serialise their
 * migrations on an exclusive transaction in a separate lock database (a second connection to
 * herald.db itself would block the migration's own writes).
 */
export async function withSqliteMigrationLock<T>(dataDir: string, run: () => Promise<T>): Promise<T> {
  const lock = new SqliteDatabase(path.join(dataDir, 'migrate.lock'));
  try {
    // better-sqlite3 waits synchronously, which would stall this process's own event loop
    // (and any migration running in it), so poll without blocking instead.
    lock.pragma('busy_timeout = 0');
    const deadline = Date.now() + 120_000;
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY' || Date.now() > deadline) throw err;
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    try {
      return await run();
    } finally {
      lock.exec('COMMIT');
    }
  } finally {
    lock.close();
  }
}
