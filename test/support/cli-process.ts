import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the real `herald` executable (bin/herald.js) for the command-line suites: with text on
 * stdin, or left running (`herald watch`) while the test reads its output line by line. Every
 * child is tracked so afterEach can fail a test that leaves one running.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const live = new Set<ChildProcess>();

export interface HeraldResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Only what node needs plus the given variables; nothing leaks in from the test's env. */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const { PATH, TMPDIR } = process.env;
  return { PATH, TMPDIR, ...env };
}

function start(args: string[], env: Record<string, string>, stdin: 'pipe' | 'ignore'): ChildProcess {
  const child = spawn(process.execPath, ['bin/herald.js', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: [stdin, 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve({ code: child.exitCode, signal: child.signalCode })
    : new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

/** Runs one command to completion; `input` is written to its stdin (else stdin is /dev/null). */
export async function herald(
  args: string[],
  env: Record<string, string>,
  opts: { input?: string; timeoutMs?: number } = {},
): Promise<HeraldResult> {
  const child = start(args, env, opts.input === undefined ? 'ignore' : 'pipe');
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  if (opts.input !== undefined) child.stdin!.end(opts.input);
  const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
  const exit = await exited(child);
  clearTimeout(timer);
  return { ...exit, stdout, stderr };
}

export interface RunningHerald {
  stdoutLines(): string[];
  stderr(): string;
  /** Resolves once `match` holds for the output so far. */
  waitFor(match: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** SIGINT (Ctrl-C), then SIGKILL after graceMs; returns how it ended. */
  stop(graceMs?: number): Promise<HeraldResult>;
}

/** Starts a long-running command such as `herald watch`. */
export function heraldRunning(args: string[], env: Record<string, string>): RunningHerald {
  const child = start(args, env, 'ignore');
  let stdout = '';
  let stderr = '';
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of waiters) w();
  };
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
    wake();
  });
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
    wake();
  });
  child.once('exit', wake);
  const lines = () => stdout.split('\n').filter((l) => l.trim() !== '');
  return {
    stdoutLines: lines,
    stderr: () => stderr,
    waitFor(match, what, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (match()) {
            cleanup();
            resolve();
          } else if (child.exitCode !== null || child.signalCode !== null) {
            cleanup();
            reject(new Error(`herald exited (${child.exitCode}) before ${what}; stderr: ${stderr}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out waiting for ${what}; stdout: ${stdout}; stderr: ${stderr}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async stop(graceMs = 5_000) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const exit = await exited(child);
      clearTimeout(timer);
      return { ...exit, stdout, stderr };
    },
  };
}

/** Kills whatever a test left running and reports how many there were (0 when clean). */
export async function killLeftovers(): Promise<number> {
  const left = [...live];
  for (const child of left) child.kill('SIGKILL');
  await Promise.all(left.map(exited));
  return left.length;
}
