/**
 * Several Herald processes on one PostgreSQL database: do they share the work, and do they act
 * as one server?
 *
 *   node --import tsx bench/cluster.ts [--processes N] [--seconds S] [--deliveries D]
 *                                      [--watch K] [--source dist|tsx]
 *
 * Starts a throwaway PostgreSQL cluster and N `herald serve` processes (default 3; the compiled
 * build in dist/, rebuilt first when stale, as `npm start` runs it; `--source tsx` runs the
 * sources), each with its own port and data dir, all with the same HERALD_DATABASE_URL and
 * HERALD_SECRET. Then, one phase after another:
 *
 * 1. ingest: `POST /api/v1/messages` with an access token at 50 connections from the load
 *    generator's own process, in alternating rounds to the first process alone and spread over
 *    all of them; every 201 must be a stored message.
 * 2. deliveries: D webhook deliveries committed in one transaction straight into the shared
 *    table, as any process's commit would leave them; each process finds them at its next poll
 *    and claims with SKIP LOCKED. The receiver (on its own thread) tells the senders apart by
 *    the process that owns each connection's socket (/proc), and counts every delivery id it
 *    sees, so a delivery sent twice shows. The processes' own /metrics counts are printed beside.
 * 3. watch: an inbox WebSocket on every process; K messages posted one at a time through the
 *    first; the time from each POST to the frame on each process.
 * 4. crash: another D deliveries, and the last process is killed (SIGKILL) once a quarter of
 *    them arrived. Its claimed rows come back when their lease ends (HERALD_LEASE_MS is 3 s
 *    here, send timeout 1 s) and the others send them: none may be lost, and a delivery may
 *    arrive twice only if the killed process sent it first (then with the same id).
 *
 * Figures only; nothing here passes or fails. The PostgreSQL cluster runs with fsync off.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import WebSocket from 'ws';
import { loadConfig } from '../src/config/config.ts';
import { type AppContext, closeContext, createContext } from '../src/context.ts';
import { enqueueDeliveries } from '../src/queue/enqueue.ts';
import { ensureBuild } from '../test/support/build.ts';
import { freePort, startPgCluster } from '../test/support/postgres-cluster.ts';
import { drive, type LoadJob, type LoadResult } from './lib/drive.ts';
import { arg, json } from './lib/http.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CONNECTIONS = 50;
const WARMUP_MS = 1_000;
const ROUND_MS = 2_000;
/** The same on every process: it signs JWTs and seals channel secrets, so it must be. */
const SECRET = 'bench-cluster-secret-not-for-production';
const ADMIN = { email: 'bench@example.com', password: 'bench-password-1' };
const START_TIMEOUT_MS = 60_000;
/** How long the delivery and watch phases may wait for what they expect before giving up. */
const PHASE_TIMEOUT_MS = 60_000;
const CONTENT = { title: 'Cluster bench', text: 'shared queue', data: { n: 1 } };

interface Proc {
  name: string;
  origin: string;
  child: ChildProcess;
  pid: number;
  dataDir: string;
  output: () => string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** User + system CPU of a process in ms (/proc/<pid>/stat counts in USER_HZ, 100 a second). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function healthy(origin: string): Promise<boolean> {
  try {
    const res = await fetch(`${origin}/healthz`, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

async function startHerald(name: string, source: string, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `herald-bench-cluster-${name}-`));
  const args =
    source === 'tsx'
      ? [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          "const { main } = await import('./src/cli/cli.ts'); await main(['serve']);",
        ]
      : ['bin/herald.js', 'serve'];
  const { PATH, HOME, TMPDIR } = process.env;
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH, HOME, TMPDIR, ...env, HERALD_PORT: String(port), HERALD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (d: string) => {
    output = (output + d).slice(-8_000);
  };
  child.stdout!.setEncoding('utf8').on('data', keep);
  child.stderr!.setEncoding('utf8').on('data', keep);
  const origin = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  while (!(await healthy(origin))) {
    if (child.exitCode !== null || performance.now() - t0 > START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${name}: not healthy (exit ${child.exitCode}); output:\n${output}`);
    }
    await sleep(20);
  }
  return { name, origin, child, pid: child.pid!, dataDir, output: () => output };
}

async function stopHerald(p: Proc): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) {
    const exited = new Promise((resolve) => p.child.once('exit', resolve));
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(p.dataDir, { recursive: true, force: true });
}

/**
 * The webhook receiver, on its own thread. It counts every request under its delivery id and
 * the client port of its connection, and tells the parent about each new connection so the
 * parent can find, while the connection is open, which Herald process owns its other end (see
 * {@link createOwners}); the receiver itself never waits for that.
 */
const RECEIVER = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
let hits = 0;
let senders = new Map();
const server = createServer((req, res) => {
  const port = req.socket.remotePort;
  req.resume();
  req.on('end', () => {
    hits++;
    const id = req.headers['x-herald-delivery'];
    const list = senders.get(id);
    if (list) list.push(port); else senders.set(id, [port]);
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
server.on('connection', (socket) => parentPort.postMessage({ connected: socket.remotePort }));
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'hits') parentPort.postMessage({ hits });
  if (m === 'stats') parentPort.postMessage({ stats: { hits, senders: [...senders] } });
  if (m === 'reset') { hits = 0; senders = new Map(); parentPort.postMessage({ reset: true }); }
  if (m === 'close') server.close(() => process.exit(0));
});
`;

/**
 * Which process owns the client end of each receiver connection: the socket's inode from the
 * line of /proc/net/tcp whose local port is the client's and remote port the receiver's, then
 * that inode among each Herald process's open files. Ports are looked up in batches, one scan
 * of every process's files per batch.
 */
function createOwners(pids: number[], serverPort: number) {
  const owners = new Map<number, number>();
  let queued: number[] = [];
  let scan: Promise<void> | undefined;
  const hex = (port: number) => `:${port.toString(16).toUpperCase().padStart(4, '0')}`;
  async function run(): Promise<void> {
    await sleep(20); // let a burst of new connections gather
    const ports = queued;
    queued = [];
    const inodes = new Map<string, number>();
    const serverHex = hex(serverPort);
    for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(file, 'utf8').catch(() => '');
      const byLocal = new Map<string, string>();
      for (const line of text.split('\n').slice(1)) {
        const f = line.trim().split(/\s+/);
        if (f.length > 9 && f[2].endsWith(serverHex)) byLocal.set(f[1].slice(f[1].lastIndexOf(':')), f[9]);
      }
      for (const port of ports) {
        const inode = byLocal.get(hex(port));
        if (inode) inodes.set(`socket:[${inode}]`, port);
      }
    }
    for (const pid of pids) {
      const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
        const port = inodes.get(link);
        if (port !== undefined) owners.set(port, pid);
      }
    }
  }
  const kick = (): void => {
    if (scan || queued.length === 0) return;
    scan = run().finally(() => {
      scan = undefined;
      kick();
    });
  };
  return {
    add(port: number): void {
      queued.push(port);
      kick();
    },
    /** Owner of a client port once every lookup asked for so far finished; 0 when not found. */
    async ownerOf(port: number): Promise<number> {
      while (scan || queued.length > 0) await (scan ?? sleep(5));
      return owners.get(port) ?? 0;
    },
  };
}

interface ReceiverStats {
  hits: number;
  distinct: number;
  /** Requests per sending process id (0: owner not found). */
  byPid: Record<string, number>;
  repeats: { id: string; senders: number[] }[];
}

interface Receiver {
  url: string;
  hits(): Promise<number>;
  stats(): Promise<ReceiverStats>;
  reset(): Promise<void>;
  close(): void;
}

function startReceiver(pids: number[]): Promise<Receiver> {
  const worker = new Worker(RECEIVER, { eval: true });
  let owners: ReturnType<typeof createOwners> | undefined;
  const early: number[] = [];
  worker.on('message', (m: { connected?: number }) => {
    if (m.connected === undefined) return;
    if (owners) owners.add(m.connected);
    else early.push(m.connected);
  });
  const ask = <T>(message: string, key: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (!(key in m)) return;
        worker.off('message', on);
        resolve(m[key] as T);
      };
      worker.on('message', on);
      worker.postMessage(message);
    });
  const stats = async (): Promise<ReceiverStats> => {
    const raw = await ask<{ hits: number; senders: [string, number[]][] }>('stats', 'stats');
    const byPid: Record<string, number> = {};
    const repeats: ReceiverStats['repeats'] = [];
    for (const [id, ports] of raw.senders) {
      const list = await Promise.all(ports.map((port) => owners!.ownerOf(port)));
      for (const pid of list) byPid[pid] = (byPid[pid] ?? 0) + 1;
      if (list.length > 1) repeats.push({ id, senders: list });
    }
    return { hits: raw.hits, distinct: raw.senders.length, byPid, repeats };
  };
  return new Promise((resolve) => {
    const onPort = (m: { port?: number }) => {
      if (m.port === undefined) return;
      worker.off('message', onPort);
      owners = createOwners(pids, m.port);
      for (const port of early.splice(0)) owners.add(port);
      resolve({
        url: `http://127.0.0.1:${m.port}/hook`,
        hits: () => ask<number>('hits', 'hits'),
        stats,
        reset: () => ask<boolean>('reset', 'reset').then(() => undefined),
        close: () => worker.postMessage('close'),
      });
    };
    worker.on('message', onPort);
  });
}

async function countMessages(ctx: AppContext): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('messages')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function countSent(ctx: AppContext, ids: string[]): Promise<number> {
  let sent = 0;
  for (let i = 0; i < ids.length; i += 1_000) {
    const row = await ctx.store.db
      .selectFrom('deliveries')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('status', '=', 'sent')
      .where('id', 'in', ids.slice(i, i + 1_000))
      .executeTakeFirstOrThrow();
    sent += Number(row.n);
  }
  return sent;
}

async function waitFor(what: string, check: () => Promise<boolean>): Promise<void> {
  const t0 = performance.now();
  while (!(await check())) {
    if (performance.now() - t0 > PHASE_TIMEOUT_MS) throw new Error(`gave up waiting for ${what}`);
    await sleep(20);
  }
}

/** `herald_deliveries_total{channel="webhook",status="sent"}` from one process's /metrics. */
async function sentByMetrics(p: Proc): Promise<number> {
  const text = await (await fetch(`${p.origin}/metrics`)).text();
  const m = /^herald_deliveries_total\{[^}]*channel="webhook"[^}]*status="sent"[^}]*\}\s+(\d+)/m.exec(text);
  const m2 = /^herald_deliveries_total\{[^}]*status="sent"[^}]*channel="webhook"[^}]*\}\s+(\d+)/m.exec(text);
  return Number((m ?? m2)?.[1] ?? 0);
}

const figure = (label: string, value: string) => console.log(`${label.padEnd(44)}  ${value}`);

async function ingestPhase(procs: Proc[], token: string, bucketId: string, seconds: number, ctx: AppContext) {
  const body = JSON.stringify({
    title: 'Build finished',
    body: 'main #1234 passed in 3m 12s',
    bucketId,
    deliveryType: 'NORMAL',
  });
  const origins = procs.map((p) => p.origin);
  const job = (spread: boolean, durationMs: number): LoadJob => ({
    origin: origins[0],
    ...(spread ? { origins } : {}),
    method: 'POST',
    path: '/api/v1/messages',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body,
    connections: CONNECTIONS,
    durationMs,
  });
  const cpuOfAll = () => procs.reduce((n, p) => n + cpuMsOf(p.pid), 0);
  interface Side {
    requests: number;
    created: number;
    ms: number;
    cpuMs: number;
    byOrigin: number[];
    p99: number[];
  }
  const sides = {
    one: { requests: 0, created: 0, ms: 0, cpuMs: 0, byOrigin: procs.map(() => 0), p99: [] } as Side,
    all: { requests: 0, created: 0, ms: 0, cpuMs: 0, byOrigin: procs.map(() => 0), p99: [] } as Side,
  };
  let warmCreated = 0;
  for (const spread of [false, true]) {
    const r = await drive(job(spread, WARMUP_MS));
    warmCreated += r.statuses['201'] ?? 0;
  }
  const rounds = Math.max(1, Math.round((seconds * 1000) / ROUND_MS));
  for (let i = 0; i < rounds; i++) {
    for (const spread of [false, true]) {
      const side = spread ? sides.all : sides.one;
      const cpu = cpuOfAll();
      const r: LoadResult = await drive(job(spread, (seconds * 1000) / rounds));
      side.cpuMs += cpuOfAll() - cpu;
      side.requests += r.requests;
      side.created += r.statuses['201'] ?? 0;
      side.ms += r.elapsedMs;
      side.p99.push(r.p99Ms);
      const other = Object.keys(r.statuses).filter((s) => s !== '201');
      if (other.length > 0) console.log(`ingest round answered ${JSON.stringify(r.statuses)}`);
      (r.byOrigin ?? [r.requests]).forEach((n, o) => {
        side.byOrigin[o] += n;
      });
    }
  }
  const rate = (s: Side) => (s.requests / s.ms) * 1000;
  const cpuUs = (s: Side) => (s.cpuMs * 1000) / Math.max(1, s.requests);
  figure('ingest req/s, one process', rate(sides.one).toFixed(0));
  figure(
    `ingest req/s, ${procs.length} processes`,
    `${rate(sides.all).toFixed(0)} (requests answered: ${sides.all.byOrigin.map((n, o) => `${procs[o].name} ${n}`).join(', ')})`,
  );
  figure('ingest ratio, all/one', (rate(sides.all) / rate(sides.one)).toFixed(3));
  figure('ingest p99, one process', `${Math.max(...sides.one.p99).toFixed(1)} ms`);
  figure(`ingest p99, ${procs.length} processes`, `${Math.max(...sides.all.p99).toFixed(1)} ms`);
  figure('ingest server CPU per request, one', `${cpuUs(sides.one).toFixed(0)} µs`);
  figure(
    `ingest server CPU per request, ${procs.length}`,
    `${cpuUs(sides.all).toFixed(0)} µs (all processes)`,
  );
  const created = warmCreated + sides.one.created + sides.all.created;
  const stored = await countMessages(ctx);
  figure(
    'ingest commit',
    `${stored} messages stored for ${created} responses of 201 — ${stored === created ? 'match' : 'MISMATCH'}`,
  );
  if (stored !== created) process.exitCode = 1;
}

async function enqueueBatch(ctx: AppContext, count: number): Promise<string[]> {
  return ctx.store.writer.run((tx) =>
    enqueueDeliveries(
      tx,
      [{ channel: 'webhook', recipients: Array.from({ length: count }, () => ({})), content: CONTENT }],
      Date.now(),
    ),
  );
}

function shares(procs: Proc[], stats: ReceiverStats): string {
  const named = procs.map((p) => `${p.name} ${stats.byPid[p.pid] ?? 0}`);
  const unknown = stats.byPid['0'] ?? 0;
  return named.join(', ') + (unknown > 0 ? `, unknown sender ${unknown}` : '');
}

async function deliveryPhase(procs: Proc[], ctx: AppContext, receiver: Receiver, count: number) {
  await receiver.reset();
  const before = await Promise.all(procs.map(sentByMetrics));
  const ids = await enqueueBatch(ctx, count);
  const committedAt = performance.now();
  let firstAt = 0;
  await waitFor('the first delivery', async () => {
    const hits = await receiver.hits();
    if (hits > 0 && firstAt === 0) firstAt = performance.now();
    return hits > 0;
  });
  await waitFor(`${count} deliveries`, async () => (await receiver.hits()) >= count);
  const lastAt = performance.now();
  await waitFor(`${count} deliveries recorded as sent`, async () => (await countSent(ctx, ids)) === count);
  const stats = await receiver.stats();
  const after = await Promise.all(procs.map(sentByMetrics));
  figure('deliveries sent, by sending process', `${shares(procs, stats)} (receiver's count)`);
  figure('deliveries sent, by /metrics', procs.map((p, i) => `${p.name} ${after[i] - before[i]}`).join(', '));
  figure(
    'deliveries sent twice',
    `${stats.repeats.length} of ${count} (distinct ids seen ${stats.distinct})`,
  );
  figure(
    'deliveries first pickup after commit',
    `${(firstAt - committedAt).toFixed(0)} ms (the poll interval)`,
  );
  figure(
    'deliveries/s, first to last arrival',
    `${(count / ((lastAt - firstAt) / 1000)).toFixed(0)} (${procs.length} processes)`,
  );
}

async function watchPhase(
  procs: Proc[],
  adminJwt: string,
  sendToken: string,
  bucketId: string,
  count: number,
) {
  const watchToken = (
    await json(procs[0].origin, 'POST', '/api/v1/access-tokens', adminJwt, {
      name: 'bench-watch',
      scopes: ['inbox:read'],
    })
  ).token as string;
  const arrivals = procs.map(() => new Map<number, number>());
  const sockets = await Promise.all(
    procs.map(
      (p, i) =>
        new Promise<WebSocket>((resolve, reject) => {
          const ws = new WebSocket(`${p.origin.replace(/^http/, 'ws')}/api/v2/notifications/inbox/watch`, {
            headers: { 'Coder-Session-Token': watchToken },
          });
          ws.on('message', (data) => {
            const at = performance.now();
            const frame = JSON.parse(String(data)) as { notification?: { title?: string } };
            const m = /cluster watch (\d+)/.exec(frame.notification?.title ?? '');
            if (m && !arrivals[i].has(Number(m[1]))) arrivals[i].set(Number(m[1]), at);
          });
          ws.once('open', () => resolve(ws));
          ws.once('error', reject);
        }),
    ),
  );
  try {
    await sleep(200); // the subscriptions settle (and each process's LISTEN is long up)
    const latencies = procs.map(() => [] as number[]);
    for (let n = 0; n < count; n++) {
      const postedAt = performance.now();
      await json(procs[0].origin, 'POST', '/api/v1/messages', sendToken, {
        title: `cluster watch ${n}`,
        body: 'heard everywhere?',
        bucketId,
        deliveryType: 'NORMAL',
      });
      await waitFor(`frame ${n} on every process`, async () => arrivals.every((a) => a.has(n)));
      arrivals.forEach((a, i) => {
        latencies[i].push(a.get(n)! - postedAt);
      });
      await sleep(20);
    }
    for (const [i, p] of procs.entries()) {
      const sorted = latencies[i].sort((a, b) => a - b);
      const where = i === 0 ? `${p.name} (same process)` : p.name;
      figure(
        `watch: post via ${procs[0].name}, frame on ${where}`,
        `p50 ${percentile(sorted, 50).toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (${sorted.length} messages)`,
      );
    }
  } finally {
    for (const ws of sockets) ws.terminate();
  }
}

async function crashPhase(procs: Proc[], ctx: AppContext, receiver: Receiver, count: number) {
  const victim = procs.at(-1)!;
  await receiver.reset();
  const ids = await enqueueBatch(ctx, count);
  await waitFor('a quarter of the batch', async () => (await receiver.hits()) >= count / 4);
  victim.child.kill('SIGKILL');
  const killedAt = performance.now();
  await waitFor(
    `${count} deliveries recorded as sent after the kill`,
    async () => (await countSent(ctx, ids)) === count,
  );
  const recoveredMs = performance.now() - killedAt;
  const stats = await receiver.stats();
  const byVictimFirst = stats.repeats.filter((r) => r.senders[0] === victim.pid).length;
  figure('crash: deliveries by sending process', shares(procs, stats));
  figure('crash: deliveries lost', `${count - stats.distinct} of ${count}`);
  figure(
    'crash: deliveries sent twice (same id)',
    `${stats.repeats.length}, of which first sent by the killed process ${byVictimFirst}`,
  );
  figure('crash: all sent, after the kill', `${recoveredMs.toFixed(0)} ms (lease 3000 ms)`);
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const num = (name: string, fallback: number) => {
    const n = Number(arg(argv, name, String(fallback)));
    if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
    return n;
  };
  const processes = Math.round(num('--processes', 3));
  const seconds = num('--seconds', 6);
  const deliveries = Math.round(num('--deliveries', 6_000));
  const watch = Math.round(num('--watch', 20));
  const source = arg(argv, '--source', 'dist');
  if (source !== 'dist' && source !== 'tsx') throw new Error('--source is dist or tsx');
  if (processes < 2) throw new Error('--processes needs at least 2');
  if (source === 'dist') ensureBuild();
  console.log(
    `cluster bench: ${processes} herald processes (${source}) on one PostgreSQL, node ${process.version}, ` +
      `${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
  );

  const cluster = await startPgCluster();
  const procs: Proc[] = [];
  const benchDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-cluster-'));
  let ctx: AppContext | undefined;
  let receiver: Receiver | undefined;
  try {
    const env = {
      HERALD_HOST: '127.0.0.1',
      HERALD_DATABASE_URL: cluster.url,
      HERALD_SECRET: SECRET,
      HERALD_ADMIN_EMAIL: ADMIN.email,
      HERALD_ADMIN_PASSWORD: ADMIN.password,
      HERALD_LOG_LEVEL: 'warn',
      HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
      HERALD_LEASE_MS: '3000',
      HERALD_SEND_TIMEOUT_MS: '1000',
    };
    const names = Array.from({ length: processes }, (_, i) => String.fromCharCode(65 + i));
    // The first migrates and creates the admin; the others start on a ready database.
    procs.push(await startHerald(names[0], source, env));
    procs.push(...(await Promise.all(names.slice(1).map((n) => startHerald(n, source, env)))));
    console.log(`processes: ${procs.map((p) => `${p.name} ${p.origin} (pid ${p.pid})`).join(', ')}`);

    // This process reads and enqueues on the same database; it runs no workers.
    ctx = createContext(
      loadConfig({
        HERALD_DATA_DIR: benchDir,
        HERALD_DATABASE_URL: cluster.url,
        HERALD_SECRET: SECRET,
        HERALD_LOG_LEVEL: 'warn',
      }),
      pino({ level: 'warn' }),
    );
    const a = procs[0].origin;
    const jwt = (await json(a, 'POST', '/api/v1/auth/login', null, ADMIN)).accessToken as string;
    const bucket = await json(a, 'POST', '/api/v1/buckets', jwt, { name: 'bench' });
    const zat = (
      await json(a, 'POST', '/api/v1/access-tokens', jwt, { name: 'bench', scopes: ['messages:create'] })
    ).token as string;
    receiver = await startReceiver(procs.map((p) => p.pid));
    await json(a, 'PUT', '/api/v1/notifications/channels/webhook', jwt, {
      enabled: true,
      config: { url: receiver.url, secret: 'bench-webhook-secret' },
    });

    await ingestPhase(procs, zat, bucket.id as string, seconds, ctx);
    await deliveryPhase(procs, ctx, receiver, deliveries);
    await watchPhase(procs, jwt, zat, bucket.id as string, watch);
    await crashPhase(procs, ctx, receiver, deliveries);
  } catch (err) {
    for (const p of procs) console.error(`── ${p.name} output ──\n${p.output()}`);
    throw err;
  } finally {
    receiver?.close();
    if (ctx) await closeContext(ctx);
    await Promise.all(procs.map(stopHerald));
    cluster.stop();
    rmSync(benchDir, { recursive: true, force: true });
  }
}

await main();
