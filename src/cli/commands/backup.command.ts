import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { DEFAULTS } from '../../config/defaults.ts';
import { EXIT } from '../cli-error.ts';
import { localConfig } from '../local-store.ts';
import { note, plural, print, printJson } from '../output.ts';
import { createProgress } from '../progress.ts';

const PG_BACKUP_HOWTO = `herald backup copies the embedded SQLite store; this one is PostgreSQL (HERALD_DATABASE_URL).
Back it up with PostgreSQL's own tools, which take a consistent snapshot while Herald runs:
  pg_dump --format=custom --file=herald.dump "$HERALD_DATABASE_URL"
and restore it into an empty database with:
  pg_restore --no-owner --dbname="$HERALD_DATABASE_URL" herald.dump`;

const PG_RESTORE_HOWTO = `herald restore fills an embedded SQLite store; this one is PostgreSQL (HERALD_DATABASE_URL).
Restore a pg_dump into an empty database with:
  pg_restore --no-owner --dbname="$HERALD_DATABASE_URL" herald.dump`;

const size = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${Math.ceil(bytes / 1024)} KiB`;

function hasAttachments(dataDir: string): boolean {
  const dir = path.join(dataDir, 'attachments');
  return existsSync(dir) && readdirSync(dir).length > 0;
}

async function backup(file: string, opts: { force?: boolean; json?: boolean }): Promise<void> {
  const config = await localConfig();
  if (config.databaseUrl) {
    note(PG_BACKUP_HOWTO);
    process.exitCode = EXIT.failed;
    return;
  }
  const { backupSqlite } = await import('../../store/backup.ts');
  const progress = createProgress('backup');
  const result = await backupSqlite(config.dataDir, path.resolve(file), {
    overwrite: opts.force === true,
    // A secret the operator sets in the environment stays theirs to keep.
    secret: process.env.HERALD_SECRET ? undefined : config.secret,
    onProgress: (done, total) => progress.update(done, total),
  });
  progress.finish();
  if (opts.json) return printJson(result);
  print(
    `Backed up ${plural(result.messages, 'message')}, ${plural(result.users, 'user')} and ${plural(result.buckets, 'bucket')} ` +
      `(schema ${result.migration}) to ${result.file} (${size(result.bytes)}).`,
  );
  if (hasAttachments(config.dataDir)) {
    note(`Uploaded attachments are files: copy ${path.join(config.dataDir, 'attachments')} as well.`);
  }
}

async function restore(file: string, opts: { json?: boolean }): Promise<void> {
  // Not loadConfig(): it would create the data dir's secret, and the dir must stay empty.
  if (process.env.HERALD_DATABASE_URL) {
    note(PG_RESTORE_HOWTO);
    process.exitCode = EXIT.failed;
    return;
  }
  const dataDir = path.resolve(process.env.HERALD_DATA_DIR?.trim() || DEFAULTS.dataDir);
  const { restoreSqlite } = await import('../../store/backup.ts');
  const ownSecret = Boolean(process.env.HERALD_SECRET);
  const info = restoreSqlite(path.resolve(file), dataDir, { writeSecret: !ownSecret });
  if (opts.json) return printJson({ ...info, dataDir });
  print(
    `Restored ${plural(info.messages, 'message')}, ${plural(info.users, 'user')} and ${plural(info.buckets, 'bucket')} ` +
      `(schema ${info.migration}${info.createdAt ? `, backed up ${info.createdAt}` : ''}) into ${dataDir}.`,
  );
  if (!info.hasSecret && !ownSecret) {
    note(
      'The backup holds no secret: set HERALD_SECRET to the old server’s value, or saved channel secrets cannot be read.',
    );
  } else if (info.hasSecret && ownSecret) {
    note('HERALD_SECRET is set, so the backup’s secret was not written; it must equal the old server’s.');
  }
  note('Start the server on this data dir to apply any newer migrations.');
}

export function registerBackup(program: Command): void {
  program
    .command('backup')
    .description('copy the SQLite store to FILE while the server runs (PostgreSQL: use pg_dump)')
    .argument('<file>', 'where to write the backup')
    .option('--force', 'replace FILE if it exists')
    .option('--json', 'print JSON')
    .action(backup);
  program
    .command('restore')
    .description('restore a backup into an empty data dir (HERALD_DATA_DIR)')
    .argument('<file>', 'a file made by herald backup')
    .option('--json', 'print JSON')
    .action(restore);
}
