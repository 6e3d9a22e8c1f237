import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../src/main.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { createTestDatabase, type TestDatabase } from './support/pg-database.ts';

const KEY = 'apikey-5f3c9a1b7e2d';
const PASSWORD = 'hook-pass-8d1e';

async function storedWebhookConfig(h: TestHerald): Promise<string> {
  const row = await h.server.ctx.store.db
    .selectFrom('channel_configs')
    .select('config')
    .where('type', '=', 'webhook')
    .executeTakeFirstOrThrow();
  return row.config;
}

describe.each(STORES)('hardening: secrets on %s', (store) => {
  let hook: HttpReceiver;
  let h: TestHerald;
  let admin: string;
  const logged: string[] = [];

  beforeAll(async () => {
    hook = await createHttpReceiver();
    const sink = new Writable({
      write(chunk, _enc, done) {
        logged.push(String(chunk));
        done();
      },
    });
    h = await startHerald(store, {
      env: { HERALD_LOG_LEVEL: 'trace' },
      log: (config) => createLogger(config, sink),
    });
    admin = await h.adminToken();
  });
  afterAll(async () => {
    await h?.close();
    await hook?.close();
  });

  it("masks a webhook URL's query and userinfo on read, seals it at rest, and still sends to it", async () => {
    const url = `${hook.url.replace('http://', `http://hooker:${PASSWORD}@`)}/hook?apikey=${KEY}&team=ops`;
    const put = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: { url } },
    });
    expect(put.status, put.text).toBe(200);
    const list = await h.api('GET', '/api/v1/notifications/channels', { token: admin });
    expect(list.text).not.toContain(KEY);
    expect(list.text).not.toContain(PASSWORD);
    const read = list.body.channels.find((c: { id: string }) => c.id === 'webhook').config;
    const host = new URL(hook.url).host;
    expect(read.url).toBe(`http://••••••:••••••@${host}/hook?apikey=••••••&team=••••••`);

    const stored = await storedWebhookConfig(h);
    expect(stored).not.toContain(KEY);
    expect(stored).not.toContain(host);
    expect(JSON.parse(stored).url).toMatch(/^enc:v1:/);

    // Sending the masked form back keeps the stored URL.
    const again = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: read },
    });
    expect(again.status, again.text).toBe(200);
    const test = await h.api('POST', '/api/v1/notifications/channels/webhook/test', { token: admin });
    expect(test.status, test.text).toBe(200);
    const req = hook.received.at(-1)!;
    expect(req.path).toBe(`/hook?apikey=${KEY}&team=ops`);
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from(`hooker:${PASSWORD}`).toString('base64')}`);

    // A masked URL that matches nothing stored is refused, naming the field.
    const wrong = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: { url: `http://${host}/other?apikey=••••••` } },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.validations[0].field).toBe('config.url');
  });

  it('never logs ?access_token= or ?token=, at any level', async () => {
    const secret = 'zat_logsecret0123456789';
    await fetch(`${h.url}/api/v1/inbox/stream?access_token=${secret}`);
    await fetch(`${h.url}/api/v2/notifications/inbox?access_token=${secret}&x=1`);
    await fetch(`${h.url}/stream?token=${secret}`);
    await fetch(`${h.url}/message?token=${secret}`, { method: 'POST', body: '{"message":"x"}' });
    await fetch(`${h.url}/api/v1/roles/a%00b?access_token=${secret}`, {
      headers: { authorization: `Bearer ${admin}` },
    });
    const text = logged.join('');
    expect(text).toContain('access_token=[redacted]');
    expect(text).toContain('token=[redacted]');
    expect(text).not.toContain(secret);
  });
});

describe('hardening: file modes', () => {
  it('creates the data dir 0700 and herald.db 0600', async () => {
    const parent = mkdtempSync(path.join(os.tmpdir(), 'herald-modes-'));
    const dataDir = path.join(parent, 'data');
    const h = await startHerald('sqlite', { dataDir });
    try {
      expect(statSync(dataDir).mode & 0o777).toBe(0o700);
      expect(statSync(path.join(dataDir, 'herald.db')).mode & 0o777).toBe(0o600);
    } finally {
      await h.close();
      rmSync(parent, { recursive: true, force: true });
    }
  });
});

describe.each(STORES)('hardening: webhook URLs stored before they were secret, on %s', (store) => {
  let hook: HttpReceiver;
  let dataDir: string;
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    hook = await createHttpReceiver();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-legacy-'));
    if (store === 'postgres') db = await createTestDatabase();
  });
  afterAll(async () => {
    await hook?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('are sealed on the next start and keep working', async () => {
    const opts = { dataDir, databaseUrl: db?.url };
    const url = `${hook.url}/legacy?apikey=${KEY}`;
    let h = await startHerald(store, opts);
    try {
      const admin = await h.adminToken();
      const put = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
        token: admin,
        body: { enabled: true, config: { url } },
      });
      expect(put.status, put.text).toBe(200);
      // As an earlier release stored it: the URL in plain text beside the sealed fields.
      const stored = JSON.parse(await storedWebhookConfig(h));
      await h.server.ctx.store.db
        .updateTable('channel_configs')
        .set({ config: JSON.stringify({ ...stored, url }) })
        .where('type', '=', 'webhook')
        .execute();
    } finally {
      await h.close();
    }
    h = await startHerald(store, opts);
    try {
      expect(await storedWebhookConfig(h)).not.toContain(KEY);
      const admin = await h.adminToken();
      const test = await h.api('POST', '/api/v1/notifications/channels/webhook/test', { token: admin });
      expect(test.status, test.text).toBe(200);
      expect(hook.received.at(-1)!.path).toBe(`/legacy?apikey=${KEY}`);
    } finally {
      await h.close();
    }
  });
});
