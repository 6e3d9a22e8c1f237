import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

// Coder's dashboard as a browser runs it: its API module calls /api/v2 same-origin with no
// headers of its own, so only the session cookie authenticates, and its one-way WebSocket
// helper opens the inbox watch the same way (a browser cannot set headers on a WebSocket).
// The browser adds Origin to every unsafe request and to WebSocket handshakes; a page on
// another site gets the cookie attached too, and must be refused.

const INBOX = '/api/v2/notifications/inbox';
const EVIL = 'http://evil.example';

interface Jar {
  cookie: string;
}

/** `name=value` from a Set-Cookie header, with its attributes parsed. */
function parseSetCookie(line: string) {
  const [pair, ...attrs] = line.split(';').map((s) => s.trim());
  const eq = pair.indexOf('=');
  const flags = new Map(
    attrs.map((a) => {
      const i = a.indexOf('=');
      return i < 0 ? [a.toLowerCase(), ''] : [a.slice(0, i).toLowerCase(), a.slice(i + 1)];
    }),
  );
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), flags };
}

const openSockets = new Set<WebSocket>();
afterEach(() => {
  for (const ws of openSockets) ws.terminate();
  openSockets.clear();
});

describe.each(STORES)("Coder's dashboard with only the session cookie on %s", (store) => {
  let h: TestHerald;
  /** Each member's own bucket, so one test's items never reach another's inbox. */
  const buckets = new Map<string, { token: string; bucketId?: string }>();

  beforeAll(async () => {
    h = await startHerald(store);
  });
  afterAll(() => h?.close());

  /** A browser session for a fresh member: the cookie their login set, as the browser keeps it. */
  async function browserLogin(name: string): Promise<{ jar: Jar; userId: string; setCookie: string }> {
    const u = await h.createUser(name);
    const res = await fetch(`${h.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: h.url },
      body: JSON.stringify({ email: u.email, password: `${name}-password-1`, cookie: true }),
    });
    expect(res.status).toBe(200);
    buckets.set(u.id, { token: u.token });
    const body = await res.json();
    // The JSON answer still carries the token pair, for clients that want it.
    expect(body).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String) });
    const [setCookie] = res.headers.getSetCookie();
    const c = parseSetCookie(setCookie);
    expect(c.name).toBe('herald_session');
    return { jar: { cookie: `${c.name}=${c.value}` }, userId: u.id, setCookie };
  }

  /** A request as the dashboard's API module makes it: cookie only, Origin for unsafe methods. */
  async function browser(
    jar: Jar,
    method: string,
    path: string,
    o: { body?: unknown; origin?: string | null; referer?: string; cookieName?: string } = {},
  ) {
    const headers: Record<string, string> = { cookie: jar.cookie, accept: 'application/json' };
    if (o.cookieName) headers.cookie = jar.cookie.replace(/^[^=]+/, o.cookieName);
    const origin = o.origin === undefined ? (method === 'GET' ? null : h.url) : o.origin;
    if (origin) headers.origin = origin;
    if (o.referer) headers.referer = o.referer;
    if (o.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(h.url + path, {
      method,
      headers,
      body: o.body === undefined ? undefined : JSON.stringify(o.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, text, body: text ? JSON.parse(text) : undefined };
  }

  /** A message to the member's own bucket, sent through the API (not part of the dashboard). */
  async function sendToBucket(userId: string, title: string): Promise<void> {
    const b = buckets.get(userId)!;
    if (!b.bucketId) {
      const made = await h.api('POST', '/api/v1/buckets', {
        token: b.token,
        body: { name: `dash-${userId}` },
      });
      expect(made.status, made.text).toBe(201);
      b.bucketId = made.body.id as string;
    }
    const res = await h.api('POST', '/api/v1/messages', {
      token: b.token,
      body: { bucketId: b.bucketId, title, body: 'from the API', deliveryType: 'NORMAL' },
    });
    expect(res.status, res.text).toBe(201);
  }

  function openWatch(
    headers: Record<string, string>,
    query = '?format=plaintext',
  ): Promise<{ ws: WebSocket; frames: unknown[] }> {
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${INBOX}/watch${query}`, { headers });
    openSockets.add(ws);
    const frames: unknown[] = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, frames }));
      ws.once('unexpected-response', (_req, res) => {
        res.resume();
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
  }

  it('login with "cookie": true sets an HttpOnly, SameSite=Lax session cookie for the whole site', async () => {
    const { setCookie } = await browserLogin('dash-cookie');
    const c = parseSetCookie(setCookie);
    expect(c.flags.has('httponly')).toBe(true);
    expect(c.flags.get('samesite')?.toLowerCase()).toBe('lax');
    expect(c.flags.get('path')).toBe('/');
    expect(Number(c.flags.get('max-age'))).toBe(30 * 86_400);
    // Served over http here, so not Secure (see the https case below).
    expect(c.flags.has('secure')).toBe(false);

    // Without the option nothing is set.
    const plain = await h.api('POST', '/api/v1/auth/login', {
      body: { email: 'admin@example.com', password: 'admin-password-1' },
    });
    expect(plain.status).toBe(200);
    expect(plain.headers.getSetCookie()).toEqual([]);
  });

  it('lists, marks read, marks all read and watches with only the cookie, under either name', async () => {
    for (const cookieName of ['herald_session', 'coder_session_token']) {
      const { jar, userId } = await browserLogin(`dash-${cookieName.slice(0, 5)}`);
      const me = await browser(jar, 'GET', '/api/v2/users/me', { cookieName });
      expect(me.status, me.text).toBe(200);
      expect(me.body.id).toBe(userId);

      // The dashboard's watch: a WebSocket with the cookie and the page's Origin, nothing else.
      const cookie = jar.cookie.replace(/^[^=]+/, cookieName);
      const watch = await openWatch({ cookie, origin: h.url });
      await sendToBucket(userId, `for ${cookieName}`);
      await expect.poll(() => watch.frames.length, { timeout: 5000 }).toBe(1);
      const frame = watch.frames[0] as { notification: { id: string; title: string }; unread_count: number };
      expect(frame.notification.title).toBe(`for ${cookieName}`);
      expect(frame.unread_count).toBe(1);

      const list = await browser(jar, 'GET', INBOX, { cookieName });
      expect(list.status).toBe(200);
      expect(list.body.notifications.map((n: { id: string }) => n.id)).toEqual([frame.notification.id]);

      const read = await browser(jar, 'PUT', `${INBOX}/${frame.notification.id}/read-status`, {
        body: { is_read: true },
        cookieName,
      });
      expect(read.status, read.text).toBe(200);
      expect(read.body.unread_count).toBe(0);
      const unread = await browser(jar, 'PUT', `${INBOX}/${frame.notification.id}/read-status`, {
        body: { is_read: false },
        cookieName,
      });
      expect(unread.body.unread_count).toBe(1);

      const all = await browser(jar, 'PUT', `${INBOX}/mark-all-as-read`, { cookieName });
      expect(all.status, all.text).toBe(204);
      expect((await browser(jar, 'GET', INBOX, { cookieName })).body.unread_count).toBe(0);
      watch.ws.close();
    }
  });

  it('refuses a cross-site request that carries the cookie with 403, and changes nothing', async () => {
    const { jar, userId } = await browserLogin('dash-csrf');
    await sendToBucket(userId, 'csrf target');
    const before = await browser(jar, 'GET', INBOX);
    expect(before.body.unread_count).toBe(1);

    // A form another site posts: the browser attaches the cookie and names the other origin.
    const forged = await browser(jar, 'POST', '/api/v2/notifications/custom', {
      body: { content: { title: 'forged', message: 'by another site' } },
      origin: EVIL,
    });
    expect(forged.status).toBe(403);
    expect(forged.body).toMatchObject({ code: 40302, detail: expect.stringContaining(EVIL) });
    const markAll = await browser(jar, 'PUT', `${INBOX}/mark-all-as-read`, { origin: EVIL });
    expect(markAll.status).toBe(403);
    // No Origin, and a Referer from elsewhere: refused too.
    const referred = await browser(jar, 'PUT', `${INBOX}/mark-all-as-read`, {
      origin: null,
      referer: `${EVIL}/page`,
    });
    expect(referred.status).toBe(403);
    // Neither header: a browser always sends one of them, so this is refused as well.
    const bare = await browser(jar, 'PUT', `${INBOX}/mark-all-as-read`, { origin: null });
    expect(bare.status).toBe(403);
    expect(bare.body.code).toBe(40302);

    const after = await browser(jar, 'GET', INBOX);
    expect(after.body.unread_count).toBe(1);
    expect(after.body.notifications.map((n: { title: string }) => n.title)).toEqual(['csrf target']);

    // Same-site requests pass: by Origin, or by Referer when no Origin was sent.
    const sameSite = await browser(jar, 'PUT', `${INBOX}/mark-all-as-read`, {
      origin: null,
      referer: `${h.url}/`,
    });
    expect(sameSite.status).toBe(204);
  });

  it('refuses a cross-site WebSocket with the cookie before upgrading; a header token is not cookie-bound', async () => {
    const { jar } = await browserLogin('dash-ws');
    await expect(openWatch({ cookie: jar.cookie, origin: EVIL })).rejects.toThrow('upgrade refused: 403');
    const login = await h.api('POST', '/api/v1/auth/login', {
      body: { email: 'dash-ws@example.com', password: 'dash-ws-password-1' },
    });
    // A header credential cannot be forged by another site, so its Origin does not matter.
    const byHeader = await openWatch({ 'coder-session-token': login.body.accessToken, origin: EVIL });
    byHeader.ws.close();
  });

  it('the cookie is not a bearer token, and a bearer token is not a cookie', async () => {
    const { jar } = await browserLogin('dash-kinds');
    const value = jar.cookie.split('=')[1];
    const asBearer = await h.api('GET', INBOX, { token: value });
    expect(asBearer.status).toBe(401);
    const access = await h.login('dash-kinds@example.com', 'dash-kinds-password-1');
    const asCookie = await browser({ cookie: `herald_session=${access}` }, 'GET', INBOX);
    expect(asCookie.status).toBe(401);
    const none = await browser({ cookie: 'herald_session=' }, 'GET', INBOX);
    expect(none.status).toBe(401);
  });

  it('refreshes by cookie, and logout ends the session and clears the cookie', async () => {
    const { jar } = await browserLogin('dash-logout');
    const refreshed = await fetch(`${h.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { cookie: jar.cookie, origin: h.url, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(refreshed.status).toBe(200);
    expect(await refreshed.json()).toMatchObject({
      accessToken: expect.any(String),
      user: expect.any(Object),
    });
    const renewed = parseSetCookie(refreshed.headers.getSetCookie()[0]);
    expect(renewed.name).toBe('herald_session');
    const jar2 = { cookie: `herald_session=${renewed.value}` };
    expect((await browser(jar2, 'GET', INBOX)).status).toBe(200);

    // Refresh by cookie from another site is refused like any other forged request.
    const forgedRefresh = await fetch(`${h.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { cookie: jar.cookie, origin: EVIL, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(forgedRefresh.status).toBe(403);
    expect(forgedRefresh.headers.getSetCookie()).toEqual([]);

    const out = await browser(jar2, 'POST', '/api/v1/auth/logout');
    expect(out.status).toBe(204);
    const cleared = out.headers.getSetCookie().map(parseSetCookie);
    expect(cleared.map((c) => c.name).sort()).toEqual(['coder_session_token', 'herald_session']);
    for (const c of cleared) {
      expect(c.value).toBe('');
      expect(new Date(c.flags.get('expires') ?? '').getTime()).toBeLessThan(Date.now());
    }
    // Both cookies of the session stop working, and refresh by cookie too.
    expect((await browser(jar2, 'GET', INBOX)).status).toBe(401);
    expect((await browser(jar, 'GET', INBOX)).status).toBe(401);
    const again = await fetch(`${h.url}/api/v1/auth/refresh`, {
      method: 'POST',
      headers: { cookie: jar.cookie, origin: h.url, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(again.status).toBe(401);
  });

  it('marks the cookie Secure when HERALD_BASE_URL is https, and takes that origin as its own', async () => {
    const base = 'https://herald.example.com';
    const tls = await startHerald(store, { env: { HERALD_BASE_URL: base } });
    try {
      const res = await fetch(`${tls.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: base },
        body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password-1', cookie: true }),
      });
      expect(res.status).toBe(200);
      const c = parseSetCookie(res.headers.getSetCookie()[0]);
      expect(c.flags.has('secure')).toBe(true);
      const forged = await fetch(`${tls.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: EVIL },
        body: JSON.stringify({ email: 'admin@example.com', password: 'admin-password-1', cookie: true }),
      });
      expect(forged.status).toBe(403);
      expect(forged.headers.getSetCookie()).toEqual([]);
    } finally {
      await tls.close();
    }
  });
});
