import {
  chmodSync,
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { knownMigrations } from './migrations.ts';

/**
 * Backup and restore of the embedded store (`herald backup` / `herald restore`).
 *
 * The copy is made with SQLite's online backup API while the server keeps writing: each step
 * copies a slice of pages under a short read lock, so writers wait milliseconds, not for the
 * whole copy. A write by another connection between steps makes SQLite restart the copy; when
 * that happens the rest is copied in one step, so a busy server cannot starve the backup. The
 * result is one consistent snapshot (a single file, rollback journal), plus a `herald_backup`
 * table with when it was made and, unless the operator manages HERALD_SECRET, the generated
 * secret — without it the restored server could not read its channel secrets or sessions.
 */
export const STORE_FILE = 'herald.db';
const SQLITE_HEADER = 'SQLite format 3\0';
/** The backup divides the store into about this many steps (for the progress bar). */
const STEPS = 50;
/** Fewest pages per step: tiny steps would make a large store's backup slow. */
const MIN_STEP_PAGES = 64;
/** Tables every Herald store has; a file without them is something else. */
const REQUIRED_TABLES = ['herald_migrations', 'users', 'messages', 'notifications', 'deliveries'];

export interface StoreSummary {
  /** The newest migration the store has, e.g. `0003-message-attachments`. */
  migration: string | null;
  users: number;
  buckets: number;
  messages: number;
  notifications: number;
}

export interface BackupResult extends StoreSummary {
  file: string;
  bytes: number;
  /** Times a write by the running server made SQLite start the copy again. */
  restarts: number;
}

function summarise(db: SqliteDatabase.Database): StoreSummary {
  const count = (table: string) =>
    (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
  const latest = db.prepare('select name from herald_migrations order by name desc limit 1').get() as
    | { name: string }
    | undefined;
  return {
    migration: latest?.name ?? null,
    users: count('users'),
    buckets: count('buckets'),
    messages: count('messages'),
    notifications: count('notifications'),
  };
}

function missingTables(db: SqliteDatabase.Database): string[] {
  const rows = db.prepare("select name from sqlite_master where type = 'table'").all() as { name: string }[];
  const have = new Set(rows.map((r) => r.name));
  return REQUIRED_TABLES.filter((t) => !have.has(t));
}

export async function backupSqlite(
  dataDir: string,
  dest: string,
  opts: { secret?: string; overwrite?: boolean; onProgress?: (done: number, total: number) => void } = {},
): Promise<BackupResult> {
  const source = path.join(dataDir, STORE_FILE);
  if (!existsSync(source)) throw new Error(`There is no Herald store at ${source}.`);
  if (existsSync(dest) && !opts.overwrite)
    throw new Error(`${dest} already exists; pass --force to replace it.`);
  const part = `${dest}.part`;
  rmSync(part, { force: true });
  const db = new SqliteDatabase(source, { fileMustExist: true });
  let restarts = 0;
  try {
    db.pragma('busy_timeout = 5000');
    const missing = missingTables(db);
    if (missing.length > 0) throw new Error(`${source} is not a Herald store (no ${missing.join(', ')}).`);
    let lastRemaining = Number.POSITIVE_INFINITY;
    let allAtOnce = false;
    await db.backup(part, {
      progress({ totalPages, remainingPages }) {
        if (remainingPages > lastRemaining) {
          restarts++;
          allAtOnce = true;
        }
        lastRemaining = remainingPages;
        opts.onProgress?.(totalPages - remainingPages, totalPages);
        return allAtOnce ? totalPages : Math.max(MIN_STEP_PAGES, Math.ceil(totalPages / STEPS));
      },
    });
  } catch (err) {
    rmSync(part, { force: true });
    throw err;
  } finally {
    db.close();
  }
  opts.onProgress?.(1, 1);
  const copy = new SqliteDatabase(part, { fileMustExist: true });
  let summary: StoreSummary;
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`The copy failed its integrity check: ${check}`);
    copy.exec('create table herald_backup (key text primary key, value text not null)');
    const meta = copy.prepare('insert into herald_backup (key, value) values (?, ?)');
    meta.run('created_at', new Date().toISOString());
    if (opts.secret) meta.run('secret', opts.secret);
    summary = summarise(copy);
  } catch (err) {
    copy.close();
    rmSync(part, { force: true });
    throw err;
  }
  copy.close();
  renameSync(part, dest);
  return { ...summary, file: dest, bytes: statSync(dest).size, restarts };
}

export interface BackupInfo extends StoreSummary {
  createdAt: string | null;
  hasSecret: boolean;
}

/** Checks that `file` is a Herald SQLite store this build can run, and describes it. */
export function inspectBackup(file: string): BackupInfo {
  if (!existsSync(file)) throw new Error(`${file} does not exist.`);
  const header = Buffer.alloc(16);
  const fd = openSync(file, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_HEADER) throw new Error(`${file} is not an SQLite database.`);
  const db = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    const missing = missingTables(db);
    if (missing.length > 0) throw new Error(`${file} is an SQLite database but not a Herald store.`);
    const check = db.pragma('quick_check', { simple: true });
    if (check !== 'ok') throw new Error(`${file} is damaged: ${check}`);
    const known = new Set(knownMigrations());
    const applied = (db.prepare('select name from herald_migrations').all() as { name: string }[]).map(
      (r) => r.name,
    );
    const unknown = applied.filter((n) => !known.has(n));
    if (unknown.length > 0) {
      throw new Error(
        `${file} was made by a newer Herald (migration ${unknown.join(', ')}); restore it with that version.`,
      );
    }
    const hasMeta = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'herald_backup'")
      .get();
    const meta = new Map<string, string>(
      hasMeta
        ? (db.prepare('select key, value from herald_backup').all() as { key: string; value: string }[]).map(
            (r) => [r.key, r.value],
          )
        : [],
    );
    return { ...summarise(db), createdAt: meta.get('created_at') ?? null, hasSecret: meta.has('secret') };
  } finally {
    db.close();
  }
}

/**
 * Restores a backup into an empty data dir (made if missing). Refuses a dir with anything in
 * it: restoring over a live store would mix two histories. Writes the backup's secret to the
 * data dir when `writeSecret` (the operator does not set HERALD_SECRET).
 */
export function restoreSqlite(
  file: string,
  dataDir: string,
  opts: { writeSecret: boolean },
): BackupInfo & { secretWritten: boolean } {
  const info = inspectBackup(file);
  if (existsSync(dataDir)) {
    const entries = readdirSync(dataDir);
    if (entries.length > 0) {
      throw new Error(
        `${dataDir} is not empty (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', …' : ''}); restore into an empty data dir.`,
      );
    }
  } else {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  }
  const target = path.join(dataDir, STORE_FILE);
  const part = `${target}.part`;
  copyFileSync(file, part);
  chmodSync(part, 0o600);
  let secret: string | undefined;
  const db = new SqliteDatabase(part, { fileMustExist: true });
  try {
    const hasMeta = db
      .prepare("select 1 from sqlite_master where type = 'table' and name = 'herald_backup'")
      .get();
    if (hasMeta) {
      secret = (
        db.prepare("select value from herald_backup where key = 'secret'").get() as
          | { value: string }
          | undefined
      )?.value;
      // The secret belongs in its own 0600 file, not in the live store (and its next backups).
      db.exec('drop table herald_backup');
    }
  } catch (err) {
    db.close();
    rmSync(part, { force: true });
    throw err;
  }
  db.close();
  let secretWritten = false;
  if (secret && opts.writeSecret) {
    writeFileSync(path.join(dataDir, 'secret'), `${secret}\n`, { mode: 0o600 });
    secretWritten = true;
  }
  renameSync(part, target);
  return { ...info, secretWritten };
}
