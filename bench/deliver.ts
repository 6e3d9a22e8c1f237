/**
 * Delivery throughput: N webhook deliveries enqueued in one batch, sent by the engine to a
 * loopback receiver (on its own thread, so it does not share the engine's event loop).
 * Prints deliveries per second and queue-to-send latency percentiles.
 *
 *   node --import tsx bench/deliver.ts            # SQLite in a temp dir, 20,000 deliveries
 *   BENCH_COUNT=50000 HERALD_WORKERS=8 node --import tsx bench/deliver.ts
 *   HERALD_DATABASE_URL=postgres://… node --import tsx bench/deliver.ts
 *
 * Concurrent sends default to 64 here (HERALD_WORKERS overrides; the server's default is 8).
 * Queue-to-send latency is measured from the one enqueue commit, so for a burst it is mostly
 * the time a delivery waited for the ones ahead of it.
 *
 * Design goal: at least 2,000 deliveries/s on SQLite.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import pino from 'pino';
import { loadConfig } from '../src/config/config.ts';
import { closeContext, createContext } from '../src/context.ts';
import { enqueueDeliveries, wakeDispatchers } from '../src/queue/enqueue.ts';
import { saveChannel } from '../src/services/channel-settings.service.ts';
import { startEngine } from '../src/workers/engine.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 20_000);
const WORKERS = process.env.HERALD_WORKERS ?? '64';

const RECEIVER = `
const { createServer } = require('node:http');
const { parentPort } = require('node:worker_threads');
let hits = 0;
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => { hits++; res.writeHead(200, { 'content-type': 'text/plain' }); res.end('ok'); });
});
server.keepAliveTimeout = 30000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage({ port: server.address().port }));
parentPort.on('message', (m) => { if (m === 'hits') parentPort.postMessage({ hits }); if (m === 'close') server.close(() => process.exit(0)); });
`;

function startReceiver(): Promise<{ worker: Worker; url: string }> {
  const worker = new Worker(RECEIVER, { eval: true });
  return new Promise((resolve) => {
    worker.once('message', (m: { port: number }) =>
      resolve({ worker, url: `http://127.0.0.1:${m.port}/hook` }),
    );
  });
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  const config = loadConfig({
    HERALD_DATA_DIR: dataDir,
    HERALD_PORT: '0',
    HERALD_LOG_LEVEL: 'warn',
    HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
    HERALD_WORKERS: WORKERS,
    ...(process.env.HERALD_DATABASE_URL ? { HERALD_DATABASE_URL: process.env.HERALD_DATABASE_URL } : {}),
  });
  const ctx = createContext(config, pino({ level: 'warn' }));
  const receiver = await startReceiver();
  try {
    await ctx.store.migrate();
    await saveChannel(ctx, 'webhook', { enabled: true, config: { url: receiver.url, secret: 'bench' } });
    const engine = startEngine(ctx, { retention: false });

    const enqueueStart = performance.now();
    const now = Date.now();
    await ctx.store.writer.run((tx) =>
      enqueueDeliveries(
        tx,
        [
          {
            channel: 'webhook',
            recipients: Array.from({ length: COUNT }, () => ({})),
            content: { title: 'Bench', text: 'One of many', data: { n: 1 } },
          },
        ],
        now,
      ),
    );
    const enqueueMs = performance.now() - enqueueStart;
    const start = performance.now();
    wakeDispatchers(ctx);

    let sent = 0;
    while (sent < COUNT) {
      await new Promise((r) => setTimeout(r, 100));
      const row = await ctx.store.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('status', '=', 'sent')
        .executeTakeFirstOrThrow();
      sent = Number(row.n);
      const open = await ctx.store.db
        .selectFrom('deliveries')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('status', '=', 'failed')
        .executeTakeFirstOrThrow();
      if (Number(open.n) > 0) throw new Error(`${open.n} deliveries failed`);
    }
    const seconds = (performance.now() - start) / 1000;
    await engine.stop();

    const rows = await ctx.store.db.selectFrom('deliveries').select(['created_at', 'sent_at']).execute();
    const latencies = rows.map((r) => (r.sent_at ?? 0) - r.created_at).sort((a, b) => a - b);
    const hits = await new Promise<number>((resolve) => {
      receiver.worker.once('message', (m: { hits: number }) => resolve(m.hits));
      receiver.worker.postMessage('hits');
    });
    console.log(`store                 ${ctx.store.kind}`);
    console.log(`deliveries            ${COUNT} (receiver saw ${hits})`);
    console.log(`concurrent sends      ${config.workers}`);
    console.log(`enqueue (one batch)   ${enqueueMs.toFixed(0)} ms`);
    console.log(`send all              ${seconds.toFixed(2)} s`);
    console.log(`throughput            ${Math.round(COUNT / seconds)} deliveries/s (goal ≥ 2,000 on SQLite)`);
    console.log(`queue-to-send p50     ${percentile(latencies, 50)} ms`);
    console.log(`queue-to-send p99     ${percentile(latencies, 99)} ms`);
  } finally {
    receiver.worker.postMessage('close');
    await closeContext(ctx);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
