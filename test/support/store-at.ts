import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { migrateTo } from '../../src/store/migrations.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { createTestDatabase } from './pg-database.ts';

export type Cleanup = () => Promise<void> | void;

/**
 * A fresh store of the given kind migrated only up to `migration`, as an older Herald left it,
 * so an upgrade test can write rows in the old schema and then migrate to the latest. What it
 * creates (data dir, PostgreSQL database, the open store) is pushed on `cleanups`.
 */
export async function storeAt(
  kind: 'sqlite' | 'postgres',
  migration: string,
  cleanups: Cleanup[],
): Promise<Store> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-upgrade-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  let databaseUrl: string | undefined;
  if (kind === 'postgres') {
    const db = await createTestDatabase();
    databaseUrl = db.url;
    cleanups.push(() => db.drop());
  }
  const store = openStore({ dataDir, databaseUrl });
  cleanups.push(() => store.close());
  await migrateTo(store.db as unknown as Kysely<unknown>, migration);
  return store;
}
