/**
 * Startup and idle footprint of `herald serve`, run the way `npm start` runs it (the compiled
 * build in dist/, through bin/herald.js), beside the same sources run through tsx for
 * comparison. Each start gets a fresh data dir (so it migrates and creates the first admin,
 * as a first `npm start` does) and a free loopback port.
 *
 *   npm run bench:startup                   # node --import tsx bench/startup.ts
 *   node --import tsx bench/startup.ts --idle 10
 *
 * Prints, per variant: ms from spawn to the first 200 from /healthz, and the node process's
 * resident memory (VmRSS from /proc/<pid>/status) after it has idled for 30 s.
 * Design goals: ≤ 1.5 s to healthy and ≤ 100 MB RSS for the compiled build. Figures only;
 * nothing here passes or fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** How often /healthz is polled while the server starts. */
const POLL_MS = 10;
/** A start that takes longer than this is reported as failed. */
const START_TIMEOUT_MS = 60_000;

interface Variant {
  name: string;
  args: string[];
  /** Whether the design goals apply (they are for what `npm start` runs). */
  goals: boolean;
}

const VARIANTS: Variant[] = [
  { name: 'compiled (npm start)', args: ['bin/herald.js', 'serve'], goals: true },
  {
    name: 'tsx (sources)',
    args: [
      '--import',
      'tsx',
      '--input-type=module',
      '-e',
      "const { main } = await import('./src/cli/cli.ts'); await main(['serve']);",
    ],
    goals: false,
  },
];

interface Started {
  variant: Variant;
  child: ChildProcess;
  dataDir: string;
  healthyMs: number;
  /** CPU the server process used until healthy: on a busy machine it moves less than wall time. */
  cpuMs: number;
  healthyAt: number;
  stderr: () => string;
}

function parseIdleSeconds(argv: string[]): number {
  const i = argv.indexOf('--idle');
  if (i === -1) return 30;
  const n = Number(argv[i + 1]);
  if (!Number.isFinite(n) || n < 0) throw new Error('--idle needs a number of seconds');
  return n;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Spawns one variant and resolves once /healthz answers 200. */
async function start(variant: Variant): Promise<Started> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-bench-startup-'));
  const port = await freePort();
  const { PATH, HOME, TMPDIR } = process.env;
  const t0 = performance.now();
  const child = spawn(process.execPath, variant.args, {
    cwd: ROOT,
    env: {
      PATH,
      HOME,
      TMPDIR,
      HERALD_HOST: '127.0.0.1',
      HERALD_PORT: String(port),
      HERALD_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const url = `http://127.0.0.1:${port}/healthz`;
  while (!(await healthy(url))) {
    if (child.exitCode !== null || performance.now() - t0 > START_TIMEOUT_MS) {
      child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(`${variant.name}: not healthy (exit ${child.exitCode}); stderr: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  const healthyAt = performance.now();
  const cpuMs = cpuMsOf(child.pid!);
  return { variant, child, dataDir, healthyMs: healthyAt - t0, cpuMs, healthyAt, stderr: () => stderr };
}

/** User + system CPU time of a process in ms (/proc/<pid>/stat counts in USER_HZ, 100 per second). */
function cpuMsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Resident set size of a process in MB, from the kernel's own accounting. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!kb) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(kb[1]) / 1024;
}

async function stop(s: Started): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    const exited = new Promise((resolve) => s.child.once('exit', resolve));
    s.child.kill('SIGTERM');
    const timer = setTimeout(() => s.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  rmSync(s.dataDir, { recursive: true, force: true });
}

async function main(): Promise<void> {
  const idleSeconds = parseIdleSeconds(process.argv.slice(2));
  if (!existsSync(path.join(ROOT, 'dist', 'cli', 'cli.js'))) {
    throw new Error('dist/ is missing: run `npm run build` first (npm install does it).');
  }
  console.log(
    `startup bench: fresh SQLite data dir per start, RSS after ${idleSeconds} s idle, ` +
      `node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg()[0].toFixed(1)}`,
  );
  // Starts run one after another so they do not compete for CPU; the idle periods overlap
  // (an idle server uses next to none), which keeps the whole bench near one idle period.
  const running: Started[] = [];
  try {
    for (const variant of VARIANTS) running.push(await start(variant));
    const rows: [string, string][] = [];
    for (const s of running) {
      const wait = s.healthyAt + idleSeconds * 1000 - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const goal = (text: string) => (s.variant.goals ? ` (goal ${text})` : '');
      rows.push([`${s.variant.name} to healthy`, `${s.healthyMs.toFixed(0)} ms${goal('≤ 1500 ms')}`]);
      rows.push([`${s.variant.name} CPU to healthy`, `${s.cpuMs.toFixed(0)} ms`]);
      rows.push([`${s.variant.name} idle RSS`, `${rssMb(s.child.pid!).toFixed(1)} MB${goal('≤ 100 MB')}`]);
    }
    const width = Math.max(...rows.map(([label]) => label.length)) + 2;
    for (const [label, value] of rows) console.log(`${label.padEnd(width)}${value}`);
  } finally {
    await Promise.all(running.map(stop));
  }
}

await main();
