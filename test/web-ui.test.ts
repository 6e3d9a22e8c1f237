import http from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestChromium } from './support/chromium.ts';
import { ADMIN, startHerald, type TestHerald } from './support/herald.ts';

// The browser UI driven in real Chromium (the system one; nothing is downloaded). The tests
// form one story in order: log in, watch items arrive, change read state, page.

const CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'";
const LIVE_MS = 5000;

/** A GET with the path sent byte for byte (fetch would normalise `..` and `%2e%2e`). */
function rawGet(base: string, rawPath: string): Promise<number> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.get({ hostname, port, path: rawPath, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

describe('web UI (Chromium)', () => {
  let h: TestHerald;
  let chromium: TestChromium;
  let browser: BrowserContext;
  let page: Page;
  let bucketId: string;
  const dialogs: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    h = await startHerald('sqlite');
    chromium = await launchChromium(); // phone width: the layout must hold up there
    browser = chromium.context;
    page = browser.pages()[0] ?? (await browser.newPage());
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (err) => pageErrors.push(err.message));
    const bucket = await h.api('POST', '/api/v1/buckets', {
      token: await h.adminToken(),
      body: { name: 'web-ui' },
    });
    expect(bucket.status, bucket.text).toBe(201);
    bucketId = bucket.body.id;
  });

  afterAll(async () => {
    // The browser first: its open event stream would otherwise hold the server's close.
    await chromium?.close();
    await h?.close();
  });

  async function post(title: string, body = 'Hello from the API'): Promise<void> {
    const res = await h.api('POST', '/api/v1/messages', {
      token: await h.adminToken(),
      body: { title, body, bucketId, deliveryType: 'NORMAL' },
    });
    expect(res.status, res.text).toBe(201);
  }

  const items = () => page.locator('#list > li');
  const topTitle = () => items().first().locator('.item-title-text').textContent();
  const unread = async () => Number(await page.locator('#unread-count').textContent());
  const waitLive = () => page.locator('#live-status[data-state="live"]').waitFor({ timeout: LIVE_MS });

  /** Every notification in the admin's inbox, through the API. */
  async function inboxTotal(): Promise<number> {
    const token = await h.adminToken();
    let total = 0;
    let before = '';
    for (;;) {
      const q = before ? `?starting_before=${before}` : '';
      const res = await h.api('GET', `/api/v2/notifications/inbox${q}`, { token });
      const page: Array<{ id: string }> = res.body.notifications;
      total += page.length;
      if (page.length < 25) return total;
      before = page[page.length - 1].id;
    }
  }

  it('serves the page with a strict CSP and nothing from outside web/', async () => {
    const html = await fetch(`${h.url}/`);
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html.headers.get('content-security-policy')).toBe(CSP);
    expect(html.headers.get('cache-control')).toBe('no-cache');
    expect(await html.text()).toContain('/web/app.js');

    const js = await fetch(`${h.url}/web/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    const css = await fetch(`${h.url}/web/style.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);

    for (const outside of [
      '/web/../package.json',
      '/web/%2e%2e/package.json',
      '/web/..%2fpackage.json',
      '/web/%2e%2e%2fsrc%2fserver.ts',
      '/web/..%5cpackage.json',
      '/web/missing.js',
    ]) {
      expect(await rawGet(h.url, outside), outside).toBe(404);
    }
  });

  it('shows the server error on a wrong password', async () => {
    await page.goto(h.url);
    await page.getByLabel('Email or username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect
      .poll(() => page.locator('#login-error').textContent())
      .toBe('Invalid email, username or password.');
    expect(await page.locator('#inbox-view').isHidden()).toBe(true);
  });

  it('logs in and opens the live inbox', async () => {
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#inbox-view').waitFor();
    await waitLive();
    expect(await page.locator('#whoami').textContent()).toBe(ADMIN.username);
  });

  it('shows a message sent through the API at the top, live, and counts it', async () => {
    await page.evaluate(() => {
      (window as any).heraldNoReload = true;
    });
    const before = await unread();
    await post('Deploy finished');
    await expect.poll(topTitle, { timeout: LIVE_MS }).toBe('Deploy finished');
    await expect.poll(unread, { timeout: LIVE_MS }).toBe(before + 1);
    expect(await items().first().getAttribute('class')).toContain('unread');
    expect(await page.evaluate(() => (window as any).heraldNoReload)).toBe(true);
  });

  it('shows markup in content as text', async () => {
    const payload = '<img src=x onerror=alert(1)>';
    await post('<b>Not bold</b>', payload);
    await expect.poll(topTitle, { timeout: LIVE_MS }).toBe('<b>Not bold</b>');
    expect(await items().first().locator('.item-content').textContent()).toBe(payload);
    expect(await page.locator('#list img').count()).toBe(0);
    expect(await page.locator('#list b').count()).toBe(0);
    expect(dialogs).toEqual([]);
  });

  it('reconnects a dropped stream and replays what it missed', async () => {
    h.server.app.server.closeAllConnections();
    await page.locator('#live-status:not([data-state="live"])').waitFor({ timeout: LIVE_MS });
    await post('Sent while disconnected');
    // The browser waits about 3 s before it reconnects; the replay then brings the item.
    await expect.poll(topTitle, { timeout: 3 * LIVE_MS }).toBe('Sent while disconnected');
    await waitLive();
  });

  it('after a refused reconnect, opens a new stream from the last id it saw', async () => {
    const lastSeen = await items().first().getAttribute('data-id');
    const streams: string[] = [];
    const onRequest = (r: { url(): string }) => {
      if (r.url().includes('/api/v1/inbox/stream')) streams.push(r.url());
    };
    page.on('request', onRequest);
    await page.route('**/api/v1/inbox/stream**', (route) => route.fulfill({ status: 503, body: '' }), {
      times: 1,
    });
    h.server.app.server.closeAllConnections();
    // The browser's own retry is refused, so the page gives up on that stream and opens its own.
    await page.locator('#live-status[data-state="offline"]').waitFor({ timeout: 2 * LIVE_MS });
    await post('Sent while offline');
    await expect.poll(topTitle, { timeout: 2 * LIVE_MS }).toBe('Sent while offline');
    await waitLive();
    page.off('request', onRequest);
    expect(new URL(streams.at(-1)!).searchParams.get('since')).toBe(lastSeen);
  });

  it('toggles read state and the badge follows', async () => {
    const before = await unread();
    const top = items().first();
    await top.getByRole('button', { name: 'Mark as read' }).click();
    await expect.poll(unread).toBe(before - 1);
    expect(await top.getAttribute('class')).not.toContain('unread');
    await top.getByRole('button', { name: 'Mark as unread' }).click();
    await expect.poll(unread).toBe(before);
    expect(await top.getAttribute('class')).toContain('unread');
  });

  it('marks everything read, and the unread filter then shows nothing', async () => {
    expect(await unread()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await expect.poll(unread).toBe(0);
    expect(await page.locator('#list > li.unread').count()).toBe(0);

    await page.getByText('Unread', { exact: true }).click();
    await expect.poll(() => items().count()).toBe(0);
    expect(await page.locator('#empty').isVisible()).toBe(true);
    // New items still arrive live under the unread filter.
    await post('While filtered');
    await expect.poll(topTitle, { timeout: LIVE_MS }).toBe('While filtered');
    await page.getByText('All', { exact: true }).click();
    await expect.poll(() => items().count()).toBeGreaterThan(1);
  });

  it('sends a test note to yourself', async () => {
    const before = await unread();
    await page.getByLabel('Title').fill('Note to self');
    await page.getByLabel('Message').fill('Remember the milk');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect.poll(topTitle, { timeout: LIVE_MS }).toBe('Note to self');
    await expect.poll(unread).toBe(before + 1);
    expect(await page.locator('#note-status').textContent()).toMatch(/^Sent/);
  });

  it('pages past 25 items with load more, and keeps the login across a reload', async () => {
    for (let i = 1; i <= 30; i++) await post(`Bulk ${i}`);
    await expect.poll(topTitle, { timeout: LIVE_MS }).toBe('Bulk 30');
    const total = await inboxTotal();
    expect(total).toBeGreaterThan(25);
    expect(total).toBeLessThan(50);

    await page.reload();
    await page.locator('#inbox-view').waitFor();
    await expect.poll(() => items().count()).toBe(25);
    const more = page.getByRole('button', { name: 'Load more' });
    await more.click();
    await expect.poll(() => items().count()).toBe(total);
    expect(await more.isHidden()).toBe(true);
    const ids = await items().evaluateAll((lis) => lis.map((li) => (li as HTMLElement).dataset.id));
    expect(new Set(ids).size).toBe(total);
  });

  it('keeps the session in an HttpOnly cookie only: no token in storage or in any URL', async () => {
    const cookies = await browser.cookies(h.url);
    expect(cookies.map((c) => c.name)).toEqual(['herald_session']);
    expect(cookies[0]).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', secure: false });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    expect(await page.evaluate(() => [localStorage.length, sessionStorage.length])).toEqual([0, 0]);

    const urls: string[] = [];
    const onRequest = (r: { url(): string }) => urls.push(r.url());
    page.on('request', onRequest);
    await page.reload();
    await page.locator('#inbox-view').waitFor();
    await waitLive();
    page.off('request', onRequest);
    expect(urls.some((u) => u.includes('/api/v1/inbox/stream'))).toBe(true);
    const token = cookies[0].value;
    for (const u of urls) {
      expect(u).not.toContain('access_token');
      expect(u).not.toContain(token);
    }
  });

  it('returns to login when the session ends elsewhere, and when the cookie is spoiled', async () => {
    // The session is revoked from outside the page (another tab's logout).
    const [cookie] = await browser.cookies(h.url);
    const out = await fetch(`${h.url}/api/v1/auth/logout`, {
      method: 'POST',
      headers: { cookie: `${cookie.name}=${cookie.value}`, origin: h.url },
    });
    expect(out.status).toBe(204);
    await page.getByRole('button', { name: 'Mark all as read' }).click();
    await page.locator('#login-view').waitFor();
    expect(await page.locator('#login-error').textContent()).toBe('Your session has ended. Log in again.');

    // Logging in again works; a spoiled cookie then shows the login on the next load.
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#inbox-view').waitFor();
    await browser.addCookies([{ name: 'herald_session', value: 'spoiled', url: h.url }]);
    await page.reload();
    await page.locator('#login-view').waitFor();
    expect(await page.locator('#inbox-view').isHidden()).toBe(true);
  });

  it('logs out: the server clears the cookie and the page shows the login', async () => {
    await page.getByLabel('Email or username').fill(ADMIN.email);
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.locator('#inbox-view').waitFor();
    expect((await browser.cookies(h.url)).map((c) => c.name)).toEqual(['herald_session']);
    await page.locator('#logout').click();
    await page.locator('#login-view').waitFor();
    await expect.poll(async () => (await browser.cookies(h.url)).length).toBe(0);
    await page.reload();
    await page.locator('#login-view').waitFor();
    expect(pageErrors).toEqual([]);
  });
});
