/**
 * The load generator of the HTTP benchmarks, in its own process so its CPU is never the
 * server's: reads one job as JSON on stdin, opens `connections` keep-alive connections to
 * `origin`, sends the same request on each in a loop for `durationMs`, then prints one JSON line
 * with the request count, the statuses, latency percentiles, elapsed time and its own CPU.
 * With `origins` (several servers, no balancer in front), the connections are dealt out over
 * them in turn and the result also counts the requests answered by each.
 */
import { Pool } from 'undici';

export interface LoadJob {
  origin: string;
  /** Servers to spread the connections over instead of `origin` alone. */
  origins?: string[];
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
  connections: number;
  durationMs: number;
}

export interface LoadResult {
  requests: number;
  /** Count per HTTP status, plus 'error' for transport failures. */
  statuses: Record<string, number>;
  p50Ms: number;
  p99Ms: number;
  elapsedMs: number;
  /** CPU (user + system) of the load generator itself. */
  cpuMs: number;
  /** Requests answered per origin, in the order of `origins` (only when the job had them). */
  byOrigin?: number[];
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function readJob(): Promise<LoadJob> {
  let text = '';
  for await (const chunk of process.stdin) text += chunk;
  return JSON.parse(text) as LoadJob;
}

const job = await readJob();
const origins = job.origins ?? [job.origin];
/** Connection i goes to origin i mod n; each origin's pool gets as many connections as it has loops. */
const share = (o: number) =>
  Math.floor(job.connections / origins.length) + (o < job.connections % origins.length ? 1 : 0);
const pools = origins.map(
  (origin, o) => new Pool(origin, { connections: Math.max(1, share(o)), pipelining: 1 }),
);
const answered = origins.map(() => 0);
const statuses: Record<string, number> = {};
const latencies: number[] = [];
const cpuBefore = process.cpuUsage();
const started = performance.now();
const deadline = started + job.durationMs;
const loop = async (o: number) => {
  const pool = pools[o];
  while (performance.now() < deadline) {
    const t0 = performance.now();
    try {
      const res = await pool.request({
        method: job.method,
        path: job.path,
        headers: job.headers,
        body: job.body,
      });
      await res.body.text();
      statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1;
      answered[o]++;
    } catch {
      statuses.error = (statuses.error ?? 0) + 1;
      continue;
    }
    latencies.push(performance.now() - t0);
  }
};
await Promise.all(Array.from({ length: job.connections }, (_, i) => loop(i % origins.length)));
const elapsedMs = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
await Promise.all(pools.map((p) => p.close()));
latencies.sort((a, b) => a - b);
const result: LoadResult = {
  requests: latencies.length,
  statuses,
  p50Ms: percentile(latencies, 50),
  p99Ms: percentile(latencies, 99),
  elapsedMs,
  cpuMs: (cpu.user + cpu.system) / 1000,
  ...(job.origins ? { byOrigin: answered } : {}),
};
process.stdout.write(`${JSON.stringify(result)}\n`);
