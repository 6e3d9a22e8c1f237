import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Db } from './database.ts';
import { preparedQuery, rowsOf } from './prepared-query.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';

let dir: string;
let db: Db;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'herald-prepared-'));
  db = new Kysely<Database>({ dialect: createSqliteDialect(dir).dialect });
  await sql`create table settings (key text primary key, value text, updated_at integer)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const insertSetting = preparedQuery((d, v: { key: string; value: string | null; updated_at?: number }) =>
  d.insertInto('settings').values(v as never),
);
const settingByKey = preparedQuery((d, v: { key: string }) =>
  d.selectFrom('settings').selectAll().where('key', '=', v.key).where('key', '!=', 'constant'),
);

describe('prepared queries', () => {
  it('bind each call’s own values, constants of the build included', async () => {
    await db.executeQuery(insertSetting(db, { key: 'a', value: 'one', updated_at: 1 }));
    await db.executeQuery(insertSetting(db, { key: 'b', value: null, updated_at: 2 }));
    expect(await rowsOf(db, settingByKey(db, { key: 'b' }))).toEqual([
      { key: 'b', value: null, updated_at: 2 },
    ]);
    expect(await rowsOf(db, settingByKey(db, { key: 'a' }))).toEqual([
      { key: 'a', value: 'one', updated_at: 1 },
    ]);
    expect(await rowsOf(db, settingByKey(db, { key: 'constant' }))).toEqual([]);
  });

  it('leave out keys whose value is undefined, as Kysely does, with a shape of their own', async () => {
    await db.executeQuery(insertSetting(db, { key: 'x', value: 'v', updated_at: undefined }));
    await db.executeQuery(insertSetting(db, { key: 'y', value: 'w', updated_at: 5 }));
    const rows = (
      await sql<{
        key: string;
        updated_at: number | null;
      }>`select key, updated_at from settings order by key`.execute(db)
    ).rows;
    expect(rows).toEqual([
      { key: 'x', updated_at: null },
      { key: 'y', updated_at: 5 },
    ]);
  });

  it('work inside a transaction with the same compiled text', async () => {
    await db.transaction().execute(async (tx) => {
      await tx.executeQuery(insertSetting(tx, { key: 't', value: 'in tx', updated_at: 3 }));
      expect((await rowsOf(tx, settingByKey(tx, { key: 't' })))[0]?.value).toBe('in tx');
    });
    expect((await rowsOf(db, settingByKey(db, { key: 't' })))[0]?.value).toBe('in tx');
  });
});
