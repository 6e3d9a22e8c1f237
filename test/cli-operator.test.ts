import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { knownMigrations } from '../src/store/migrations.ts';
import { createHttpReceiver } from './receivers/http-receiver.ts';
import { herald, killLeftovers } from './support/cli-process.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { createTestDatabase, type TestDatabase } from './support/pg-database.ts';
import { until } from './support/wait.ts';

// Operator commands work on the local store, so they run on both stores. Each `herald` launch
// costs a second or two; the tests keep launches few.
const SLOW = { timeout: 90_000 };
/** Nothing listens here, so status reports the server as not running. */
const NO_SERVER = 'http://127.0.0.1:1';

let tmp: string;
beforeEach(() => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'herald-cli-op-'));
});
afterEach(async () => {
  const leaked = await killLeftovers();
  rmSync(tmp, { recursive: true, force: true });
  expect(leaked, 'herald processes left running').toBe(0);
});

describe.each(STORES)('herald operator commands on %s', SLOW, (store) => {
  let db: TestDatabase | undefined;
  let dataDir: string;
  beforeEach(async () => {
    dataDir = path.join(tmp, 'data');
    db = store === 'postgres' ? await createTestDatabase() : undefined;
  });
  afterEach(async () => {
    await db?.drop();
  });
  const env = (extra: Record<string, string> = {}) => ({
    HERALD_DATA_DIR: dataDir,
    HERALD_LOG_LEVEL: 'warn',
    HERALD_URL: NO_SERVER,
    ...(db ? { HERALD_DATABASE_URL: db.url } : {}),
    ...extra,
  });
  const serve = () =>
    startHerald(store, {
      dataDir,
      ...(db ? { databaseUrl: db.url } : {}),
      env: { HERALD_POLL_INTERVAL_MS: '100' },
    });

  it('migrate --dry-run lists every pending migration and applies none; status says so', async () => {
    const dry = await herald(['migrate', '--dry-run'], env());
    expect(dry.stderr).toBe('');
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim()).toBe(`Pending: ${knownMigrations().join(', ')}`);

    const status = await herald(['status', '--json'], env());
    expect(status.code).toBe(0);
    const report = JSON.parse(status.stdout);
    expect(report.store.kind).toBe(store);
    expect(report.migrations).toEqual({ applied: 0, latest: null, pending: knownMigrations() });
    expect(report.deliveries).toBeNull();
    expect(report.server).toEqual({ url: NO_SERVER, running: false, watchers: null });
    if (db) {
      const [row] = await db.query<{ t: string | null }>("select to_regclass('herald_migrations') as t");
      expect(row.t).toBeNull();
      expect(status.stdout).not.toContain(new URL(db.url).password || '\0');
    } else {
      const sqlite = new SqliteDatabase(path.join(dataDir, 'herald.db'));
      const tables = sqlite.prepare("select name from sqlite_master where type = 'table'").all();
      sqlite.close();
      expect(tables).toEqual([]);
    }
  });

  it('user passwd (password piped on stdin) and user list work beside a running server', async () => {
    const h = await serve();
    try {
      const created = await h.api('POST', '/api/v1/users', {
        token: await h.adminToken(),
        body: { email: 'ops@example.com', username: 'ops', password: 'first-password', roles: ['member'] },
      });
      expect(created.status, created.text).toBe(201);

      const passwd = await herald(['user', 'passwd', 'ops'], env(), { input: 'second-password\n' });
      expect(passwd.stderr).toBe('');
      expect(passwd.code).toBe(0);
      expect(passwd.stdout).toMatch(
        /^Password changed for ops@example\.com \(\S+\); the account is unlocked\.$/m,
      );
      const login = (password: string) =>
        h.api('POST', '/api/v1/auth/login', { body: { email: 'ops@example.com', password } });
      expect((await login('second-password')).status).toBe(200);
      expect((await login('first-password')).status).toBe(401);

      const list = await herald(['user', 'list', '--json'], env());
      expect(list.code).toBe(0);
      const { users, total } = JSON.parse(list.stdout);
      expect(total).toBe(2);
      expect(users.map((u: any) => [u.username, u.roles])).toEqual([
        ['admin', ['admin']],
        ['ops', ['member']],
      ]);
    } finally {
      await h.close();
    }
  });

  it('status reports the store, schema, queue, failed deliveries and the running server', async () => {
    const hook = await createHttpReceiver({ respond: () => ({ status: 400, body: 'no' }) });
    const h: TestHerald = await serve();
    const watcher = new AbortController();
    try {
      const admin = await h.adminToken();
      await h.api('PUT', '/api/v1/notifications/channels/webhook', {
        token: admin,
        body: { enabled: true, config: { url: `${hook.url}/hook` } },
      });
      await h.api('POST', '/api/v1/notifications/rules', {
        token: admin,
        body: { name: 'All', events: ['job.*'], actions: [{ channel: 'webhook', recipients: ['ops'] }] },
      });
      await h.api('POST', '/api/v1/events', { token: admin, body: { name: 'job.failed' } });
      await until(
        async () =>
          (await h.api('GET', '/api/v1/notifications/log?status=failed', { token: admin })).body.total === 1,
        15_000,
        'a failed delivery',
      );
      // One live inbox watcher, for the watcher count.
      const stream = await fetch(`${h.url}/api/v1/inbox/stream`, {
        headers: { authorization: `Bearer ${admin}` },
        signal: watcher.signal,
      });
      const reader = stream.body!.getReader();
      let seen = '';
      while (!seen.includes(': connected')) seen += new TextDecoder().decode((await reader.read()).value);

      const json = await herald(['status', '--json'], env({ HERALD_URL: h.url }));
      expect(json.code).toBe(0);
      const report = JSON.parse(json.stdout);
      expect(report.store.kind).toBe(store);
      expect(report.migrations).toEqual({
        applied: knownMigrations().length,
        latest: knownMigrations().at(-1),
        pending: [],
      });
      expect(report.deliveries).toEqual({ pending: 0, sending: 0, sent: 0, failed: 1 });
      expect(report.counts).toMatchObject({ users: 1 });
      expect(report.server).toMatchObject({ url: h.url, running: true });
      // Servers that export an open-watchers gauge on /metrics get it reported.
      if (report.server.watchers !== null) expect(report.server.watchers).toBe(1);

      if (store === 'postgres') return; // the table is the same text on both stores
      const table = await herald(['status'], env({ HERALD_URL: h.url }));
      expect(table.code).toBe(0);
      expect(table.stdout).toMatch(new RegExp(`^store\\s+${store} \\(`, 'm'));
      expect(table.stdout).toMatch(/^queue\s+0 pending, 0 sending$/m);
      expect(table.stdout).toMatch(/^failed\s+1 failed delivery$/m);
      expect(table.stdout).toMatch(new RegExp(`^server\\s+running at ${h.url}$`, 'm'));
    } finally {
      watcher.abort();
      await h.close();
      await hook.close();
    }
  });
});
