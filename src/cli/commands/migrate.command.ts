import type { Command } from 'commander';
import { localConfig, withLocalContext } from '../local-store.ts';
import { print, printJson } from '../output.ts';

interface MigrateOptions {
  dryRun?: boolean;
  json?: boolean;
}

async function migrate(opts: MigrateOptions): Promise<void> {
  const config = await localConfig();
  const { listMigrations } = await import('../../store/migrations.ts');
  await withLocalContext(
    async (ctx) => {
      if (opts.dryRun) {
        const all = await listMigrations(ctx.store.db);
        const pending = all.filter((m) => m.executedAt === undefined).map((m) => m.name);
        if (opts.json) return printJson({ store: ctx.store.kind, pending });
        print(pending.length > 0 ? `Pending: ${pending.join(', ')}` : 'Already up to date.');
        return;
      }
      const applied = await ctx.store.migrate();
      const { ensureBuiltinRoles } = await import('../../services/user.service.ts');
      await ensureBuiltinRoles(ctx);
      if (opts.json) return printJson({ store: ctx.store.kind, applied });
      print(applied.length > 0 ? `Applied: ${applied.join(', ')}` : 'Already up to date.');
    },
    { migrate: false, config },
  );
}

export function registerMigrate(program: Command): void {
  program
    .command('migrate')
    .description('apply pending database migrations and exit')
    .option('--dry-run', 'list the pending migrations without applying them')
    .option('--json', 'print JSON')
    .action(migrate);
}
