import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Db } from './database.ts';
import * as m0001 from './migrations/0001-foundation.ts';
import * as m0002 from './migrations/0002-messaging.ts';
import * as m0003 from './migrations/0003-message-attachments.ts';
import * as m0006 from './migrations/0006-gotify.ts';
import * as m0007 from './migrations/0007-coder-clients.ts';
import * as m0012 from './migrations/0012-gatwy-settings.ts';
import * as m0013 from './migrations/0013-bucket-invites.ts';
import * as m0014 from './migrations/0014-ntfy.ts';
import * as m0014s from './migrations/0014-ntfy-scheduled.ts';
import * as m0015 from './migrations/0015-message-routing.ts';
import * as m0016 from './migrations/0016-magic-codes.ts';
import * as m0017 from './migrations/0017-delivery-fallback.ts';
import * as m0018 from './migrations/0018-unread-index.ts';

/**
 * Forward-only, numbered migrations. Never edit one that has landed; add the next number.
 * Kysely's migrator holds an advisory lock on PostgreSQL; on SQLite the store serialises
 * migrations on a lock database (see sqlite-dialect.ts), so processes migrate exactly once.
 */
const MIGRATIONS: Record<string, Migration> = {
  '0001-foundation': m0001,
  '0002-messaging': m0002,
  '0003-message-attachments': m0003,
  '0006-gotify': m0006,
  '0007-coder-clients': m0007,
  '0012-gatwy-settings': m0012,
  '0013-bucket-invites': m0013,
  '0014-ntfy': m0014,
  '0014-ntfy-scheduled': m0014s,
  '0015-message-routing': m0015,
  '0016-magic-codes': m0016,
  '0017-delivery-fallback': m0017,
  '0018-unread-index': m0018,
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

const migratorFor = (db: Kysely<unknown>) =>
  new Migrator({
    db,
    provider,
    migrationTableName: 'herald_migrations',
    migrationLockTableName: 'herald_migrations_lock',
    // Numbers were reserved per capability and land in the order the work finishes, so a store
    // may already hold a higher number than a migration that lands later: run it anyway.
    allowUnorderedMigrations: true,
  });

/** Applies migrations up to and including `name` (tests upgrade from an earlier schema). */
export async function migrateTo(db: Kysely<unknown>, name: string): Promise<void> {
  const { error } = await migratorFor(db).migrateTo(name);
  if (error) throw error;
}

export async function migrateToLatest(db: Kysely<unknown>): Promise<string[]> {
  const { error, results } = await migratorFor(db).migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Every migration this build knows, oldest first, with when it ran (undefined: pending). */
export async function listMigrations(db: Db): Promise<Array<{ name: string; executedAt: Date | undefined }>> {
  const all = await migratorFor(db as unknown as Kysely<unknown>).getMigrations();
  return all.map((m) => ({ name: m.name, executedAt: m.executedAt }));
}

/** The names of every migration this build knows, oldest first. */
export const knownMigrations = (): string[] => Object.keys(MIGRATIONS);
