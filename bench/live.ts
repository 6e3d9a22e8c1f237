/**
 * Live benchmark: N inbox watchers (one WebSocket per user, default 10,000) on one process, one
 * bucket message to all of them. How long from the POST until each watcher has its frame, and
 * what the idle watchers cost in memory.
 *
 *   node --import tsx bench/live.ts [--watchers N] [--timeout MS] [--cpu-prof FILE]
 *
 * The server runs in this process on a fresh SQLite store; the watchers run in their own process
 * (bench/lib/watchers.ts) so their sockets and JSON parsing do not share the server's CPU time
 * slice. Users and tokens are created through the services before the watchers connect; the
 * memberships are written in one statement afterwards (adding members one by one through the
 * service answers each time with the whole member list, which made a 10k setup take minutes). Design goals: every watcher gets its frame, p99 ≤ 200 ms from the POST, ≤ +250 MB
 * server RSS for 10k idle watchers. Figures only; nothing here passes or fails.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { loadConfig } from '../src/config/config.ts';
import type { Principal } from '../src/domain/principal.ts';
import { startServer } from '../src/main.ts';
import { createAccessToken } from '../src/services/access-token.service.ts';
import { createBucket } from '../src/services/bucket.service.ts';
import { createUser } from '../src/services/user.service.ts';
import { startProfile } from './lib/profile.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Setup calls in flight at once (group commit batches them). */
const SETUP_CONCURRENCY = 64;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i === -1) return fallback;
  const n = Number(process.argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
  return n;
}

async function pool<T>(count: number, work: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: SETUP_CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        out[i] = await work(i);
      }
    }),
  );
  return out;
}

const principalOf = (userId: string, permissions: string[]): Principal => ({
  userId,
  email: null,
  username: null,
  permissions: new Set(permissions),
  scopes: null,
  tokenId: null,
  bucketIds: null,
  tenantId: null,
});

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** POST /api/v1/messages; anything but 201 throws. */
async function post(url: string, token: string, body: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${url}/api/v1/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 201)
    throw new Error(`POST /api/v1/messages answered ${res.status}: ${await res.text()}`);
}

const mb = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MB`;

async function main(): Promise<void> {
  const watchers = arg('--watchers', 10_000);
  const timeoutMs = arg('--timeout', 15_000);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-live-'));
  const server = await startServer(
    loadConfig({
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: '0',
      HERALD_DATA_DIR: dataDir,
      HERALD_LOG_LEVEL: 'silent',
      HERALD_WORKERS: '0',
    }),
  );
  const { ctx } = server;
  try {
    console.log(
      `live bench: ${watchers} watchers (one per user) in a separate process, SQLite store, ` +
        `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
    );
    const owner = await createUser(ctx, { username: 'bench-owner', roles: ['admin'] });
    const ownerP = principalOf(owner.id, ['admin']);
    const bucket = await createBucket(ctx, ownerP, { name: 'everyone' });
    const sender = await createAccessToken(ctx, ownerP, { name: 'sender', scopes: ['messages:create'] });
    const setupStart = performance.now();
    const tokens = await pool(watchers, async (i) => {
      const user = await createUser(ctx, { username: `watcher-${i}` });
      const t = await createAccessToken(ctx, principalOf(user.id, []), {
        name: 'watch',
        scopes: ['inbox:read'],
      });
      return t.token;
    });
    const now = Date.now();
    await ctx.store.writer.run(async (tx) => {
      await sql`
        insert into bucket_members (bucket_id, user_id, permission, created_at)
        select ${bucket.id}, id, 'read', ${now} from users where username like 'watcher-%'
      `.execute(tx);
    });
    console.log(
      `setup: ${watchers} users, memberships and tokens in ${(performance.now() - setupStart).toFixed(0)} ms`,
    );

    global.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join('bench', 'lib', 'watchers.ts'), server.url, String(timeoutMs)],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines: Array<Record<string, unknown>> = [];
    let waiting: (() => void) | undefined;
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let nl = buffered.indexOf('\n');
      while (nl !== -1) {
        lines.push(JSON.parse(buffered.slice(0, nl)) as Record<string, unknown>);
        buffered = buffered.slice(nl + 1);
        nl = buffered.indexOf('\n');
        waiting?.();
      }
    });
    const nextLine = async (): Promise<Record<string, unknown>> => {
      while (lines.length === 0) await new Promise<void>((resolve) => (waiting = resolve));
      return lines.shift() as Record<string, unknown>;
    };
    child.stdin.end(JSON.stringify(tokens));
    const connectStart = performance.now();
    const ready = await nextLine();
    console.log(
      `connect: ${watchers - Number(ready.failed)} of ${watchers} watchers open in ${(performance.now() - connectStart).toFixed(0)} ms`,
    );
    // Let the connections settle, then weigh them.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    global.gc?.();
    const rssIdle = process.memoryUsage().rss;
    // A first message, to a bucket no watcher is in, warms the path (JIT, the response
    // serializer, statement caches) as fanout.ts does.
    const warm = await createBucket(ctx, ownerP, { name: 'warm' });
    await post(server.url, sender.token, { title: 'warm', bucketId: warm.id, deliveryType: 'NORMAL' });

    const cpuProf = process.argv.indexOf('--cpu-prof');
    const profiling = await startProfile(cpuProf === -1 ? undefined : process.argv[cpuProf + 1]);
    const cpuAtPost = process.cpuUsage();
    const postedAt = Date.now();
    await post(server.url, sender.token, {
      title: 'Deploy finished',
      body: 'prod is on v2.4.1',
      bucketId: bucket.id,
      deliveryType: 'NORMAL',
    });
    const postMs = Date.now() - postedAt;
    child.kill('SIGUSR2');
    const { arrivals } = (await nextLine()) as { arrivals: number[] };
    // This process is the server (the bench itself only waits meanwhile).
    const cpu = process.cpuUsage(cpuAtPost);
    await profiling.stop();
    const latencies = arrivals.map((t) => t - postedAt).sort((a, b) => a - b);

    console.log(`POST to 201 (${watchers} recipients)  ${postMs} ms`);
    console.log(
      `frames received  ${latencies.length} of ${watchers} (${((latencies.length / watchers) * 100).toFixed(1)}%)`,
    );
    console.log(`frame latency p50  ${percentile(latencies, 50)} ms`);
    console.log(`frame latency p99  ${percentile(latencies, 99)} ms (goal ≤ 200 ms)`);
    console.log(`frame latency max  ${latencies.at(-1) ?? Number.NaN} ms`);
    console.log(
      `server CPU  ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms from the POST to the last frame ` +
        `(${(cpu.system / 1000).toFixed(0)} ms of it in the kernel, mostly socket writes)`,
    );
    console.log(`idle watchers RSS  +${mb(rssIdle - rssBefore)} (goal ≤ +250 MB for 10k)`);
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
