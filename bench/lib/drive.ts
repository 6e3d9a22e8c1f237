import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadJob, LoadResult } from './load.ts';

const LOAD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'load.ts');

export type { LoadJob, LoadResult };

/** One run of the load generator (bench/lib/load.ts) in a child process. */
export function drive(job: LoadJob): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', LOAD], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) reject(new Error(`load generator exited with ${code}`));
      else resolve(JSON.parse(out) as LoadResult);
    });
    child.stdin.end(JSON.stringify(job));
  });
}

/** Sums several runs of the same job. Percentiles are taken as the worst run's. */
export function merge(runs: LoadResult[]): LoadResult {
  const statuses: Record<string, number> = {};
  for (const r of runs) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return {
    requests: runs.reduce((n, r) => n + r.requests, 0),
    statuses,
    p50Ms: Math.max(...runs.map((r) => r.p50Ms)),
    p99Ms: Math.max(...runs.map((r) => r.p99Ms)),
    elapsedMs: runs.reduce((n, r) => n + r.elapsedMs, 0),
    cpuMs: runs.reduce((n, r) => n + r.cpuMs, 0),
  };
}
