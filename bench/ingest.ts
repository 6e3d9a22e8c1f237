/**
 * Ingest benchmark: how close does `POST /api/v1/messages` (SQLite store, access-token auth,
 * one-member bucket) come to a bare `node:http` server answering JSON, at 50 connections?
 *
 *   node --import tsx bench/ingest.ts [--seconds N]
 *
 * Both servers and the load generator share this process and talk over loopback, so the ratio
 * compares like with like on the same CPU. The measured time is split into alternating rounds
 * (herald, bare, herald, …) so a noisy neighbour on the machine skews both sides alike. Every 201 must mean a committed message: after the
 * run the number of messages in the store is checked against the number of 201s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'undici';
import { loadConfig } from '../src/config/config.ts';
import { startServer } from '../src/main.ts';

const CONNECTIONS = 50;
/** Load before the measured rounds so JIT and SQLite page cache are warm; its 201s still count. */
const WARMUP_MS = 1_000;
/** Length of one alternating round. */
const ROUND_MS = 2_000;

interface RunResult {
  requests: number;
  /** Count per HTTP status, plus 'error' for transport failures. */
  statuses: Map<string, number>;
  latenciesMs: number[];
  elapsedMs: number;
  /** Process CPU time (user + system) spent during the run, server and load generator together. */
  cpuMs: number;
}

function parseSeconds(argv: string[]): number {
  const i = argv.indexOf('--seconds');
  if (i === -1) return 10;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error('--seconds needs a positive number');
  return n;
}

/** Drives `CONNECTIONS` request loops against one origin until the deadline. */
async function drive(
  origin: string,
  request: { path: string; headers: Record<string, string>; body: string },
  durationMs: number,
): Promise<RunResult> {
  const pool = new Pool(origin, { connections: CONNECTIONS, pipelining: 1 });
  const statuses = new Map<string, number>();
  const latenciesMs: number[] = [];
  const bump = (k: string) => statuses.set(k, (statuses.get(k) ?? 0) + 1);
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + durationMs;
  const loop = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const res = await pool.request({ method: 'POST', ...request });
        await res.body.text();
        bump(String(res.statusCode));
      } catch {
        bump('error');
        continue;
      }
      latenciesMs.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, loop));
  const elapsedMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  await pool.close();
  return {
    requests: latenciesMs.length,
    statuses,
    latenciesMs,
    elapsedMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

function merge(runs: RunResult[]): RunResult {
  const statuses = new Map<string, number>();
  for (const r of runs) for (const [k, v] of r.statuses) statuses.set(k, (statuses.get(k) ?? 0) + v);
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    statuses,
    latenciesMs: runs.flatMap((r) => r.latenciesMs),
    elapsedMs: runs.reduce((n, r) => n + r.elapsedMs, 0),
    cpuMs: runs.reduce((n, r) => n + r.cpuMs, 0),
  };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarise(name: string, r: RunResult) {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  const rate = (r.requests / r.elapsedMs) * 1000;
  const statuses = [...r.statuses].map(([k, v]) => `${k}×${v}`).join(' ');
  console.log(
    `${name.padEnd(7)} ${rate.toFixed(0).padStart(7)} req/s  p50 ${percentile(sorted, 50).toFixed(2)} ms  ` +
      `p99 ${percentile(sorted, 99).toFixed(2)} ms  cpu ${((r.cpuMs * 1000) / r.requests).toFixed(0)} µs/req  ` +
      `(${r.requests} requests; ${statuses})`,
  );
  return { rate, cpuPerRequest: r.cpuMs / r.requests };
}

async function startBare(): Promise<{ server: Server; origin: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      const out = JSON.stringify({ id: crypto.randomUUID(), ...input, createdAt: new Date().toISOString() });
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8' });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

async function json(origin: string, method: string, p: string, token: string | null, body: unknown) {
  const res = await fetch(origin + p, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${p} → ${res.status} ${await res.text()}`);
  return (await res.json()) as Record<string, any>;
}

async function main() {
  const seconds = parseSeconds(process.argv.slice(2));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
  const admin = { email: 'bench@example.com', password: 'bench-password-1' };
  const herald = await startServer(
    loadConfig({
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: '0',
      HERALD_DATA_DIR: dataDir,
      HERALD_LOG_LEVEL: 'silent',
      HERALD_ADMIN_EMAIL: admin.email,
      HERALD_ADMIN_PASSWORD: admin.password,
    }),
  );
  const bare = await startBare();
  try {
    const jwt = (await json(herald.url, 'POST', '/api/v1/auth/login', null, admin)).accessToken as string;
    const bucket = await json(herald.url, 'POST', '/api/v1/buckets', jwt, { name: 'bench' });
    const zat = (
      await json(herald.url, 'POST', '/api/v1/access-tokens', jwt, {
        name: 'bench',
        scopes: ['messages:create'],
      })
    ).token as string;
    const body = JSON.stringify({
      title: 'Build finished',
      body: 'main #1234 passed in 3m 12s',
      bucketId: bucket.id,
      deliveryType: 'NORMAL',
    });
    const request = {
      path: '/api/v1/messages',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${zat}` },
      body,
    };

    console.log(
      `ingest bench: ${CONNECTIONS} connections, ${seconds} s each (alternating rounds), SQLite store, ` +
        `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
    );
    const heraldUrl = new URL(herald.url).origin;
    const warmHerald = await drive(heraldUrl, request, WARMUP_MS);
    await drive(bare.origin, request, WARMUP_MS);
    const heraldRuns: RunResult[] = [];
    const bareRuns: RunResult[] = [];
    const rounds = Math.max(1, Math.round((seconds * 1000) / ROUND_MS));
    for (let i = 0; i < rounds; i++) {
      heraldRuns.push(await drive(heraldUrl, request, (seconds * 1000) / rounds));
      bareRuns.push(await drive(bare.origin, request, (seconds * 1000) / rounds));
    }
    const heraldRun = merge(heraldRuns);
    const bareRun = merge(bareRuns);

    const heraldFigures = summarise('herald', heraldRun);
    const bareFigures = summarise('bare', bareRun);
    console.log(`ratio   ${(heraldFigures.rate / bareFigures.rate).toFixed(3)} (herald/bare request rate)`);
    // On a shared machine the rate ratio moves with the neighbours; CPU per request does not.
    console.log(
      `cpu     ${(bareFigures.cpuPerRequest / heraldFigures.cpuPerRequest).toFixed(3)} (bare/herald CPU per request)`,
    );

    const created = (warmHerald.statuses.get('201') ?? 0) + (heraldRun.statuses.get('201') ?? 0);
    const stored = Number(
      (
        await herald.ctx.store.db
          .selectFrom('messages')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    const ok = stored === created;
    console.log(
      `commit  ${stored} messages stored for ${created} responses of 201 — ${ok ? 'match' : 'MISMATCH'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await new Promise<void>((resolve) => bare.server.close(() => resolve()));
    await herald.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
