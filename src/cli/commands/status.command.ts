import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { Config } from '../../config/config.ts';
import { hostForClient } from '../client.ts';
import { localConfig, withLocalContext } from '../local-store.ts';
import { fields, out, plural, print, printJson } from '../output.ts';

/** ms to wait for a local server's /healthz before calling it not running. */
const PROBE_TIMEOUT_MS = 1_500;

interface ServerProbe {
  url: string;
  running: boolean;
  /** Open inbox watchers the server reports on /metrics; null when it reports none. */
  watchers: number | null;
}

/** Sums every `herald_…watchers…` gauge sample in a Prometheus text exposition. */
export function watchersFromMetrics(text: string): number | null {
  let total: number | null = null;
  for (const line of text.split('\n')) {
    const m = /^(herald_[a-z_]*watchers[a-z_]*)(\{[^}]*\})?\s+([0-9.eE+-]+)\s*$/.exec(line);
    if (!m || m[1].endsWith('_total') || m[1].endsWith('_created')) continue;
    total = (total ?? 0) + Number(m[3]);
  }
  return total;
}

async function probe(url: string): Promise<ServerProbe> {
  const get = (p: string) => fetch(url + p, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
  try {
    const health = await get('/healthz');
    await health.body?.cancel();
    if (!health.ok) return { url, running: false, watchers: null };
  } catch {
    return { url, running: false, watchers: null };
  }
  try {
    const metrics = await get('/metrics');
    return { url, running: true, watchers: metrics.ok ? watchersFromMetrics(await metrics.text()) : null };
  } catch {
    return { url, running: true, watchers: null };
  }
}

/** The PostgreSQL URL without its password. */
function redact(databaseUrl: string): string {
  try {
    const u = new URL(databaseUrl);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'postgres://…';
  }
}

interface StoreReport {
  kind: 'sqlite' | 'postgres';
  location: string;
  /** False when the SQLite file does not exist yet (nothing has run on this data dir). */
  exists: boolean;
}

async function storeReport(config: Config) {
  const store: StoreReport = config.databaseUrl
    ? { kind: 'postgres', location: redact(config.databaseUrl), exists: true }
    : { kind: 'sqlite', location: path.join(config.dataDir, 'herald.db'), exists: true };
  // Opening SQLite would create an empty store; report the missing file instead.
  if (store.kind === 'sqlite' && !existsSync(store.location)) {
    store.exists = false;
    return { store, migrations: null, deliveries: null, counts: null };
  }
  const { listMigrations } = await import('../../store/migrations.ts');
  const { storeStatus } = await import('../../store/status.repository.ts');
  return withLocalContext(
    async (ctx) => {
      const migrations = await listMigrations(ctx.store.db);
      const applied = migrations.filter((m) => m.executedAt !== undefined).map((m) => m.name);
      const pending = migrations.filter((m) => m.executedAt === undefined).map((m) => m.name);
      // An unmigrated store has no tables to count yet.
      const counts = applied.length > 0 ? await storeStatus(ctx.store.db) : null;
      return {
        store,
        migrations: { applied: applied.length, latest: applied.at(-1) ?? null, pending },
        deliveries: counts?.deliveries ?? null,
        counts: counts ? { users: counts.users, buckets: counts.buckets, messages: counts.messages } : null,
      };
    },
    { migrate: false, config },
  );
}

async function status(opts: { url?: string; json?: boolean }): Promise<void> {
  const config = await localConfig();
  const url = (
    opts.url ??
    process.env.HERALD_URL ??
    `http://${hostForClient(config.host)}:${config.port}`
  ).replace(/\/+$/, '');
  const [local, server] = await Promise.all([storeReport(config), probe(url)]);
  const report = { ...local, server };
  if (opts.json) return printJson(report);
  const d = report.deliveries;
  const m = report.migrations;
  const s = report.server;
  print(
    fields([
      [
        'store',
        `${report.store.kind} (${report.store.location})${report.store.exists ? '' : out.yellow(' — not created yet')}`,
      ],
      [
        'migrations',
        m
          ? `${m.applied} applied${m.latest ? `, latest ${m.latest}` : ''}; ${
              m.pending.length > 0
                ? out.yellow(`${m.pending.length} pending: ${m.pending.join(', ')}`)
                : '0 pending'
            }`
          : '-',
      ],
      ['queue', d ? `${d.pending} pending, ${d.sending} sending` : '-'],
      [
        'failed',
        d
          ? d.failed > 0
            ? out.red(plural(d.failed, 'failed delivery').replace(/ys$/, 'ies'))
            : '0 failed deliveries'
          : '-',
      ],
      [
        'contents',
        report.counts
          ? [
              plural(report.counts.messages, 'message'),
              plural(report.counts.users, 'user'),
              plural(report.counts.buckets, 'bucket'),
            ].join(', ')
          : '-',
      ],
      ['server', s.running ? out.green(`running at ${s.url}`) : `not running (nothing answers at ${s.url})`],
      [
        'watchers',
        s.running ? (s.watchers === null ? 'unknown (the server reports none)' : String(s.watchers)) : '-',
      ],
    ]),
  );
}

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('store, migrations, delivery queue, failed deliveries and live watchers')
    .option('--url <url>', 'where the server answers (env HERALD_URL; default HERALD_HOST:PORT)')
    .option('--json', 'print JSON')
    .action(status);
}
