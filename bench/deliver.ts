/**
 * Delivery benchmark: how close does the delivery engine come to a bare undici loop posting the
 * same kind of webhook at the same concurrency to the same receiver, and how long does one
 * delivery take from its enqueue commit to the receiver when the queue is idle?
 *
 *   node --import tsx bench/deliver.ts [--count N] [--rounds R] [--workers W] [--idle K]
 *                                      [--store sqlite|postgres|both]
 *
 * The receiver (a bare `node:http` server) runs on a thread of its own, so it shares neither
 * side's event loop. Both senders run on this thread, one at a time:
 *
 * - herald: N webhook deliveries enqueued in one commit, then timed from the wake-up after that
 *   commit until the engine is idle again with every one recorded as sent (the enqueue itself is
 *   printed apart). W concurrent sends (HERALD_WORKERS; the server's default is 32).
 * - bare: N posts of the same body shape (JSON with a fresh id and timestamp, HMAC-signed as the
 *   webhook channel signs it) with undici at W concurrent requests, each awaiting its answer.
 *
 * The rounds alternate (herald, bare, herald, …) so a noisy neighbour skews both sides alike.
 * Then K single deliveries are enqueued one at a time, each after the previous one reached the
 * receiver and the engine went idle, and the time from each enqueue commit to its arrival at the
 * receiver (the receiver's own clock) gives the idle-queue latency.
 *
 * Goals: herald/bare ≥ 0.5; idle enqueue-to-send p99 ≤ 100 ms. Figures only; nothing here
 * passes or fails. The PostgreSQL cluster runs with fsync off, so its figures are not a
 * durability-for-durability comparison with SQLite (synchronous=FULL).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { Agent, request } from 'undici';
import { loadConfig } from '../src/config/config.ts';
import { type AppContext, closeContext, createContext } from '../src/context.ts';
import { enqueueDeliveries, wakeDispatchers } from '../src/queue/enqueue.ts';
import { saveChannel } from '../src/services/channel-settings.service.ts';
import { startEngine } from '../src/workers/engine.ts';
import { startPgCluster } from '../test/support/postgres-cluster.ts';
import { arg } from './lib/http.ts';

const CONTENT = { title: 'Bench', text: 'One of many', data: { n: 1 } };
const SECRET = 'bench-webhook-secret';

/**
 * Counts requests; while `report` is on, also posts each request's delivery id and arrival time
 * (epoch ms, from this thread's clock) to the parent. Off during the rate rounds, where thousands
 * of messages would load the sending thread.
 */
const RECEIVER = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
let hits = 0;
let report = false;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    const at = performance.timeOrigin + performance.now();
    hits++;
    if (report) parentPort.postMessage({ arrived: req.headers['x-herald-delivery'], at });
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => {
  if (m === 'hits') parentPort.postMessage({ hits });
  if (m === 'report') report = true;
  if (m === 'close') server.close(() => process.exit(0));
});
`;

interface Receiver {
  url: string;
  hits(): Promise<number>;
  /** From now on, calls `onArrival` for every request. */
  report(onArrival: (id: string, at: number) => void): void;
  close(): void;
}

function startReceiver(): Promise<Receiver> {
  const worker = new Worker(RECEIVER, { eval: true });
  let onArrival: ((id: string, at: number) => void) | undefined;
  let onHits: ((n: number) => void) | undefined;
  worker.on('message', (m: { port?: number; hits?: number; arrived?: string; at?: number }) => {
    if (m.arrived !== undefined) onArrival?.(m.arrived, m.at!);
    if (m.hits !== undefined) onHits?.(m.hits);
  });
  return new Promise((resolve) => {
    worker.once('message', (m: { port: number }) =>
      resolve({
        url: `http://127.0.0.1:${m.port}/hook`,
        hits: () =>
          new Promise((r) => {
            onHits = r;
            worker.postMessage('hits');
          }),
        report(fn) {
          onArrival = fn;
          worker.postMessage('report');
        },
        close: () => worker.postMessage('close'),
      }),
    );
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function sentCount(ctx: AppContext): Promise<number> {
  const row = await ctx.store.db
    .selectFrom('deliveries')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('status', '=', 'sent')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The bare side: `count` signed JSON posts, `concurrency` in flight, over its own connections. */
interface Timed {
  seconds: number;
  /** CPU this (the sending) thread used meanwhile, in ms: it moves less with neighbours than the rate. */
  cpuMs: number;
}

/**
 * User + system CPU of this process's main thread in ms, from /proc (USER_HZ, 100 a second):
 * process.cpuUsage() would add the receiver's and the SQLite writer's threads.
 */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function timed(work: () => Promise<unknown>): Promise<Timed> {
  const cpu = mainThreadCpuMs();
  const started = performance.now();
  await work();
  const seconds = (performance.now() - started) / 1000;
  return { seconds, cpuMs: mainThreadCpuMs() - cpu };
}

async function bareLoop(url: string, count: number, concurrency: number): Promise<void> {
  const dispatcher = new Agent();
  let next = 0;
  let failed = 0;
  const loop = async () => {
    while (next < count) {
      next++;
      const now = new Date();
      const timestamp = Math.floor(now.getTime() / 1000);
      const body = JSON.stringify({
        deliveryId: randomUUID(),
        ...CONTENT,
        url: null,
        deliveryType: 'NORMAL',
        timestamp: now.toISOString(),
      });
      const signature = createHmac('sha256', SECRET).update(`${timestamp}.`).update(body).digest('hex');
      const res = await request(url, {
        method: 'POST',
        dispatcher,
        headers: {
          'user-agent': 'bench-bare/1',
          'content-type': 'application/json',
          'x-herald-timestamp': String(timestamp),
          'x-herald-signature': `sha256=${signature}`,
        },
        body,
      });
      await res.body.text();
      if (res.statusCode !== 200) failed++;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  await dispatcher.close();
  if (failed > 0) throw new Error(`bare loop: ${failed} posts were not answered 200`);
}

async function benchStore(
  store: 'sqlite' | 'postgres',
  opts: { count: number; rounds: number; workers: number; idle: number },
): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  const cluster = store === 'postgres' ? await startPgCluster() : undefined;
  const config = loadConfig({
    HERALD_DATA_DIR: dataDir,
    HERALD_PORT: '0',
    HERALD_LOG_LEVEL: 'warn',
    HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
    HERALD_WORKERS: String(opts.workers),
    ...(cluster ? { HERALD_DATABASE_URL: cluster.url } : {}),
  });
  const ctx = createContext(config, pino({ level: 'warn' }));
  const receiver = await startReceiver();
  try {
    await ctx.store.migrate();
    await saveChannel(ctx, 'webhook', { enabled: true, config: { url: receiver.url, secret: SECRET } });
    const engine = startEngine(ctx, { retention: false, events: false });
    await engine.drain(); // reads the pause setting, so the first round starts at once

    const heraldRuns: Timed[] = [];
    const bareRuns: Timed[] = [];
    const enqueueMs: number[] = [];
    for (let round = 0; round < opts.rounds; round++) {
      const t0 = performance.now();
      const now = Date.now();
      await ctx.store.writer.run((tx) =>
        enqueueDeliveries(
          tx,
          [
            {
              channel: 'webhook',
              recipients: Array.from({ length: opts.count }, () => ({})),
              content: CONTENT,
            },
          ],
          now,
        ),
      );
      enqueueMs.push(performance.now() - t0);
      heraldRuns.push(
        await timed(async () => {
          wakeDispatchers(ctx, opts.count);
          await engine.drain();
        }),
      );
      const sent = await sentCount(ctx);
      if (sent !== opts.count * (round + 1)) {
        throw new Error(`round ${round + 1}: ${sent} deliveries sent, ${opts.count * (round + 1)} expected`);
      }
      bareRuns.push(await timed(() => bareLoop(receiver.url, opts.count, opts.workers)));
    }
    const hits = await receiver.hits();

    // Idle queue: one delivery at a time, the next once the last one arrived and the engine is idle.
    const arrivals = new Map<string, (at: number) => void>();
    receiver.report((id, at) => arrivals.get(id)?.(at));
    const latencies: number[] = [];
    for (let i = 0; i < opts.idle; i++) {
      // enqueue() split at its commit: the clock starts when the row is committed.
      const [id] = await ctx.store.writer.run((tx) =>
        enqueueDeliveries(tx, [{ channel: 'webhook', recipients: [{}], content: CONTENT }], Date.now()),
      );
      const committedAt = performance.timeOrigin + performance.now();
      const arrived = new Promise<number>((resolve) => arrivals.set(id, resolve));
      wakeDispatchers(ctx, 1);
      latencies.push((await arrived) - committedAt);
      arrivals.delete(id);
      await engine.drain();
      await new Promise((r) => setTimeout(r, 5 + Math.random() * 10));
    }
    await engine.stop();

    const total = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const sent = opts.count * opts.rounds;
    const rate = (runs: Timed[]) => sent / total(runs.map((r) => r.seconds));
    const cpuUs = (runs: Timed[]) => (total(runs.map((r) => r.cpuMs)) * 1000) / sent;
    const [heraldRate, bareRate] = [rate(heraldRuns), rate(bareRuns)];
    latencies.sort((a, b) => a - b);
    const label = (s: string) => `${s} ${store}`.padEnd(34);
    console.log(
      `${store}: ${opts.rounds} rounds of ${opts.count} per side, ${opts.workers} concurrent sends, ` +
        `receiver saw ${hits} (expected ${2 * opts.count * opts.rounds}); ` +
        `enqueue of one batch ${Math.round(total(enqueueMs) / opts.rounds)} ms`,
    );
    console.log(`${label('herald deliveries/s')}  ${heraldRate.toFixed(0)}`);
    console.log(`${label('bare undici posts/s')}  ${bareRate.toFixed(0)}`);
    console.log(`${label('herald thread CPU per delivery')}  ${cpuUs(heraldRuns).toFixed(0)} µs`);
    console.log(`${label('bare thread CPU per post')}  ${cpuUs(bareRuns).toFixed(0)} µs`);
    console.log(
      `${label('delivery cpu ratio')}  ${(cpuUs(bareRuns) / cpuUs(heraldRuns)).toFixed(3)} (bare/herald CPU per send on the sending thread)`,
    );
    console.log(
      `${label('delivery ratio')}  ${(heraldRate / bareRate).toFixed(3)} (herald/bare; goal ≥ 0.5)`,
    );
    console.log(
      `${label('idle enqueue-to-send p50')}  ${percentile(latencies, 50).toFixed(1)} ms (${latencies.length} single deliveries)`,
    );
    console.log(
      `${label('idle enqueue-to-send p99')}  ${percentile(latencies, 99).toFixed(1)} ms (goal ≤ 100 ms)`,
    );
    console.log(`${label('idle enqueue-to-send max')}  ${latencies.at(-1)!.toFixed(1)} ms`);
  } finally {
    receiver.close();
    await closeContext(ctx);
    cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const num = (name: string, env: string | undefined, fallback: number) => {
    const n = Number(arg(argv, name, env ?? String(fallback)));
    if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} needs a positive whole number`);
    return n;
  };
  const opts = {
    count: num('--count', process.env.BENCH_COUNT, 10_000),
    rounds: num('--rounds', undefined, 3),
    workers: num('--workers', process.env.HERALD_WORKERS, 64),
    idle: num('--idle', undefined, 200),
  };
  const which = arg(argv, '--store', 'both');
  const stores = (which === 'both' ? ['sqlite', 'postgres'] : [which]) as ('sqlite' | 'postgres')[];
  console.log(
    `deliver bench: node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  for (const store of stores) await benchStore(store, opts);
}

await main();
