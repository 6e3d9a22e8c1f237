#!/usr/bin/env node
/**
 * Builds dist/, what `npm start` (bin/herald.js) runs: type-checks src/ with tsc, then bundles it
 * with esbuild into a few ES modules. One bundle instead of ~400 separate files (Herald's own and
 * its dependencies') is what keeps start-up short: resolving, reading and linking each module
 * was most of the time to healthy. Modules loaded lazily (PostgreSQL, argon2, mail, push, JWT,
 * the HTTP client) stay separate chunks, loaded when first used.
 *
 *   node scripts/build.mjs              # check types, then bundle (npm run build, npm install)
 *   node scripts/build.mjs --no-check   # bundle only (the test suite's rebuild of stale sources)
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
/** Written last: tests compare it with the sources' mtimes to know whether dist/ is stale. */
export const STAMP_NAME = '.build-stamp';

/**
 * Left to Node's resolver: native addons, optional native accelerators, and the packages Herald
 * imports only when first used (bundling those gains nothing at start-up, and a bundled copy of a
 * CommonJS package is not always the package: undici's `request` did not survive it).
 */
const EXTERNAL = [
  'better-sqlite3',
  '@node-rs/argon2',
  'pg-native',
  'bufferutil',
  'utf-8-validate',
  'undici',
  'pg',
  'nodemailer',
  'web-push',
  'jose',
  '@scalar/fastify-api-reference',
];

/**
 * Bundled CommonJS dependencies call require() for Node's built-ins and a few read __dirname;
 * an ES module has neither, so each chunk gets them from its own URL.
 */
const BANNER = [
  "import { createRequire as __heraldCreateRequire } from 'node:module';",
  "import { fileURLToPath as __heraldFileURLToPath } from 'node:url';",
  'const require = __heraldCreateRequire(import.meta.url);',
  'const __filename = __heraldFileURLToPath(import.meta.url);',
  "const __dirname = __heraldFileURLToPath(new URL('.', import.meta.url));",
].join('\n');

function typeCheck() {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  execFileSync(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.build.json'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}

export async function bundle() {
  rmSync(DIST, { recursive: true, force: true });
  mkdirSync(DIST, { recursive: true });
  await build({
    absWorkingDir: ROOT,
    entryPoints: { 'cli/cli': 'src/cli/cli.ts' },
    outdir: DIST,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    external: EXTERNAL,
    banner: { js: BANNER },
    logLevel: 'warning',
  });
  // Worker threads load their script by path, so it is copied beside the bundle as it is.
  copyFileSync(
    path.join(ROOT, 'src/store/sqlite-writer.worker.js'),
    path.join(DIST, 'sqlite-writer.worker.js'),
  );
  writeFileSync(path.join(DIST, STAMP_NAME), `${new Date().toISOString()}\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (!process.argv.includes('--no-check')) typeCheck();
  await bundle();
}
