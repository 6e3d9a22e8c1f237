import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as m0001 from './migrations/0001-foundation.ts';
import * as m0002 from './migrations/0002-messaging.ts';
import * as m0003 from './migrations/0003-message-attachments.ts';

/**
 * Forward-only, numbered migrations. Never edit one that has landed; add the next number.
 * Kysely's migrator holds a lock while it runs (an advisory lock on PostgreSQL, the write
 * lock on SQLite), so several processes starting at once migrate exactly once.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-messaging': m0002,
  '0003-message-attachments': m0003,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const migrator = new Migrator({
    db,
    provider,
    migrationTableName: 'herald_migrations',
    migrationLockTableName: 'herald_migrations_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
