import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { SqliteDialect } from 'kysely';

/**
 * The embedded store. WAL lets readers run beside the writer; synchronous=FULL makes every
 * commit durable before we answer 2xx — the group committer keeps that affordable by
 * committing many requests per fsync.
 */
export function createSqliteDialect(dataDir: string): { dialect: SqliteDialect; close: () => void } {
  const file = path.join(dataDir, 'herald.db');
  const sqlite = new SqliteDatabase(file);
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  return {
    dialect: new SqliteDialect({ database: sqlite }),
    close: () => {
      if (sqlite.open) sqlite.close();
    },
  };
}
