/**
 * Lints the OpenAPI document the server publishes (`/openapi.json`, generated from the route
 * schemas) with Redocly's recommended rules (redocly.yaml). CI requires 0 errors.
 *
 *   npm run check:openapi
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/config.ts';
import { startServer } from '../src/main.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'herald-openapi-'));
  try {
    const server = await startServer(
      loadConfig({
        HERALD_HOST: '127.0.0.1',
        HERALD_PORT: '0',
        HERALD_DATA_DIR: dir,
        HERALD_LOG_LEVEL: 'warn',
        HERALD_ADMIN_EMAIL: 'openapi@example.com',
        HERALD_ADMIN_PASSWORD: 'openapi-check-password',
      }),
    );
    let document: string;
    try {
      const res = await server.app.inject({ method: 'GET', url: '/openapi.json' });
      if (res.statusCode !== 200) throw new Error(`GET /openapi.json answered ${res.statusCode}`);
      document = res.body;
    } finally {
      await server.close();
    }
    const file = path.join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(JSON.parse(document), null, 2));
    const redocly = createRequire(import.meta.url).resolve('@redocly/cli/bin/cli.js');
    const lint = spawnSync(
      process.execPath,
      [redocly, 'lint', '--config', path.join(ROOT, 'redocly.yaml'), ...process.argv.slice(2), file],
      {
        cwd: ROOT,
        stdio: 'inherit',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    process.exitCode = lint.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
