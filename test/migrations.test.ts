import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../src/store/store.ts';
import { STORES, type StoreKind } from './support/herald.ts';
import { createTestDatabase } from './support/pg-database.ts';

/** Everything a test opened, closed (stores first) whether it passed or not. */
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
});

/** A fresh, empty location for a store of the given kind. */
async function freshLocation(kind: StoreKind): Promise<{ dataDir: string; databaseUrl: string | undefined }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-migrate-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  if (kind === 'sqlite') return { dataDir, databaseUrl: undefined };
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return { dataDir, databaseUrl: db.url };
}

function open(location: { dataDir: string; databaseUrl: string | undefined }): Store {
  const store = openStore(location);
  cleanups.push(() => store.close());
  return store;
}

async function recordedMigrations(store: Store): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from herald_migrations order by name`.execute(
    store.db,
  );
  return rows.map((r) => r.name);
}

describe.each(STORES)('migrations on %s', (kind) => {
  it('applies every migration, in order, once to a fresh store; the next run applies nothing', async () => {
    const location = await freshLocation(kind);
    const store = open(location);
    expect(store.kind).toBe(kind);

    const applied = await store.migrate();
    expect(applied[0]).toBe('0001-foundation');
    expect(applied).toEqual([...applied].sort());
    expect(await recordedMigrations(store)).toEqual(applied);

    expect(await store.migrate()).toEqual([]);
    // A later process opening the same store sees it up to date as well.
    const reopened = open(location);
    expect(await reopened.migrate()).toEqual([]);
    expect(await recordedMigrations(reopened)).toEqual(applied);
  });

  it('leaves a schema that enforces its constraints: a duplicate role name is refused', async () => {
    const store = open(await freshLocation(kind));
    await store.migrate();
    const now = Date.now();
    await sql`insert into roles (id, name, description, permissions, builtin, created_at)
      values ('r1', 'probe', '', '[]', 0, ${now})`.execute(store.db);
    const { rows } = await sql<{ name: string }>`select name from roles where id = 'r1'`.execute(store.db);
    expect(rows).toEqual([{ name: 'probe' }]);
    // Unique constraints come from the migration, not from application code.
    await expect(
      sql`insert into roles (id, name, description, permissions, builtin, created_at)
        values ('r2', 'probe', '', '[]', 0, ${now})`.execute(store.db),
    ).rejects.toThrow();
  });
});

describe('migrations on postgres under concurrency', () => {
  it('two stores migrating one fresh database at the same moment both succeed, each migration applied once', async () => {
    const location = await freshLocation('postgres');
    const a = open(location);
    const b = open(location);

    const [fromA, fromB] = await Promise.all([a.migrate(), b.migrate()]);

    const all = [...fromA, ...fromB];
    expect(all.length).toBeGreaterThan(0);
    expect(new Set(all).size).toBe(all.length);
    const recorded = await recordedMigrations(a);
    expect(recorded).toEqual([...all].sort());
    const { rows } = await sql<{ name: string; n: number }>`
      select name, count(*)::int as n from herald_migrations group by name having count(*) > 1`.execute(a.db);
    expect(rows).toEqual([]);
    expect(await a.migrate()).toEqual([]);
    expect(await b.migrate()).toEqual([]);
  });

  it('five stores racing on one fresh database all succeed', async () => {
    const location = await freshLocation('postgres');
    const stores = Array.from({ length: 5 }, () => open(location));
    const results = await Promise.all(stores.map((s) => s.migrate()));
    const all = results.flat();
    expect(new Set(all).size).toBe(all.length);
    expect(await recordedMigrations(stores[0])).toEqual([...all].sort());
  });
});

describe('migrations on sqlite under concurrency', () => {
  // Kysely's SQLite adapter takes no migration lock; the store serialises migrations on a
  // lock database in the data dir, so the second store waits and then finds nothing to do.
  it('two stores migrating one fresh data dir at the same moment both succeed', async () => {
    const location = await freshLocation('sqlite');
    const a = open(location);
    const b = open(location);
    const [fromA, fromB] = await Promise.all([a.migrate(), b.migrate()]);
    const all = [...fromA, ...fromB];
    expect(new Set(all).size).toBe(all.length);
    expect(await recordedMigrations(a)).toEqual([...all].sort());
  });
});
