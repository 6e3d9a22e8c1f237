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
 * service answers each time with the whole member list, which made a 10k setup take minutes).
 * Design goals: every watcher gets its frame, p99 ≤ 200 ms from the POST, ≤ +250 MB server RSS
 * for 10k idle watchers. Figures only; nothing here passes or fails.
 *
 * Both the message and the baseline's frame come after a warm-up one to every watcher, whose
 * frames are not timed (a server that has been running has its paths compiled and warm).
 *
 * Then the baseline: the same watchers process connects to a bare `ws` server in this process,
 * which sends one frame of the same size to every socket in a loop. Its p99 is what 10k socket
 * writes alone take on this machine right now, to read Herald's figure against.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { WebSocketServer } from 'ws';
import { loadConfig } from '../src/config/config.ts';
import type { Principal } from '../src/domain/principal.ts';
import { startServer } from '../src/main.ts';
import { createAccessToken } from '../src/services/access-token.service.ts';
import { createBucket } from '../src/services/bucket.service.ts';
import { createUser } from '../src/services/user.service.ts';
import { startProfile } from './lib/profile.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** What the measured frame carries (the warm-up frame does not); the watchers time only it. */
const MARKER = 'Deploy finished';
/** How long the warm-up's frames get to go out before the measured message. */
const WARM_UP_MS = 3_000;
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

/** The watchers process (bench/lib/watchers.ts) pointed at `url`, one socket per token. */
function startWatchers(url: string, tokens: string[], timeoutMs: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join('bench', 'lib', 'watchers.ts'), url, String(timeoutMs), MARKER],
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
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.stdin.end(JSON.stringify(tokens));
  return {
    /** Resolves once every socket is open (or failed). */
    ready: nextLine() as Promise<{ failed: number }>,
    /** Call right after the frames were triggered: each first frame's arrival time (epoch ms). */
    async arrivals(): Promise<number[]> {
      child.kill('SIGUSR2');
      return ((await nextLine()) as { arrivals: number[] }).arrivals;
    },
    exited,
  };
}

/** Bytes of a watch frame as Herald sends it in this bench (for the baseline's frames). */
function frameBytes(): number {
  const item = {
    id: '019cad8f-ac00-747c-b462-5c15f2cba912',
    user_id: '019cad8f-ac00-71df-949c-8e168c9a294b',
    template_id: '9d3c1a60-0b1e-4c53-9b2a-5f0e2d7c1a01',
    targets: ['019cad8f-ac00-747c-b462-5c15f2cba913', '019cad8f-ac00-747c-b462-5c15f2cba914'],
    title: 'Deploy finished',
    content: 'prod is on v2.4.1',
    icon: '',
    actions: [],
    read_at: null,
    created_at: new Date().toISOString(),
  };
  return JSON.stringify({ notification: item, unread_count: 1 }).length;
}

/**
 * The baseline: a bare `ws` server in this process; the watchers connect to it, and one frame
 * of `bytes` bytes goes to every socket in one loop. Returns the latencies, sorted.
 */
async function bareBaseline(tokens: string[], timeoutMs: number, bytes: number): Promise<number[]> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => wss.once('listening', () => resolve()));
  const { port } = wss.address() as { port: number };
  try {
    const watchers = startWatchers(`http://127.0.0.1:${port}`, tokens, timeoutMs);
    await watchers.ready;
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const frame = (text: string) =>
      JSON.stringify({ text, pad: 'x'.repeat(Math.max(0, bytes - 21 - text.length)) });
    const warm = frame('Warm-up');
    for (const ws of wss.clients) ws.send(warm);
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));
    const measured = frame(MARKER);
    const sentAt = Date.now();
    for (const ws of wss.clients) ws.send(measured);
    const arrivals = await watchers.arrivals();
    await watchers.exited;
    return arrivals.map((t) => t - sentAt).sort((x, y) => x - y);
  } finally {
    for (const ws of wss.clients) ws.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  }
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
    const herald = startWatchers(server.url, tokens, timeoutMs);
    const connectStart = performance.now();
    const ready = await herald.ready;
    console.log(
      `connect: ${watchers - Number(ready.failed)} of ${watchers} watchers open in ${(performance.now() - connectStart).toFixed(0)} ms`,
    );
    // Let the connections settle, then weigh them.
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    global.gc?.();
    const rssIdle = process.memoryUsage().rss;
    // A first message to all of them warms the path (JIT, the response serializer, statement
    // caches), as a server that has been running is; the watchers do not time its frames.
    await post(server.url, sender.token, { title: 'Warm-up', bucketId: bucket.id, deliveryType: 'NORMAL' });
    await new Promise((resolve) => setTimeout(resolve, WARM_UP_MS));

    const cpuProf = process.argv.indexOf('--cpu-prof');
    const profiling = await startProfile(cpuProf === -1 ? undefined : process.argv[cpuProf + 1]);
    const cpuAtPost = process.cpuUsage();
    const postedAt = Date.now();
    await post(server.url, sender.token, {
      title: MARKER,
      body: 'prod is on v2.4.1',
      bucketId: bucket.id,
      deliveryType: 'NORMAL',
    });
    const postMs = Date.now() - postedAt;
    const arrivals = await herald.arrivals();
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
    await herald.exited;

    const bare = await bareBaseline(tokens, timeoutMs, frameBytes());
    console.log(
      `bare ws broadcast p99  ${percentile(bare, 99)} ms (p50 ${percentile(bare, 50)}; ${bare.length} of ${watchers} frames)`,
    );
  } finally {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
