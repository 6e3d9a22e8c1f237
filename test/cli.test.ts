import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ADMIN, startHerald } from './support/herald.ts';
import { killLeftovers, runHerald } from './support/herald-process.ts';
import { createTestDatabase } from './support/pg-database.ts';

let dataDir: string;
beforeEach(() => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-cli-'));
});
afterEach(async () => {
  const leaked = await killLeftovers();
  rmSync(dataDir, { recursive: true, force: true });
  expect(leaked, 'herald processes left running').toBe(0);
});

// Each test spawns `herald` (a few seconds per start on a busy machine).
const SLOW = { timeout: 120_000 };
const env = () => ({ HERALD_DATA_DIR: dataDir, HERALD_LOG_LEVEL: 'warn' });

describe('herald migrate on SQLite', SLOW, () => {
  it('applies every migration into the data dir, then reports it is already up to date', async () => {
    const first = await runHerald(['migrate'], env());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^Applied: 0001-foundation/);
    expect(existsSync(path.join(dataDir, 'herald.db'))).toBe(true);

    const second = await runHerald(['migrate'], env());
    expect(second.code).toBe(0);
    expect(second.stdout.trim()).toBe('Already up to date.');
  });
});

describe('herald user create', SLOW, () => {
  it('creates an admin who can log in to a server on the same data dir and use admin routes', async () => {
    const created = await runHerald(
      ['user', 'create', '--email', 'x@example.com', '--password', 'long-password', '--admin'],
      env(),
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(/Created user x@example\.com .*admin/);
    expect(created.stdout).not.toContain('long-password');

    const h = await startHerald('sqlite', { dataDir });
    try {
      const login = await h.api('POST', '/api/v1/auth/login', {
        body: { email: 'x@example.com', password: 'long-password' },
      });
      expect(login.status).toBe(200);
      expect(login.body.user.email).toBe('x@example.com');
      const me = await h.api('GET', '/api/v1/auth/me', { token: login.body.accessToken });
      expect(me.body.roles).toEqual(['admin']);
      const users = await h.api('GET', '/api/v1/users', { token: login.body.accessToken });
      expect(users.status).toBe(200);
      // The CLI user counts as the first account, so the server bootstraps no other admin.
      const wrong = await h.api('POST', '/api/v1/auth/login', {
        body: { email: ADMIN.email, password: ADMIN.password },
      });
      expect(wrong.status).toBe(401);
    } finally {
      await h.close();
    }
  });

  it('creates a member without --admin, and refuses the same email twice', async () => {
    const args = ['user', 'create', '--email', 'm@example.com', '--password', 'long-password'];
    const first = await runHerald(args, env());
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/with role member/);

    const again = await runHerald(args, env());
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already exists/);
  });

  it('refuses to run without --password, naming what is missing', async () => {
    const res = await runHerald(['user', 'create', '--email', 'y@example.com'], env());
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/--password/);
  });
});

describe('herald command errors', SLOW, () => {
  it('exits 2 with the usage on an unknown command', async () => {
    const res = await runHerald(['frobnicate'], env());
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/Unknown command "frobnicate"/);
    expect(res.stderr).toMatch(/Usage: herald/);
  });

  it('refuses a bad HERALD_PORT with one line on stderr that names it, and does not start', async () => {
    const res = await runHerald(['serve'], { ...env(), HERALD_PORT: 'abc' });
    expect(res.signal).toBeNull();
    expect(res.code).not.toBe(0);
    const lines = res.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('HERALD_PORT');
    expect(res.stdout).toBe('');
  });

  it('refuses a non-PostgreSQL HERALD_DATABASE_URL before touching any store', async () => {
    const res = await runHerald(['migrate'], { ...env(), HERALD_DATABASE_URL: 'mysql://localhost/x' });
    expect(res.code).toBe(1);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
    expect(res.stderr).toContain('HERALD_DATABASE_URL');
    expect(existsSync(path.join(dataDir, 'herald.db'))).toBe(false);
  });
});

describe('herald migrate on PostgreSQL', SLOW, () => {
  it('migrates a fresh database once, then reports it is already up to date', async () => {
    const db = await createTestDatabase();
    try {
      const pgEnv = { ...env(), HERALD_DATABASE_URL: db.url };
      const first = await runHerald(['migrate'], pgEnv);
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/^Applied: 0001-foundation/);
      const rows = await db.query<{ name: string }>('select name from herald_migrations order by name');
      expect(rows.map((r) => r.name)).toEqual(
        first.stdout
          .trim()
          .replace(/^Applied: /, '')
          .split(', '),
      );
      // The PostgreSQL store keeps nothing in the data dir.
      expect(existsSync(path.join(dataDir, 'herald.db'))).toBe(false);

      const second = await runHerald(['migrate'], pgEnv);
      expect(second.code).toBe(0);
      expect(second.stdout.trim()).toBe('Already up to date.');
    } finally {
      await db.drop();
    }
  });
});
