import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Db } from './database.ts';
import { executeDeferred } from './deferred-write.ts';
import { createGroupCommitter } from './group-commit.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';

/** A real SQLite store (writer thread and reader) with one scratch table of unique labels. */
let dir: string;
let db: Db;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'herald-deferred-'));
  db = new Kysely<Database>({ dialect: createSqliteDialect(dir).dialect });
  await sql`create table t (id integer primary key autoincrement, label text not null unique)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

// The scratch table is not in the schema type: build the insert as raw SQL, compiled.
const insertLabel = (label: string) => ({
  compile: () => sql`insert into t (label) values (${label})`.compile(db),
});
const labels = async () =>
  (await sql<{ label: string }>`select label from t order by id`.execute(db)).rows.map((r) => r.label);

describe('deferred writes', () => {
  it('commit with their transaction, in the order they were written', async () => {
    await db.transaction().execute(async (tx) => {
      await executeDeferred(tx, insertLabel('a'));
      await executeDeferred(tx, insertLabel('b'));
      const n = await sql<{ n: number }>`select count(*) as n from t`.execute(tx);
      expect(Number(n.rows[0].n)).toBe(2);
    });
    expect(await labels()).toEqual(['a', 'b']);
  });

  it('fail their transaction at commit when nothing after them waited, and nothing of it stays', async () => {
    await executeDeferred(db, insertLabel('taken'));
    const run = db.transaction().execute(async (tx) => {
      await executeDeferred(tx, insertLabel('fresh'));
      await executeDeferred(tx, insertLabel('taken'));
    });
    await expect(run).rejects.toThrow(/UNIQUE/);
    expect(await labels()).toEqual(['taken']);
  });

  it('fail the next statement that waits for its answer', async () => {
    await executeDeferred(db, insertLabel('taken'));
    let reachedAfter = false;
    const run = db.transaction().execute(async (tx) => {
      await executeDeferred(tx, insertLabel('taken'));
      await sql`insert into t (label) values ('after')`.execute(tx);
      reachedAfter = true;
    });
    await expect(run).rejects.toThrow(/UNIQUE/);
    expect(reachedAfter).toBe(false);
    expect(await labels()).toEqual(['taken']);
  });

  it('outside a transaction are written before the call returns', async () => {
    await executeDeferred(db, insertLabel('now'));
    expect(await labels()).toEqual(['now']);
    await expect(executeDeferred(db, insertLabel('now'))).rejects.toThrow(/UNIQUE/);
  });

  it('in a group commit, a failing one fails only its own unit', async () => {
    await executeDeferred(db, insertLabel('taken'));
    const writer = createGroupCommitter(db);
    const results = await Promise.allSettled(
      ['one', 'taken', 'two'].map((label) => writer.run((tx) => executeDeferred(tx, insertLabel(label)))),
    );
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await labels()).toEqual(['taken', 'one', 'two']);
  });

  it('leave the writer usable after a transaction that failed before its first statement, or did nothing', async () => {
    await expect(
      db.transaction().execute(async () => {
        throw new Error('refused before writing');
      }),
    ).rejects.toThrow('refused before writing');
    await db.transaction().execute(async () => {});
    await db.transaction().execute(async (tx) => executeDeferred(tx, insertLabel('after')));
    expect(await labels()).toEqual(['after']);
  });
});
