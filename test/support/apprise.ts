import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs Debian's `apprise` CLI (verbose) and returns its exit code and combined output; apprise
 * exits 0 only when the server answered the send with a 200.
 */
export async function apprise(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('apprise', ['-vv', ...args], { timeout: 20_000 });
    return { code: 0, output: stdout + stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}
