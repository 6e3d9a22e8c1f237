import { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { Database, Db, StoreKind } from './database.ts';
import { createGroupCommitter, type GroupCommitter } from './group-commit.ts';
import { migrateToLatest } from './migrations.ts';
import { createPostgresDialect } from './postgres-dialect.ts';
import { createSqliteDialect, withSqliteMigrationLock } from './sqlite-dialect.ts';

export interface Store {
  readonly kind: StoreKind;
  readonly db: Db;
  /** Batches concurrent write units into shared transactions (group commit). */
  readonly writer: GroupCommitter;
  migrate(): Promise<string[]>;
  close(): Promise<void>;
}

export function openStore(config: Pick<Config, 'dataDir' | 'databaseUrl'>): Store {
  let db: Db;
  let kind: StoreKind;
  if (config.databaseUrl) {
    const { dialect } = createPostgresDialect(config.databaseUrl);
    db = new Kysely<Database>({ dialect });
    kind = 'postgres';
  } else {
    const { dialect } = createSqliteDialect(config.dataDir);
    db = new Kysely<Database>({ dialect });
    kind = 'sqlite';
  }
  const writer = createGroupCommitter(db, {
    concurrency: kind === 'postgres' ? 4 : 1,
    concurrentUnits: kind === 'sqlite',
  });
  return {
    kind,
    db,
    writer,
    migrate: () =>
      kind === 'sqlite'
        ? withSqliteMigrationLock(config.dataDir, () => migrateToLatest(db as unknown as Kysely<unknown>))
        : migrateToLatest(db as unknown as Kysely<unknown>),
    async close() {
      await writer.drain();
      await db.destroy();
    },
  };
}
