/**
 * Ingest benchmark: how close does `POST /api/v1/messages` (access-token auth, one-member
 * bucket) come to a bare `node:http` server answering JSON, at 50 connections — on SQLite and on
 * PostgreSQL? The same POST with the admin's login JWT runs too (half as long), and both rates
 * are put beside the 55 req/s issue 13 reports for Zentik's backend (not measured here).
 *
 *   node --import tsx bench/ingest.ts [--seconds N] [--store sqlite|postgres|both] [--cpu-prof FILE]
 *
 * The servers run in this process; the load generator (bench/lib/load.ts) runs in a process of
 * its own, so its CPU is never the server's. The measured time is split into alternating rounds
 * (herald, bare, herald, …) so a noisy neighbour on the machine skews both sides alike. Every
 * 201 must mean a committed message: after the run the number of messages in the store is
 * checked against the number of 201s. Figures only; nothing here passes or fails.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config/config.ts';
import { startServer } from '../src/main.ts';
import { startPgCluster } from '../test/support/postgres-cluster.ts';
import { drive, type LoadJob, type LoadResult, merge } from './lib/drive.ts';
import { arg, json } from './lib/http.ts';
import { startProfile } from './lib/profile.ts';

const CONNECTIONS = 50;
/**
 * req/s Zentik's backend answered for the same POST with a JWT on this machine, as issue 13
 * reports it (50–60 req/s); the figure Herald's rate is put beside, not one measured here.
 */
const ZENTIK_REQ_PER_S = 55;
/** Load before the measured rounds so JIT and the store's caches are warm; its 201s still count. */
const WARMUP_MS = 1_000;
/** Length of one alternating round. */
const ROUND_MS = 2_000;

interface Measured extends LoadResult {
  /** CPU of this process (the server under test) during the rounds. */
  serverCpuMs: number;
}

async function measure(job: LoadJob): Promise<Measured> {
  const before = process.cpuUsage();
  const r = await drive(job);
  const cpu = process.cpuUsage(before);
  return { ...r, serverCpuMs: (cpu.user + cpu.system) / 1000 };
}

function mergeMeasured(runs: Measured[]): Measured {
  return { ...merge(runs), serverCpuMs: runs.reduce((n, r) => n + r.serverCpuMs, 0) };
}

function summarise(name: string, r: Measured) {
  const rate = (r.requests / r.elapsedMs) * 1000;
  const statuses = Object.entries(r.statuses)
    .map(([k, v]) => `${k}×${v}`)
    .join(' ');
  console.log(
    `${name.padEnd(14)} ${rate.toFixed(0).padStart(7)} req/s  p50 ${r.p50Ms.toFixed(2)} ms  ` +
      `p99 ${r.p99Ms.toFixed(2)} ms  server cpu ${((r.serverCpuMs * 1000) / r.requests).toFixed(0)} µs/req  ` +
      `(${r.requests} requests; ${statuses})`,
  );
  return { rate, cpuPerRequest: r.serverCpuMs / r.requests };
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

/** Runs herald on one store against the bare server in alternating rounds; prints the figures. */
async function benchStore(
  store: 'sqlite' | 'postgres',
  seconds: number,
  bareOrigin: string,
  profileFile: string | undefined,
) {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-'));
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
    const job = (origin: string, durationMs: number, token = zat): LoadJob => ({
      origin,
      method: 'POST',
      path: '/api/v1/messages',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      connections: CONNECTIONS,
      durationMs,
    });
    const heraldOrigin = new URL(herald.url).origin;
    const warm = await measure(job(heraldOrigin, WARMUP_MS));
    const warmJwt = await measure(job(heraldOrigin, WARMUP_MS / 2, jwt));
    await measure(job(bareOrigin, WARMUP_MS));
    const heraldRuns: Measured[] = [];
    const bareRuns: Measured[] = [];
    // The same POST with the login JWT instead of the access token, as Zentik's figure was taken.
    const jwtRuns: Measured[] = [];
    const rounds = Math.max(1, Math.round((seconds * 1000) / ROUND_MS));
    for (let i = 0; i < rounds; i++) {
      heraldRuns.push(await measure(job(heraldOrigin, (seconds * 1000) / rounds)));
      bareRuns.push(await measure(job(bareOrigin, (seconds * 1000) / rounds)));
      jwtRuns.push(await measure(job(heraldOrigin, (seconds * 1000) / rounds / 2, jwt)));
    }
    let profiled: Measured | undefined;
    if (profileFile) {
      // One more access-token round under the profiler, after the measured ones, so the figures
      // above are taken without it.
      const profiling = await startProfile(profileFile.replace(/(\.cpuprofile)?$/, `.${store}.cpuprofile`));
      profiled = await measure(job(heraldOrigin, ROUND_MS));
      await profiling.stop();
    }
    const heraldRun = mergeMeasured(heraldRuns);
    const h = summarise(`herald ${store}`, heraldRun);
    const b = summarise(`bare (${store} run)`, mergeMeasured(bareRuns));
    const jwtRun = mergeMeasured(jwtRuns);
    const j = summarise(`herald ${store} jwt`, jwtRun);
    console.log(`ratio ${store}  ${(h.rate / b.rate).toFixed(3)} (herald/bare request rate; goal ≥ 0.5)`);
    console.log(
      `cpu ratio ${store}  ${(b.cpuPerRequest / h.cpuPerRequest).toFixed(3)} (bare/herald server CPU per request)`,
    );
    const zentik = (rate: number) =>
      `${(rate / ZENTIK_REQ_PER_S).toFixed(0)}× (Herald's req/s over ${ZENTIK_REQ_PER_S} req/s, the figure ` +
      'issue 13 gives for Zentik on this machine; Zentik not measured here)';
    console.log(`zentik multiple ${store}  ${zentik(h.rate)}`);
    console.log(`zentik multiple ${store} jwt  ${zentik(j.rate)}`);
    const created = [warm, warmJwt, heraldRun, jwtRun, ...(profiled ? [profiled] : [])].reduce(
      (n, r) => n + (r.statuses['201'] ?? 0),
      0,
    );
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
      `commit ${store}  ${stored} messages stored for ${created} responses of 201 — ${ok ? 'match' : 'MISMATCH'}`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await herald.close();
    cluster?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

async function main() {
  const argv = process.argv.slice(2);
  const seconds = Number(arg(argv, '--seconds', '10'));
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds needs a positive number');
  const which = arg(argv, '--store', 'both');
  const stores = (which === 'both' ? ['sqlite', 'postgres'] : [which]) as ('sqlite' | 'postgres')[];
  console.log(
    `ingest bench: ${CONNECTIONS} connections from a separate load process, ${seconds} s per side ` +
      `(alternating rounds), node ${process.version}, ${os.cpus().length} CPUs, ` +
      `load average ${os.loadavg()[0].toFixed(1)}`,
  );
  const bare = await startBare();
  try {
    for (const store of stores)
      await benchStore(store, seconds, bare.origin, arg(argv, '--cpu-prof', '') || undefined);
  } finally {
    await new Promise<void>((resolve) => bare.server.close(() => resolve()));
  }
}

await main();
