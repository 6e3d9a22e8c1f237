import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The compiled build (dist/) that `bin/herald.js` runs. Suites that spawn the real command
 * test what `npm start` runs, so the run first makes sure dist/ is not older than src/:
 * after `npm ci` (whose prepare script builds) nothing is done; after an edit it is rebuilt.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** Written by every build, so "nothing changed since" is one mtime comparison. */
const STAMP = path.join(ROOT, 'dist', '.build-stamp');
const INPUTS = ['src', 'tsconfig.json', 'tsconfig.build.json', 'scripts/build.mjs', 'package-lock.json'];

/** Newest mtime under `p`; directories count too, so a deleted or renamed file is a change. */
function newestMtime(p: string): number {
  const stat = statSync(p);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(p)) newest = Math.max(newest, newestMtime(path.join(p, entry)));
  return newest;
}

export function buildIsStale(): boolean {
  if (!existsSync(STAMP) || !existsSync(path.join(ROOT, 'dist', 'cli', 'cli.js'))) return true;
  const built = statSync(STAMP).mtimeMs;
  return INPUTS.some((input) => newestMtime(path.join(ROOT, input)) > built);
}

/**
 * Runs the same bundling as `npm run build` when dist/ is stale, without its type check: the
 * bundle is what the sources say, and CI's own `tsc --noEmit` step is where type errors fail.
 */
export function ensureBuild(): void {
  if (!buildIsStale()) return;
  try {
    execFileSync(process.execPath, ['scripts/build.mjs', '--no-check'], { cwd: ROOT, stdio: 'pipe' });
  } catch (err) {
    const out = (err as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`build failed:\n${out}`);
  }
}
