import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueDeliveries } from '../src/queue/enqueue.ts';
import { openStore, type Store } from '../src/store/store.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES } from './support/herald.ts';
import { killLeftovers, type ServeProcess, startServe } from './support/herald-process.ts';
import { createTestDatabase, type TestDatabase } from './support/pg-database.ts';
import { freePort } from './support/postgres-cluster.ts';
import { until } from './support/wait.ts';

/** Deliveries in flight when the process dies. */
const COUNT = 40;

describe.each(STORES)('a herald process killed mid-send on %s', (store) => {
  let dataDir: string;
  let database: TestDatabase | undefined;
  let receiver: HttpReceiver;
  let db: Store | undefined;

  beforeEach(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-crash-'));
    database = store === 'postgres' ? await createTestDatabase() : undefined;
    receiver = await createHttpReceiver();
  });
  afterEach(async () => {
    const leaked = await killLeftovers();
    await db?.close();
    await receiver.close();
    await database?.drop();
    rmSync(dataDir, { recursive: true, force: true });
    expect(leaked, 'herald processes left running').toBe(0);
  });

  const env = () => ({
    HERALD_DATA_DIR: dataDir,
    ...(database ? { HERALD_DATABASE_URL: database.url } : {}),
    HERALD_ADMIN_EMAIL: 'admin@example.com',
    HERALD_ADMIN_PASSWORD: 'admin-password-1',
    HERALD_ALLOW_PRIVATE_NETWORKS: 'true',
    // A short lease so the dead process's claims come back within the test.
    HERALD_LEASE_MS: '1500',
    HERALD_SEND_TIMEOUT_MS: '1000',
    HERALD_POLL_INTERVAL_MS: '100',
    HERALD_WORKERS: '8',
  });

  async function api(h: ServeProcess, method: string, p: string, token?: string, body?: unknown) {
    const res = await fetch(h.url + p, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as any };
  }

  // Two cold starts of the real command (tsx compiles on the fly) need more than the default.
  it('is restarted and every delivery still ends sent, none lost', { timeout: 120_000 }, async () => {
    // Answers take 700 ms, so the first process always has sends in flight when it dies.
    receiver.delay(700);
    const first = await startServe(await freePort(), env());
    const login = await api(first, 'POST', '/api/v1/auth/login', undefined, {
      email: 'admin@example.com',
      password: 'admin-password-1',
    });
    const token = login.body.accessToken as string;
    const put = await api(first, 'PUT', '/api/v1/notifications/channels/webhook', token, {
      enabled: true,
      config: { url: `${receiver.url}/hook`, secret: 'crash-secret' },
    });
    expect(put.status).toBe(200);

    // Another writer (this test) enqueues; the server notices at its next poll.
    db = openStore({ dataDir, databaseUrl: database?.url });
    const ids = await db.writer.run((tx) =>
      enqueueDeliveries(
        tx,
        [
          {
            channel: 'webhook',
            recipients: Array.from({ length: COUNT }, () => ({})),
            content: { title: 't', text: 'x' },
          },
        ],
        Date.now(),
      ),
    );
    await receiver.waitFor(1, 10_000);
    first.signal('SIGKILL');
    expect(await first.exited).toEqual({ code: null, signal: 'SIGKILL' });

    const statuses = await db.db.selectFrom('deliveries').select(['status']).execute();
    const sending = statuses.filter((s) => s.status === 'sending').length;
    expect(sending, 'deliveries caught mid-send').toBeGreaterThan(0);
    expect(statuses.filter((s) => s.status === 'sent').length).toBeLessThan(COUNT);

    receiver.delay(0);
    const second = await startServe(await freePort(), env());
    await until(
      async () => {
        const rows = await db!.db
          .selectFrom('deliveries')
          .select('status')
          .where('status', '!=', 'sent')
          .execute();
        return rows.length === 0;
      },
      20_000,
      'every delivery sent',
    );
    const rows = await db.db.selectFrom('deliveries').select(['id', 'status', 'attempts']).execute();
    expect(rows).toHaveLength(COUNT);
    expect(rows.every((r) => r.status === 'sent')).toBe(true);
    // At least once: every id reached the receiver; only the ones cut off mid-send may repeat.
    const received = new Set(receiver.received.map((r) => r.headers['x-herald-delivery']));
    for (const id of ids) expect(received.has(id), `delivery ${id} received`).toBe(true);
    expect(receiver.received.length - COUNT).toBeLessThanOrEqual(sending);
    expect(rows.filter((r) => r.attempts > 1).length).toBeLessThanOrEqual(sending);
    expect(await second.stop()).toEqual({ code: 0, signal: null });
  });
});
