import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real `herald` command (bin/herald.js) as a child process, the way an operator
 * does. Every child is tracked so a test's afterEach can make sure none outlives it.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const live = new Set<ChildProcess>();

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface CliResult extends Exit {
  stdout: string;
  stderr: string;
}

/** Only what node needs plus the given HERALD_* variables; nothing leaks in from the test's env. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, HOME, TMPDIR } = process.env;
  return { PATH, HOME, TMPDIR, ...env };
}

function spawnHerald(args: string[], env: Record<string, string>): ChildProcess {
  const child = spawn(process.execPath, ['bin/herald.js', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

function exitOf(child: ChildProcess): Promise<Exit> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** Runs one command to completion; a command still running after timeoutMs is killed. */
export async function runHerald(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliResult> {
  const child = spawnHerald(args, env);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await exitOf(child);
  clearTimeout(timer);
  return { ...exit, stdout, stderr };
}

export interface ServeProcess {
  readonly url: string;
  /** Every JSON log line printed so far, parsed. */
  readonly logs: Record<string, any>[];
  readonly stderr: () => string;
  waitForLog(match: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  signal(sig: NodeJS.Signals): void;
  readonly exited: Promise<Exit>;
  /** SIGTERM, then SIGKILL if it has not exited after graceMs. Returns how it ended. */
  stop(graceMs?: number): Promise<Exit>;
}

/** Starts `herald serve` and resolves once it logs that it is listening. */
export async function startServe(port: number, env: Record<string, string>): Promise<ServeProcess> {
  const child = spawnHerald(['serve'], {
    HERALD_HOST: '127.0.0.1',
    HERALD_PORT: String(port),
    HERALD_LOG_LEVEL: 'info',
    ...env,
  });
  const logs: Record<string, any>[] = [];
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const w of waiters.splice(0)) w();
  };
  let stderr = '';
  let buffered = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buffered += d;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines.filter((l) => l.trim() !== '')) {
      try {
        logs.push(JSON.parse(line));
      } catch {
        logs.push({ msg: line, unparsed: true });
      }
    }
    wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  const exited = exitOf(child);
  void exited.then(wake);

  const waitForLog: ServeProcess['waitForLog'] = (match, timeoutMs = 45_000) =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`log line not seen; stderr: ${stderr}`)), timeoutMs);
      const check = () => {
        const found = logs.find(match);
        if (found) {
          clearTimeout(timer);
          resolve(found);
        } else if (child.exitCode !== null || child.signalCode !== null) {
          clearTimeout(timer);
          reject(new Error(`herald serve exited early (${child.exitCode}); stderr: ${stderr}`));
        } else {
          waiters.push(check);
        }
      };
      check();
    });

  const proc: ServeProcess = {
    url: `http://127.0.0.1:${port}`,
    logs,
    stderr: () => stderr,
    waitForLog,
    signal: (sig) => child.kill(sig),
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited;
      clearTimeout(timer);
      return exit;
    },
  };
  try {
    await waitForLog((l) => l.msg === 'Herald is listening');
  } catch (err) {
    await proc.stop(1_000);
    throw err;
  }
  return proc;
}

/** Kills whatever a test left running and reports how many there were (0 when clean). */
export async function killLeftovers(): Promise<number> {
  const left = [...live];
  for (const child of left) child.kill('SIGKILL');
  await Promise.all(left.map(exitOf));
  return left.length;
}
