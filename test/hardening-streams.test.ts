import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { WATCH_REVOKED_CLOSE_CODE } from '../src/realtime/hub.ts';
import { ADMIN, STORES, startHerald, type TestHerald } from './support/herald.ts';
import { type ServeProcess, startServe } from './support/herald-process.ts';
import { createTestDatabase, type TestDatabase } from './support/pg-database.ts';
import { freePort } from './support/postgres-cluster.ts';

/** A live stream ends within this long of its credential's revocation. */
const WITHIN_MS = 1_000;

const sockets = new Set<WebSocket>();
const aborts = new Set<AbortController>();

interface OpenWs {
  closed: Promise<{ code: number; at: number }>;
}

async function openWs(url: string, headers: Record<string, string>): Promise<OpenWs> {
  const ws = new WebSocket(url, { headers });
  sockets.add(ws);
  const closed = new Promise<{ code: number; at: number }>((resolve) =>
    ws.once('close', (code) => {
      sockets.delete(ws);
      resolve({ code, at: Date.now() });
    }),
  );
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { closed };
}

interface OpenSse {
  /** Resolves with the text received once the server ends the response. */
  ended: Promise<{ text: string; at: number }>;
}

async function openSse(url: string, headers: Record<string, string> = {}): Promise<OpenSse> {
  const abort = new AbortController();
  aborts.add(abort);
  const res = await fetch(url, { headers, signal: abort.signal });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  let text = '';
  let connected!: () => void;
  const ready = new Promise<void>((resolve) => {
    connected = resolve;
  });
  const ended = (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += Buffer.from(value).toString('utf8');
        if (text.includes(': connected')) connected();
      }
    } catch {}
    aborts.delete(abort);
    connected();
    return { text, at: Date.now() };
  })();
  await ready;
  return { ended };
}

async function closeAll(): Promise<void> {
  for (const ws of sockets) ws.terminate();
  sockets.clear();
  for (const a of aborts) a.abort();
  aborts.clear();
}

async function zatToken(
  h: TestHerald,
  jwt: string,
  scopes: string[],
): Promise<{ id: string; token: string }> {
  const res = await h.api('POST', '/api/v1/access-tokens', { token: jwt, body: { name: 'stream', scopes } });
  expect(res.status, res.text).toBe(201);
  return { id: res.body.id, token: res.body.token };
}

/** Waits until the hub has `n` watchers for a user (the server registers them after the upgrade). */
async function watchers(h: TestHerald, userId: string, n: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (h.server.ctx.hub.subscriberCount(userId) < n) {
    if (Date.now() > deadline) throw new Error(`expected ${n} watchers for ${userId}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe.each(STORES)('hardening: live streams end with their credential on %s', (store) => {
  let h: TestHerald;
  let admin: string;

  beforeAll(async () => {
    h = await startHerald(store);
    admin = await h.adminToken();
  });
  afterEach(closeAll);
  afterAll(() => h?.close());

  const ws = (h: TestHerald) => h.url.replace(/^http/, 'ws');

  it('revoking an access token ends its SSE stream and WebSocket watch', async () => {
    const bob = await h.createUser('bob-token');
    const { id, token } = await zatToken(h, bob.token, ['inbox:read']);
    const sse = await openSse(`${h.url}/api/v1/inbox/stream?access_token=${token}`);
    const watch = await openWs(`${ws(h)}/api/v2/notifications/inbox/watch`, {
      authorization: `Bearer ${token}`,
    });
    await watchers(h, bob.id, 2);
    const other = await openSse(`${h.url}/api/v1/inbox/stream`, { authorization: `Bearer ${bob.token}` });
    await watchers(h, bob.id, 3);

    const at = Date.now();
    const res = await h.api('DELETE', `/api/v1/access-tokens/${id}`, { token: bob.token });
    expect(res.status, res.text).toBe(204);
    const ended = await sse.ended;
    expect(ended.text).toContain('event: revoked');
    expect(ended.at - at).toBeLessThan(WITHIN_MS);
    const closed = await watch.closed;
    expect(closed.code).toBe(WATCH_REVOKED_CLOSE_CODE);
    expect(closed.at - at).toBeLessThan(WITHIN_MS);
    // The login session's own stream is another credential and stays open.
    expect(h.server.ctx.hub.subscriberCount(bob.id)).toBe(1);
    void other;
  });

  it('logging out ends the streams of that session', async () => {
    const carol = await h.createUser('carol-logout');
    const watch = await openWs(`${ws(h)}/api/v2/notifications/inbox/watch`, {
      authorization: `Bearer ${carol.token}`,
    });
    await watchers(h, carol.id, 1);
    const at = Date.now();
    const res = await h.api('POST', '/api/v1/auth/logout', { token: carol.token, body: {} });
    expect(res.status, res.text).toBeLessThan(300);
    const closed = await watch.closed;
    expect(closed.code).toBe(WATCH_REVOKED_CLOSE_CODE);
    expect(closed.at - at).toBeLessThan(WITHIN_MS);
  });

  it('deleting a user ends every stream they hold, Gotify /stream included', async () => {
    const dave = await h.createUser('dave-deleted');
    const client = await h.api('POST', '/client', { token: dave.token, body: { name: 'phone' } });
    expect(client.status, client.text).toBe(200);
    const gotify = await openWs(`${ws(h)}/stream`, { 'x-gotify-key': client.body.token });
    const sse = await openSse(`${h.url}/api/v1/inbox/stream`, { authorization: `Bearer ${dave.token}` });
    await watchers(h, dave.id, 2);
    const at = Date.now();
    const res = await h.api('DELETE', `/api/v1/users/${dave.id}`, { token: admin });
    expect(res.status, res.text).toBe(204);
    const closed = await gotify.closed;
    expect(closed.code).toBe(1008);
    expect(closed.at - at).toBeLessThan(WITHIN_MS);
    expect((await sse.ended).text).toContain('event: revoked');
  });

  it('deleting a Gotify client ends its /stream at once', async () => {
    const erin = await h.createUser('erin-gotify');
    const client = await h.api('POST', '/client', { token: erin.token, body: { name: 'phone' } });
    const gotify = await openWs(`${ws(h)}/stream?token=${client.body.token}`, {});
    await watchers(h, erin.id, 1);
    const at = Date.now();
    const res = await h.api('DELETE', `/client/${client.body.id}`, { token: erin.token });
    expect(res.status, res.text).toBe(200);
    const closed = await gotify.closed;
    expect(closed.code).toBe(1008);
    expect(closed.at - at).toBeLessThan(WITHIN_MS);
  });

  it('removing a member narrows their streams: the watch stays open', async () => {
    const frank = await h.createUser('frank-member');
    const bucket = await h.api('POST', '/api/v1/buckets', { token: admin, body: { name: 'narrowed' } });
    const add = await h.api('POST', `/api/v1/buckets/${bucket.body.id}/members`, {
      token: admin,
      body: { userId: frank.id },
    });
    expect(add.status, add.text).toBeLessThan(300);
    const watch = await openWs(`${ws(h)}/api/v2/notifications/inbox/watch`, {
      authorization: `Bearer ${frank.token}`,
    });
    await watchers(h, frank.id, 1);
    const res = await h.api('DELETE', `/api/v1/buckets/${bucket.body.id}/members/${frank.id}`, {
      token: admin,
    });
    expect(res.status, res.text).toBe(204);
    await h.server.drain();
    expect(h.server.ctx.hub.subscriberCount(frank.id)).toBe(1);
    void watch;
  });
});

describe('hardening: revocations cross processes on PostgreSQL', () => {
  let db: TestDatabase;
  let dataDir: string;
  let a: TestHerald;
  let b: ServeProcess;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'herald-two-'));
    a = await startHerald('postgres', { databaseUrl: db.url });
    b = await startServe(await freePort(), {
      HERALD_DATA_DIR: dataDir,
      HERALD_DATABASE_URL: db.url,
      HERALD_SECRET: a.server.ctx.config.secret,
      HERALD_ADMIN_EMAIL: ADMIN.email,
      HERALD_ADMIN_PASSWORD: ADMIN.password,
      HERALD_LOG_LEVEL: 'info',
    });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await b?.stop();
    await a?.close();
    await db?.drop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('a token revoked on one process ends its stream on the other within a second', async () => {
    const gina = await a.createUser('gina-two');
    const { id, token } = await zatToken(a, gina.token, ['inbox:read']);
    const sse = await openSse(`${b.url}/api/v1/inbox/stream?access_token=${token}`);
    const watch = await openWs(`${b.url.replace(/^http/, 'ws')}/api/v2/notifications/inbox/watch`, {
      authorization: `Bearer ${gina.token}`,
    });
    const at = Date.now();
    const res = await a.api('DELETE', `/api/v1/access-tokens/${id}`, { token: gina.token });
    expect(res.status, res.text).toBe(204);
    const ended = await sse.ended;
    expect(ended.text).toContain('event: revoked');
    expect(ended.at - at).toBeLessThan(WITHIN_MS);

    const out = await a.api('POST', '/api/v1/auth/logout', { token: gina.token, body: {} });
    expect(out.status, out.text).toBeLessThan(300);
    const closed = await watch.closed;
    expect(closed.code).toBe(WATCH_REVOKED_CLOSE_CODE);
  });
});
