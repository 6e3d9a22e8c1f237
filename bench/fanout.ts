/**
 * Fan-out benchmark: one message to a bucket of N members (default 100,000). How long until its
 * 201 — by then every member's inbox item is committed — and does the server keep answering
 * meanwhile? A prober in its own process (bench/lib/probe.ts) calls `/healthz` every 10 ms from
 * before the POST until after its answer.
 *
 *   node --import tsx bench/fanout.ts [--members N] [--store sqlite|postgres] [--cpu-prof FILE]
 *
 * The members are written straight into the store in one set-based statement (creating 100k
 * accounts through the API would take minutes and is not what is measured). Goals: the 201 in
 * ≤ 1 s, `/healthz` p99 ≤ 100 ms during it. Figures only; nothing here passes or fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import { startServer } from '../src/main.ts';
import { startPgCluster } from '../test/support/postgres-cluster.ts';
import { arg, json } from './lib/http.ts';
import { startProfile } from './lib/profile.ts';

const PROBE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'lib', 'probe.ts');

interface ProbeResult {
  probes: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

async function startProbe(url: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', PROBE, url, '10'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
  });
  await new Promise<void>((resolve) => {
    const check = () => (out.includes('ready\n') ? resolve() : setTimeout(check, 5));
    check();
  });
  return {
    stop: () =>
      new Promise<ProbeResult>((resolve) => {
        child.once('exit', () => resolve(JSON.parse(out.slice(out.indexOf('\n') + 1)) as ProbeResult));
        child.stdin.end('stop\n');
      }),
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const members = Number(arg(argv, '--members', '100000'));
  const store = arg(argv, '--store', 'sqlite');
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-fanout-'));
  const cluster = store === 'postgres' ? await startPgCluster() : undefined;
  const admin = { email: 'bench@example.com', password: 'bench-password-1' };
  const herald = await startServer(
    loadConfig({
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: '0',
      HERALD_DATA_DIR: dataDir,
      HERALD_LOG_LEVEL: 'silent',
      HERALD_ADMIN_EMAIL: admin.email,
      HERALD_ADMIN_PASSWORD: admin.password,
      ...(cluster ? { HERALD_DATABASE_URL: cluster.url } : {}),
    }),
  );
  try {
    const origin = new URL(herald.url).origin;
    const jwt = (await json(origin, 'POST', '/api/v1/auth/login', null, admin)).accessToken as string;
    const bucket = await json(origin, 'POST', '/api/v1/buckets', jwt, { name: 'everyone' });
    const now = Date.now();
    const t0 = performance.now();
    await herald.ctx.store.writer.run(async (tx) => {
      await sql`
        with recursive n(i) as (select 1 union all select i + 1 from n where i < ${members})
        insert into users (id, email, kind, created_at, updated_at)
        select 'bench-user-' || i, 'member' || i || '@example.com', 'account', ${now}, ${now} from n
      `.execute(tx);
      await sql`
        insert into bucket_members (bucket_id, user_id, permission, created_at)
        select ${bucket.id}, id, 'read', ${now} from users where id like 'bench-user-%'
      `.execute(tx);
    });
    console.log(
      `fan-out bench: ${members} members (${(performance.now() - t0).toFixed(0)} ms to seed), ${store} store, ` +
        `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
    );
    // A first, small message warms the path (JIT, statement caches) without the big bucket.
    const warm = await json(origin, 'POST', '/api/v1/buckets', jwt, { name: 'warm' });
    await json(origin, 'POST', '/api/v1/messages', jwt, {
      title: 'warm',
      bucketId: warm.id,
      deliveryType: 'NORMAL',
    });

    // Profiling starts before the prober: switching the profiler on stalls this thread a moment.
    const profiling = await startProfile(
      argv.includes('--cpu-prof') ? arg(argv, '--cpu-prof', '') : undefined,
    );
    const probe = await startProbe(`${origin}/healthz`);
    await new Promise((r) => setTimeout(r, 200));
    const sent = performance.now();
    const message = await json(origin, 'POST', '/api/v1/messages', jwt, {
      title: 'Maintenance tonight',
      body: 'The service is down from 22:00 to 23:00.',
      bucketId: bucket.id,
      deliveryType: 'NORMAL',
    });
    const committedMs = performance.now() - sent;
    await new Promise((r) => setTimeout(r, 200));
    const health = await probe.stop();
    await profiling.stop();
    const items = Number(
      (
        await herald.ctx.store.db
          .selectFrom('notifications')
          .select((eb) => eb.fn.countAll().as('n'))
          .where('message_id', '=', message.id as string)
          .executeTakeFirstOrThrow()
      ).n,
    );
    console.log(
      `fan-out ${store} 201  ${committedMs.toFixed(0)} ms (goal ≤ 1000 ms; ${items} inbox items committed)`,
    );
    console.log(
      `healthz ${store} p99  ${health.p99Ms.toFixed(1)} ms (goal ≤ 100 ms; p50 ${health.p50Ms.toFixed(1)}, ` +
        `max ${health.maxMs.toFixed(1)}, ${health.probes} probes, ${health.failures} failed)`,
    );
  } finally {
    await herald.close();
    cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
