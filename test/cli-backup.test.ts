import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { herald, killLeftovers } from './support/cli-process.ts';
import { startHerald, type TestHerald } from './support/herald.ts';
import { createTestDatabase } from './support/pg-database.ts';
import { until } from './support/wait.ts';

// `herald backup` / `herald restore` against a live server's store. Each `herald` launch costs a
// second or two; the tests keep launches few.
const SLOW = { timeout: 90_000 };

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'herald-cli-backup-'));
});
afterEach(async () => {
  const leaked = await killLeftovers();
  rmSync(tmp, { recursive: true, force: true });
  expect(leaked, 'herald processes left running').toBe(0);
});

describe('herald backup and restore (SQLite)', SLOW, () => {
  it('backs up a store under write load, restores it into a fresh data dir with every committed message, and refuses what it must', async () => {
    const dataDir = path.join(tmp, 'live');
    const file = path.join(tmp, 'herald-backup.db');
    const h = await startHerald('sqlite', { dataDir });
    const admin = await h.adminToken();
    const acked: string[] = [];
    let writing = true;
    const post = async (i: number) => {
      const res = await h.api('POST', '/api/v1/messages', {
        token: admin,
        body: { bucketId: 'load', title: `load ${i}`, body: 'x'.repeat(400), deliveryType: 'NORMAL' },
      });
      expect(res.status, res.text).toBe(201);
      acked.push(res.body.id);
    };
    let restored: TestHerald | undefined;
    try {
      expect((await h.api('POST', '/api/v1/buckets', { token: admin, body: { name: 'load' } })).status).toBe(
        201,
      );
      let n = 0;
      for (let batch = 0; batch < 10; batch++) await Promise.all(Array.from({ length: 20 }, () => post(n++)));
      const writers = Array.from({ length: 4 }, async () => {
        while (writing) await post(n++);
      });
      await until(() => acked.length >= 220, 15_000, 'writes under way');
      const committedBefore = [...acked];

      const backup = await herald(['backup', file], { HERALD_DATA_DIR: dataDir, HERALD_LOG_LEVEL: 'warn' });
      const duringBackup = acked.length - committedBefore.length;
      writing = false;
      await Promise.all(writers);
      expect(backup.stderr, backup.stdout).toMatch(/^backup: 0%$/m);
      expect(backup.stderr).toMatch(/^backup: 100%$/m);
      expect(backup.code).toBe(0);
      const backedUp = Number(/^Backed up (\d+) messages, 1 user and 1 bucket /.exec(backup.stdout)?.[1]);
      expect(backedUp).toBeGreaterThanOrEqual(committedBefore.length);
      expect(duringBackup, 'the server kept writing while the backup ran').toBeGreaterThan(0);

      const freshDir = path.join(tmp, 'restored');
      const restore = await herald(['restore', file], {
        HERALD_DATA_DIR: freshDir,
        HERALD_LOG_LEVEL: 'warn',
      });
      expect(restore.code).toBe(0);
      expect(restore.stdout).toMatch(new RegExp(`^Restored ${backedUp} messages, 1 user and 1 bucket `));

      restored = await startHerald('sqlite', { dataDir: freshDir });
      const ids = new Set<string>();
      let cursor: string | null = null;
      do {
        const page: any = await restored.api(
          'GET',
          `/api/v1/buckets/load/messages?limit=100${cursor ? `&cursor=${cursor}` : ''}`,
          { token: await restored.adminToken() },
        );
        for (const m of page.body.messages) ids.add(m.id);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(ids.size).toBe(backedUp);
      expect(committedBefore.filter((id) => !ids.has(id))).toEqual([]);
      // Nothing in the copy that the server did not acknowledge.
      expect([...ids].every((id) => acked.includes(id))).toBe(true);
      // The secret came along, so sessions signed by the old server still verify.
      expect((await restored.api('GET', '/api/v1/auth/me', { token: admin })).status).toBe(200);

      // Restore refuses a data dir that is not empty, and files that are not a Herald store.
      const again = await herald(['restore', file], { HERALD_DATA_DIR: freshDir });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(
        /^herald: .*restored is not empty \(.*\); restore into an empty data dir\.\n$/,
      );
      const other = path.join(tmp, 'other.db');
      const sqlite = new SqliteDatabase(other);
      sqlite.exec('create table notes (id integer primary key)');
      sqlite.close();
      const elsewhere = path.join(tmp, 'elsewhere');
      const notHerald = await herald(['restore', other], { HERALD_DATA_DIR: elsewhere });
      expect(notHerald.code).toBe(1);
      expect(notHerald.stderr).toMatch(/other\.db is an SQLite database but not a Herald store\.\n$/);
      const text = path.join(tmp, 'notes.txt');
      writeFileSync(text, 'hello');
      const notSqlite = await herald(['restore', text], { HERALD_DATA_DIR: elsewhere });
      expect(notSqlite.code).toBe(1);
      expect(notSqlite.stderr).toMatch(/notes\.txt is not an SQLite database\.\n$/);
      expect(existsSync(path.join(elsewhere, 'herald.db'))).toBe(false);
    } finally {
      writing = false;
      await restored?.close();
      await h.close();
    }
  });
});

describe('herald backup on PostgreSQL', SLOW, () => {
  it('explains how to use pg_dump and exits 1 without writing a file', async () => {
    const db = await createTestDatabase();
    try {
      const file = path.join(tmp, 'pg.db');
      const res = await herald(['backup', file], {
        HERALD_DATA_DIR: path.join(tmp, 'data'),
        HERALD_DATABASE_URL: db.url,
        HERALD_LOG_LEVEL: 'warn',
      });
      expect(res.code).toBe(1);
      expect(res.stdout).toBe('');
      expect(res.stderr).toMatch(/pg_dump --format=custom --file=herald\.dump "\$HERALD_DATABASE_URL"/);
      expect(res.stderr).toMatch(/pg_restore/);
      expect(existsSync(file)).toBe(false);
    } finally {
      await db.drop();
    }
  });
});
