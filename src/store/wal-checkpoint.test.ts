import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Db } from './database.ts';
import { createSqliteDialect } from './sqlite-dialect.ts';

/**
 * The writer checkpoints the WAL after answering a commit, not inside it: what an operator
 * sees is a WAL file that stays small however many commits go by, and nothing lost.
 */
let dir: string;
let db: Db;
const open = () => new Kysely<Database>({ dialect: createSqliteDialect(dir).dialect });
const walBytes = () => statSync(path.join(dir, 'herald.db-wal')).size;

beforeEach(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'herald-wal-'));
  db = open();
  await sql`create table t (id integer primary key autoincrement, body text not null)`.execute(db);
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

const BODY = 'x'.repeat(1000);

describe('the SQLite store', () => {
  it('keeps its WAL file small across many commits (about 10 MB written), and keeps every row', async () => {
    let largest = 0;
    for (let commit = 0; commit < 200; commit++) {
      await db.transaction().execute(async (tx) => {
        for (let i = 0; i < 50; i++) await sql`insert into t (body) values (${BODY})`.execute(tx);
      });
      largest = Math.max(largest, walBytes());
    }
    // Without checkpoints the WAL would hold every page written: over 10 MB.
    expect(largest).toBeLessThan(4 * 1024 * 1024);
    await db.destroy();
    db = open();
    const n = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(Number(n.rows[0].n)).toBe(10_000);
  });

  it('checkpoints a big transaction soon after answering it', async () => {
    await db.transaction().execute(async (tx) => {
      for (let i = 0; i < 5000; i++) await sql`insert into t (body) values (${BODY})`.execute(tx);
    });
    // One more small commit: it reuses the WAL from its start once the big one was copied back.
    await sql`insert into t (body) values ('after')`.execute(db);
    const before = walBytes();
    for (let i = 0; i < 20; i++) await sql`insert into t (body) values ('more')`.execute(db);
    const rows = await sql<{ n: number }>`select count(*) as n from t`.execute(db);
    expect(Number(rows.rows[0].n)).toBe(5021);
    // The file does not shrink (SQLite reuses it), but nothing past the first write grew it.
    expect(walBytes()).toBe(before);
  });
});
