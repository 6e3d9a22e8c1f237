import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

interface Stream {
  ws: WebSocket;
  next(timeoutMs?: number): Promise<any>;
  closed: Promise<{ code: number }>;
}

const openSockets = new Set<WebSocket>();
afterEach(() => {
  for (const ws of openSockets) ws.terminate();
  openSockets.clear();
});

/** Opens `GET /stream` and collects its frames in order. */
function openStream(
  h: TestHerald,
  opts: { query?: string; headers?: Record<string, string> },
): Promise<Stream> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}/stream${opts.query ?? ''}`, {
    headers: opts.headers ?? {},
  });
  openSockets.add(ws);
  const frames: any[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    wake?.();
  });
  const closed = new Promise<{ code: number }>((resolve) =>
    ws.once('close', (code) => {
      openSockets.delete(ws);
      wake?.();
      resolve({ code });
    }),
  );
  const next = async (timeoutMs = 2000) => {
    const deadline = Date.now() + timeoutMs;
    while (frames.length <= taken) {
      const left = deadline - Date.now();
      if (left <= 0 || ws.readyState === ws.CLOSED) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return frames[taken++];
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, next, closed }));
    ws.once('unexpected-response', (_req, res) => {
      res.resume();
      reject(new Error(`upgrade refused: ${res.statusCode}`));
    });
    ws.once('error', reject);
  });
}

describe.each(STORES)('Gotify API on %s', (store) => {
  let h: TestHerald;
  let alice: { id: string; token: string; email: string };
  const alicePassword = 'alice-password-1';
  let clientToken: string;
  let clientId: number;
  let app: any;

  const gotify = (
    method: string,
    path: string,
    opts: { key?: string; body?: unknown; headers?: Record<string, string>; raw?: BodyInit } = {},
  ) =>
    h.api(method, path, {
      ...(opts.body !== undefined ? { body: opts.body } : {}),
      ...(opts.raw !== undefined ? { raw: opts.raw } : {}),
      headers: { ...(opts.key ? { 'x-gotify-key': opts.key } : {}), ...opts.headers },
    });

  beforeAll(async () => {
    h = await startHerald(store);
    alice = await h.createUser('alice');
    const client = await gotify('POST', '/client', {
      body: { name: 'phone' },
      headers: { authorization: basic('alice', alicePassword) },
    });
    expect(client.status).toBe(200);
    clientToken = client.body.token;
    clientId = client.body.id;
    const created = await gotify('POST', '/application', {
      key: clientToken,
      body: { name: 'backups', description: 'nightly backups', defaultPriority: 4 },
    });
    expect(created.status).toBe(200);
    app = created.body;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('answers /version, /gotifyinfo and /health without credentials', async () => {
    const version = await gotify('GET', '/version');
    expect(version.status).toBe(200);
    expect(version.body).toEqual({
      version: expect.stringMatching(/^2\.\d+\.\d+$/),
      commit: 'herald',
      buildDate: expect.any(String),
    });
    expect((await gotify('GET', '/gotifyinfo')).body).toEqual({
      version: version.body.version,
      oidc: false,
      register: false,
    });
    const health = await gotify('GET', '/health');
    expect(health.status).toBe(200);
    expect(health.body).toEqual({ health: 'green', database: 'green' });
    const doc = await gotify('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining([
        '/message',
        '/message/{id}',
        '/application/{id}/message',
        '/client/{id}',
        '/current/user',
      ]),
    );
  });

  it('creates clients with Basic credentials and lists them without their tokens', async () => {
    expect(clientId).toEqual(expect.any(Number));
    expect(clientToken).toEqual(expect.any(String));
    const list = await gotify('GET', '/client', { key: clientToken });
    expect(list.status).toBe(200);
    expect(list.body).toEqual([
      { id: clientId, name: 'phone', createdAt: expect.any(String), lastUsed: expect.any(String) },
    ]);
    const renamed = await gotify('PUT', `/client/${clientId}`, { key: clientToken, body: { name: 'pixel' } });
    expect(renamed.status).toBe(200);
    expect(renamed.body.name).toBe('pixel');
    expect(renamed.body.token).toBeUndefined();
  });

  it('refuses wrong or missing credentials in Gotify’s error shape', async () => {
    const none = await gotify('GET', '/message');
    expect(none.status).toBe(401);
    expect(none.body).toEqual({
      error: 'Unauthorized',
      errorCode: 401,
      errorDescription: 'you need to provide a valid access token or user credentials to access this api',
    });
    expect(none.headers.get('x-herald-error-code')).toBe('40101');
    const wrong = await gotify('GET', '/message', { headers: { authorization: basic('alice', 'nope') } });
    expect(wrong.status).toBe(401);
    expect((await gotify('GET', '/message', { key: 'zat_not-a-token' })).status).toBe(401);
    // An application token only sends.
    const appOnly = await gotify('GET', '/message', { key: app.token });
    expect(appOnly.status).toBe(403);
    expect(appOnly.body.errorCode).toBe(403);
  });

  it('holds Basic credentials to the login lock: five wrong passwords lock the account', async () => {
    await h.createUser('dave');
    for (let i = 0; i < 5; i++) {
      expect(
        (await gotify('GET', '/current/user', { headers: { authorization: basic('dave', 'wrong') } })).status,
      ).toBe(401);
    }
    const locked = await gotify('GET', '/current/user', {
      headers: { authorization: basic('dave', 'dave-password-1') },
    });
    expect(locked.status).toBe(401);
    const login = await h.api('POST', '/api/v1/auth/login', {
      body: { email: 'dave@example.com', password: 'dave-password-1' },
    });
    expect(login.status).toBe(423);
  });

  it('creates an application as a bucket of the user with a send-only token', async () => {
    expect(app).toMatchObject({
      id: expect.any(Number),
      token: expect.stringMatching(/^zat_/),
      name: 'backups',
      description: 'nightly backups',
      internal: false,
      defaultPriority: 4,
      image: expect.any(String),
      createdAt: expect.any(String),
    });
    const list = await gotify('GET', '/application', { key: clientToken });
    expect(list.status).toBe(200);
    const listed = list.body.find((a: any) => a.id === app.id);
    expect(listed).toMatchObject({ name: 'backups', description: 'nightly backups' });
    expect(listed.token).toBeUndefined();
    const buckets = await h.api('GET', '/api/v1/buckets', { token: alice.token });
    expect(buckets.body.map((b: any) => b.name)).toContain('backups');
  });

  it('accepts the application token in X-Gotify-Key, ?token= and Bearer, answering message JSON', async () => {
    const viaHeader = await gotify('POST', '/message', {
      key: app.token,
      body: { message: 'one', title: 'T1', priority: 6 },
    });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.body).toEqual({
      id: expect.any(Number),
      appid: app.id,
      message: 'one',
      title: 'T1',
      priority: 6,
      date: expect.any(String),
    });
    // The npm `gotify` client sends the token as a query parameter with a JSON body.
    const viaQuery = await gotify('POST', `/message?token=${encodeURIComponent(app.token)}`, {
      body: { message: 'two', title: 'T2', priority: 2 },
    });
    expect(viaQuery.status).toBe(200);
    const viaBearer = await gotify('POST', '/message', {
      headers: { authorization: `Bearer ${app.token}` },
      body: { message: 'three' },
    });
    expect(viaBearer.status).toBe(200);
    // No title: the application's name; no priority: its default priority.
    expect(viaBearer.body).toMatchObject({ title: 'backups', priority: 4 });
    expect(viaQuery.body.id).toBeGreaterThan(viaHeader.body.id);
    expect(viaBearer.body.id).toBeGreaterThan(viaQuery.body.id);
  });

  it('accepts urlencoded and multipart forms, as curl -F and the CLI send them', async () => {
    const form = await gotify('POST', '/message', {
      key: app.token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: new URLSearchParams({ title: 'form', message: 'from a form', priority: '7' }).toString(),
    });
    expect(form.status).toBe(200);
    expect(form.body).toMatchObject({ title: 'form', message: 'from a form', priority: 7 });
    const fd = new FormData();
    fd.set('title', 'multi');
    fd.set('message', 'from multipart');
    fd.set('priority', '9');
    const res = await fetch(`${h.url}/message?token=${app.token}`, { method: 'POST', body: fd });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ title: 'multi', message: 'from multipart', priority: 9 });
    const bad = await gotify('POST', '/message', {
      key: app.token,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: 'title=x&priority=high',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errorDescription).toContain("Field 'message' is required");
  });

  it('is a message like any other: deliveryType by priority, plain text escaped, markdown and click URL kept', async () => {
    // A Coder-family watch of the same user sees Gotify messages too.
    const watch = new WebSocket(
      `${h.url.replace(/^http/, 'ws')}/api/v2/notifications/inbox/watch?format=plaintext`,
      {
        headers: { authorization: `Bearer ${alice.token}` },
      },
    );
    openSockets.add(watch);
    const watched = new Promise<any>((resolve) =>
      watch.once('message', (d) => resolve(JSON.parse(String(d)))),
    );
    await new Promise((resolve, reject) => watch.once('open', resolve).once('error', reject));
    const plain = await gotify('POST', '/message', {
      key: app.token,
      body: { message: 'a *b* [c]', priority: 0 },
    });
    expect((await watched).notification).toMatchObject({ title: 'backups', content: 'a *b* [c]' });
    watch.close();
    const md = await gotify('POST', '/message', {
      key: app.token,
      body: {
        message: '**bold**',
        priority: 8,
        extras: {
          'client::display': { contentType: 'text/markdown' },
          'client::notification': { click: { url: 'https://example.com/run/1' } },
        },
      },
    });
    expect(md.status).toBe(200);
    expect(md.body.extras['client::notification']).toEqual({ click: { url: 'https://example.com/run/1' } });
    const page = await h.api('GET', `/api/v1/buckets/${encodeURIComponent('backups')}/messages?limit=20`, {
      token: alice.token,
    });
    expect(page.status).toBe(200);
    const byBody = new Map(page.body.messages.map((m: any) => [m.body, m]));
    expect(byBody.get('a \\*b\\* \\[c\\]')).toMatchObject({ deliveryType: 'SILENT', title: 'backups' });
    expect(byBody.get('**bold**')).toMatchObject({
      deliveryType: 'CRITICAL',
      tapAction: { type: 'NAVIGATE', value: 'https://example.com/run/1' },
    });
    expect(byBody.get('one')).toMatchObject({ deliveryType: 'NORMAL' });
    // Gotify clients get back exactly what was sent.
    const mine = await gotify('GET', '/message?limit=200', { key: clientToken });
    const sent = mine.body.messages.find((m: any) => m.id === plain.body.id);
    expect(sent).toMatchObject({ message: 'a *b* [c]', priority: 0, appid: app.id });
    expect(sent.extras).toBeUndefined();
  });

  it('pages GET /message newest first with since/limit and a next link', async () => {
    const all = await gotify('GET', '/message?limit=200', { key: clientToken });
    expect(all.status).toBe(200);
    const ids = all.body.messages.map((m: any) => m.id);
    expect(ids.length).toBeGreaterThanOrEqual(5);
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    expect(all.body.paging).toEqual({ size: ids.length, since: 0, limit: 200 });

    const first = await gotify('GET', '/message?limit=2', { key: clientToken });
    expect(first.body.messages.map((m: any) => m.id)).toEqual(ids.slice(0, 2));
    expect(first.body.paging).toEqual({
      size: 2,
      since: ids[1],
      limit: 2,
      next: `/message?limit=2&since=${ids[1]}`,
    });
    const second = await gotify('GET', first.body.paging.next, { key: clientToken });
    expect(second.body.messages.map((m: any) => m.id)).toEqual(ids.slice(2, 4));

    const perApp = await gotify('GET', `/application/${app.id}/message?limit=1`, { key: clientToken });
    expect(perApp.status).toBe(200);
    expect(perApp.body.messages).toHaveLength(1);
    expect(perApp.body.paging.next).toBe(`/application/${app.id}/message?limit=1&since=${ids[0]}`);

    expect((await gotify('GET', '/message?limit=0', { key: clientToken })).status).toBe(400);
    expect((await gotify('GET', '/application/999999/message', { key: clientToken })).status).toBe(404);
    const badId = await gotify('GET', '/application/abc/message', { key: clientToken });
    expect(badId.status).toBe(400);
    expect(badId.body).toMatchObject({ error: 'Bad Request', errorCode: 400 });
  });

  it('streams messages from Gotify and from the messages family on /stream', async () => {
    const byKey = await openStream(h, { headers: { 'x-gotify-key': clientToken } });
    const byQuery = await openStream(h, { query: `?token=${clientToken}` });
    const byBasic = await openStream(h, { headers: { authorization: basic('alice', alicePassword) } });

    const sent = await gotify('POST', '/message', {
      key: app.token,
      body: { message: 'live', title: 'now', priority: 5 },
    });
    for (const s of [byKey, byQuery, byBasic]) expect(await s.next()).toEqual(sent.body);

    // The same bucket, written through the messages family.
    const bucket = (await h.api('GET', '/api/v1/buckets', { token: alice.token })).body.find(
      (b: any) => b.name === 'backups',
    );
    const zentik = await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      body: {
        bucketId: bucket.id,
        title: 'From Zentik',
        body: 'Disk *almost* full',
        deliveryType: 'CRITICAL',
      },
    });
    expect(zentik.status).toBe(201);
    const frame = await byKey.next();
    expect(frame).toEqual({
      id: expect.any(Number),
      appid: app.id,
      title: 'From Zentik',
      message: 'Disk *almost* full',
      priority: 8,
      extras: { 'client::display': { contentType: 'text/markdown' } },
      date: expect.any(String),
    });
    expect(frame.id).toBeGreaterThan(sent.body.id);
    expect((await byBasic.next()).id).toBe(frame.id);
    const listed = await gotify('GET', '/message?limit=1', { key: clientToken });
    expect(listed.body.messages[0]).toEqual(frame);

    // A message to a bucket without an application is not Gotify's to show.
    await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'elsewhere' } });
    await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      body: { bucketId: 'elsewhere', title: 'x', deliveryType: 'NORMAL' },
    });
    await gotify('POST', '/message', { key: app.token, body: { message: 'after' } });
    expect((await byQuery.next()).id).toBe(frame.id);
    expect((await byQuery.next()).message).toBe('after');

    const refused = await openStream(h, { query: '?token=zat_wrong' }).catch((err: Error) => err.message);
    expect(refused).toBe('upgrade refused: 401');
  });

  it('lets a client token send with appid, and refuses it without', async () => {
    const missing = await gotify('POST', '/message', { key: clientToken, body: { message: 'x' } });
    expect(missing.status).toBe(400);
    expect(missing.body.errorDescription).toContain('appid');
    const ok = await gotify('POST', '/message', {
      key: clientToken,
      body: { message: 'by client', appid: app.id },
    });
    expect(ok.status).toBe(200);
    expect(ok.body.appid).toBe(app.id);
  });

  it('answers a repeated Idempotency-Key with the first message', async () => {
    const a = await gotify('POST', '/message', {
      key: app.token,
      headers: { 'idempotency-key': 'k-1' },
      body: { message: 'once' },
    });
    const b = await gotify('POST', '/message', {
      key: app.token,
      headers: { 'idempotency-key': 'k-1' },
      body: { message: 'once' },
    });
    expect(b.body).toEqual(a.body);
    const mine = await gotify('GET', '/message?limit=200', { key: clientToken });
    expect(mine.body.messages.filter((m: any) => m.message === 'once')).toHaveLength(1);
  });

  it('shows a shared bucket’s application and messages to its other members', async () => {
    const bob = await h.createUser('bob');
    const bucket = (await h.api('GET', '/api/v1/buckets', { token: alice.token })).body.find(
      (b: any) => b.name === 'backups',
    );
    expect(
      (
        await h.api('POST', `/api/v1/buckets/${bucket.id}/members`, {
          token: await h.adminToken(), // a server admin adds directly
          body: { userId: bob.id, permission: 'read' },
        })
      ).status,
    ).toBeLessThan(300);
    const bobBasic = { authorization: basic('bob', 'bob-password-1') };
    expect((await gotify('GET', '/application', { headers: bobBasic })).body.map((a: any) => a.id)).toEqual([
      app.id,
    ]);
    const sent = await gotify('POST', '/message', { key: app.token, body: { message: 'for both' } });
    const bobs = await gotify('GET', '/message', { headers: bobBasic });
    expect(bobs.body.messages.map((m: any) => m.id)).toEqual([sent.body.id]);
    // Deleting is per reader: bob's copy goes, alice keeps hers.
    expect((await gotify('DELETE', `/message/${sent.body.id}`, { headers: bobBasic })).status).toBe(200);
    expect((await gotify('DELETE', `/message/${sent.body.id}`, { headers: bobBasic })).status).toBe(404);
    expect((await gotify('GET', '/message', { headers: bobBasic })).body.messages).toEqual([]);
    const alices = await gotify('GET', '/message?limit=1', { key: clientToken });
    expect(alices.body.messages[0].id).toBe(sent.body.id);
    // A reader may not rename or delete the application.
    expect(
      (await gotify('PUT', `/application/${app.id}`, { headers: bobBasic, body: { name: 'mine' } })).status,
    ).toBe(403);
    expect((await gotify('DELETE', `/application/${app.id}`, { headers: bobBasic })).status).toBe(403);
  });

  it('tells who is calling on /current/user', async () => {
    const viaClient = await gotify('GET', '/current/user', { key: clientToken });
    expect(viaClient.status).toBe(200);
    expect(viaClient.body).toEqual({
      id: expect.any(Number),
      name: 'alice',
      admin: false,
      createdAt: expect.any(String),
      clientId,
    });
    const viaBasic = await gotify('GET', '/current/user', {
      headers: { authorization: basic('alice', alicePassword) },
    });
    expect(viaBasic.body).toEqual({
      id: viaClient.body.id,
      name: 'alice',
      admin: false,
      createdAt: viaClient.body.createdAt,
    });
    const admin = await gotify('GET', '/current/user', {
      headers: { authorization: `Bearer ${await h.adminToken()}` },
    });
    expect(admin.body).toMatchObject({ name: 'admin', admin: true });
    expect(admin.body.id).not.toBe(viaClient.body.id);
  });

  it('opens an existing bucket to Gotify when an application takes its name, and keeps it on delete', async () => {
    const ops = await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'ops' } });
    await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      body: { bucketId: ops.body.id, title: 'older', deliveryType: 'NORMAL' },
    });
    const opened = await gotify('POST', '/application', { key: clientToken, body: { name: 'ops' } });
    expect(opened.status).toBe(200);
    // Its history was numbered when it was written, so it shows at once.
    const history = await gotify('GET', `/application/${opened.body.id}/message`, { key: clientToken });
    expect(history.body.messages.map((m: any) => m.title)).toEqual(['older']);
    const again = await gotify('POST', '/application', { key: clientToken, body: { name: 'ops' } });
    expect(again.status).toBe(409);
    expect((await gotify('DELETE', `/application/${opened.body.id}`, { key: clientToken })).status).toBe(200);
    expect((await h.api('GET', `/api/v1/buckets/${ops.body.id}`, { token: alice.token })).status).toBe(200);
    expect(
      (await gotify('POST', '/message', { key: opened.body.token, body: { message: 'x' } })).status,
    ).toBe(401);
  });

  it('renames, refuses images, empties and deletes an application with its bucket', async () => {
    const made = await gotify('POST', '/application', { key: clientToken, body: { name: 'temp' } });
    await gotify('POST', '/message', { key: made.body.token, body: { message: 'm1' } });
    await gotify('POST', '/message', { key: made.body.token, body: { message: 'm2' } });
    const renamed = await gotify('PUT', `/application/${made.body.id}`, {
      key: clientToken,
      body: { name: 'temporary', description: 'soon gone', defaultPriority: 9 },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ name: 'temporary', description: 'soon gone', defaultPriority: 9 });
    const buckets = (await h.api('GET', '/api/v1/buckets', { token: alice.token })).body;
    const bucket = buckets.find((b: any) => b.name === 'temporary');
    expect(bucket).toMatchObject({ description: 'soon gone' });
    const image = await gotify('POST', `/application/${made.body.id}/image`, { key: clientToken });
    expect(image.status).toBe(501);
    expect(image.body).toMatchObject({ error: 'Not Implemented', errorCode: 501 });
    expect(image.headers.get('x-herald-error-code')).toBe('50101');

    expect(
      (await gotify('DELETE', `/application/${made.body.id}/message`, { key: clientToken })).status,
    ).toBe(200);
    expect(
      (await gotify('GET', `/application/${made.body.id}/message`, { key: clientToken })).body.messages,
    ).toEqual([]);
    expect((await gotify('DELETE', `/application/${made.body.id}`, { key: clientToken })).status).toBe(200);
    expect((await gotify('DELETE', `/application/${made.body.id}`, { key: clientToken })).status).toBe(404);
    expect((await h.api('GET', `/api/v1/buckets/${bucket.id}`, { token: alice.token })).status).toBe(404);
    expect((await gotify('POST', '/message', { key: made.body.token, body: { message: 'x' } })).status).toBe(
      401,
    );
  });

  it('deletes all of the caller’s messages', async () => {
    expect((await gotify('GET', '/message', { key: clientToken })).body.messages.length).toBeGreaterThan(0);
    expect((await gotify('DELETE', '/message', { key: clientToken })).status).toBe(200);
    expect((await gotify('GET', '/message', { key: clientToken })).body).toEqual({
      messages: [],
      paging: { size: 0, since: 0, limit: 100 },
    });
  });

  it('deleting a client revokes its token and ends its stream', async () => {
    const extra = await gotify('POST', '/client', { key: clientToken, body: { name: 'laptop' } });
    const stream = await openStream(h, { headers: { 'x-gotify-key': extra.body.token } });
    expect((await gotify('DELETE', `/client/${extra.body.id}`, { key: clientToken })).status).toBe(200);
    expect((await gotify('GET', '/message', { key: extra.body.token })).status).toBe(401);
    await gotify('POST', '/message', { key: app.token, body: { message: 'not for the laptop' } });
    expect((await stream.closed).code).toBe(1008);
    expect((await gotify('DELETE', `/client/${extra.body.id}`, { key: clientToken })).status).toBe(404);
  });
});
