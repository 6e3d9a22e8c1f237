import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEB_CSP } from '../src/http/plugins/external/static.plugin.ts';
import { createHttpReceiver, type HttpReceiver } from './receivers/http-receiver.ts';
import { launchChromium, type TestChromium } from './support/chromium.ts';
import { ADMIN, STORES, startHerald, type TestHerald } from './support/herald.ts';

// The web app at /admin driven in real Chromium (the system one; nothing is downloaded), one
// story per store: log in, make a bucket and a token, watch a message sent with that token
// arrive live, then the admin pages. Each page is photographed into test-artifacts/.

const LIVE_MS = 5000;
/** A tiny but real PNG (1×1, transparent). */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'base64',
);
const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/web-app');

describe.each(STORES)('web app (%s, Chromium)', (store) => {
  let h: TestHerald;
  let chromium: TestChromium;
  let browser: BrowserContext;
  let page: Page;
  let token = '';
  let bucketId = '';
  let hook: HttpReceiver;
  const pageErrors: string[] = [];
  const badRequests: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHerald(store);
    hook = await createHttpReceiver();
    chromium = await launchChromium();
    browser = chromium.context;
    page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(8000);
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (err) => pageErrors.push(err.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && /Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
    });
    page.on('response', (r) => {
      if (r.status() >= 500) badRequests.push(`${r.status()} ${r.url()}`);
    });
  });

  afterAll(async () => {
    await chromium?.close();
    await h?.close();
    await hook?.close();
  });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${store}-${name}.png`), fullPage: true });
  const go = async (link: string, title = link) => {
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: link, exact: true })
      .click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe(title);
  };

  it('serves /admin with the strict CSP and the vendored modules', async () => {
    const res = await fetch(`${h.url}/admin`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(WEB_CSP);
    const htmlText = await res.text();
    expect(htmlText).not.toMatch(/<script(?![^>]*\ssrc=)/); // no inline script
    expect(htmlText).not.toMatch(/\sstyle=/);
    for (const f of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const js = await fetch(`${h.url}/web/vendor/${f}`);
      expect(js.status, f).toBe(200);
      expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
      expect(await js.text()).not.toMatch(/from\s*["']preact["']/);
    }
    expect((await fetch(`${h.url}/web/vendor/other.mjs`)).status).toBe(404);
  });

  it('logs in', async () => {
    await page.goto(`${h.url}/admin`);
    await page.getByLabel('Email or username').fill(ADMIN.username);
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#login-error').textContent()).toMatch(/Invalid/);
    await shot('login');
    await page.getByLabel('Password').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Inbox');
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: LIVE_MS });
  });

  it('creates a bucket', async () => {
    await go('Buckets');
    await page.getByLabel('Name', { exact: true }).first().fill('ops');
    await page.getByRole('button', { name: 'Create bucket' }).click();
    await expect.poll(() => page.locator('#bucket-name').textContent()).toBe('ops');
    const list = await h.api('GET', '/api/v1/buckets', { token: await h.adminToken() });
    bucketId = list.body.find((b: { name: string }) => b.name === 'ops').id;
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.getByRole('list', { name: 'Recent messages' }).getByText('Test message to ops').waitFor();
    await shot('buckets');
  });

  it('creates a token limited to the bucket; the secret is shown once', async () => {
    await go('Tokens', 'Access tokens');
    await page.getByLabel('Name', { exact: true }).fill('deploy-bot');
    await page.getByRole('checkbox', { name: /^ops$/ }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    await page.locator('#token-secret').waitFor();
    token = await page.locator('#token-secret').inputValue();
    expect(token).toMatch(/^zat_/);
    await page.getByRole('row', { name: /deploy-bot/ }).waitFor();
    await shot('tokens');
    await page.getByRole('button', { name: 'Done' }).click();
    expect(await page.locator('#token-secret').count()).toBe(0);
  });

  it('shows a message sent with the token over plain HTTP, live, rendered and counted', async () => {
    await go('Inbox');
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: LIVE_MS });
    const before = Number(await page.locator('#unread-count').textContent());
    const res = await fetch(`${h.url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        title: 'Backup failed',
        body: 'The **backup** of `db1` failed. <img src=x onerror=alert(1)>',
        bucketId,
        deliveryType: 'CRITICAL',
        tapUrl: 'https://status.example.com/backup',
      }),
    });
    expect(res.status).toBe(201);
    const top = page.locator('#inbox-list > li').first();
    await expect
      .poll(() => top.locator('.item-title').textContent(), { timeout: LIVE_MS })
      .toBe('Backup failed');
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe(String(before + 1));
    await expect.poll(() => page.title()).toBe(`(${before + 1}) Herald`);
    expect(await top.locator('.item-content strong').textContent()).toBe('backup');
    expect(await top.locator('.item-content code').textContent()).toBe('db1');
    expect(await top.locator('.item-content').textContent()).toContain('<img src=x onerror=alert(1)>');
    expect(await page.locator('#inbox-list img').count()).toBe(0);
    await expect.poll(() => top.locator('.tag.critical').textContent()).toBe('Critical');
    expect(await top.locator('.tag.bucket').textContent()).toBe('ops');
    expect(await top.getByRole('link', { name: 'Backup failed' }).getAttribute('href')).toBe(
      'https://status.example.com/backup',
    );
    await shot('inbox');

    await top.getByRole('button', { name: 'Mark as read' }).click();
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe(String(before));
    await page.getByLabel('Show').selectOption('unread');
    await expect.poll(() => page.locator('#inbox-list > li').count()).toBe(before);
    await page.getByLabel('Show').selectOption('');
    const item = page.locator('#inbox-list > li', { hasText: 'Backup failed' });
    await item.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => page.locator('#inbox-list').getByText('Backup failed').count()).toBe(0);
  });

  it('snoozes an item on the server: it leaves the list and the count, and comes back when woken', async () => {
    const res = await fetch(`${h.url}/api/v1/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Disk almost full', bucketId, snoozes: [15, 120] }),
    });
    expect(res.status).toBe(201);
    const item = page.locator('#inbox-list > li', { hasText: 'Disk almost full' });
    await item.waitFor({ timeout: LIVE_MS });
    const before = Number(await page.locator('#unread-count').textContent());
    await item.getByRole('button', { name: 'Snooze 2 h' }).click();
    await expect.poll(() => item.count()).toBe(0);
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe(String(before - 1));
    await expect.poll(() => page.title()).toBe(before - 1 > 0 ? `(${before - 1}) Herald` : 'Herald');
    const snoozedRow = page.locator('#snoozed-list > li', { hasText: 'Disk almost full' });
    await snoozedRow.waitFor();
    // The server holds it: another client's inbox no longer lists it either.
    const other = await h.api('GET', '/api/v2/notifications/inbox', { token: await h.adminToken() });
    expect(other.body.notifications.map((n: { title: string }) => n.title)).not.toContain('Disk almost full');
    const snoozed = await h.api('GET', '/api/v1/inbox/snoozed', { token: await h.adminToken() });
    const until = Date.parse(snoozed.body.snoozed[0].snoozed_until);
    expect(until - Date.now()).toBeGreaterThan(110 * 60_000);
    await shot('inbox-snoozed');

    await snoozedRow.getByRole('button', { name: /^Wake .* now$/ }).click();
    await item.waitFor();
    await expect.poll(() => page.locator('#unread-count').textContent()).toBe(String(before));
    expect(await page.locator('#snoozed-list').count()).toBe(0);
  });

  it('shows an image attachment inline, loaded from Herald under the CSP', async () => {
    const fd = new FormData();
    fd.append('title', 'Camera snapshot');
    fd.append('bucketId', bucketId);
    fd.append('attachment', new Blob([new Uint8Array(PNG)], { type: 'image/png' }), 'door.png');
    const res = await fetch(`${h.url}/api/v1/messages/with-attachment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: fd,
    });
    expect(res.status).toBe(201);
    const item = page.locator('#inbox-list > li', { hasText: 'Camera snapshot' });
    const img = item.getByRole('img', { name: 'door.png' });
    await img.waitFor({ timeout: LIVE_MS });
    expect(await img.getAttribute('src')).toMatch(/^\/api\/v1\/attachments\/[0-9a-f-]+$/);
    // Really loaded (the session cookie authorises it; the CSP allows 'self'), not a broken image.
    await expect.poll(() => img.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth)).toBe(1);
    await shot('inbox-attachment');
  });

  it('shows a browser notification for a new item while the tab is hidden, once opted in', async () => {
    await browser.grantPermissions(['notifications'], { origin: h.url });
    // Record what the page asks the browser to show, and let the test hide the tab: headless
    // Chromium has no notification centre and keeps every tab visible.
    await page.addInitScript(() => {
      const shown: Array<{ title: string; body?: string }> = [];
      const Real = window.Notification;
      class Recorded extends Real {
        constructor(title: string, options?: NotificationOptions) {
          super(title, options);
          shown.push({ title, body: options?.body });
        }
      }
      Object.defineProperty(window, 'Notification', { value: Recorded });
      let hidden = false;
      Object.defineProperty(document, 'visibilityState', { get: () => (hidden ? 'hidden' : 'visible') });
      Object.assign(window, { __shown: shown, __hide: (v: boolean) => (hidden = v) });
    });
    await page.reload();
    await page.locator('#live-status[data-state="live"]').waitFor({ timeout: LIVE_MS });
    await page.getByText('Alerts on this device').click();
    const optIn = page.getByLabel('Browser notifications while this tab is in the background');
    const shown = () => page.evaluate(() => (window as unknown as { __shown: unknown[] }).__shown);

    await page.evaluate(() => (window as unknown as { __hide: (v: boolean) => void }).__hide(true));
    const send = (title: string) =>
      fetch(`${h.url}/api/v1/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ title, body: 'Disk at 91%', bucketId }),
      });
    expect((await send('Before opting in')).status).toBe(201);
    await page.locator('#inbox-list > li', { hasText: 'Before opting in' }).waitFor({ timeout: LIVE_MS });
    expect(await shown()).toEqual([]);

    await optIn.check();
    expect((await send('Disk warning')).status).toBe(201);
    await expect.poll(shown, { timeout: LIVE_MS }).toEqual([{ title: 'Disk warning', body: 'Disk at 91%' }]);

    // Visible again: the item shows in the page only.
    await page.evaluate(() => (window as unknown as { __hide: (v: boolean) => void }).__hide(false));
    expect((await send('While looking')).status).toBe(201);
    await page.locator('#inbox-list > li', { hasText: 'While looking' }).waitFor({ timeout: LIVE_MS });
    expect(await shown()).toHaveLength(1);
  });

  it("subscribes to Web Push with the server's VAPID key, as far as headless Chromium can", async () => {
    const vapid = await h.api('GET', '/api/v1/push-subscriptions/vapid-public-key', {
      token: await h.adminToken(),
    });
    expect(vapid.status).toBe(200);
    const keyAsked = page.waitForResponse((r) =>
      r.url().endsWith('/api/v1/push-subscriptions/vapid-public-key'),
    );
    await page.getByRole('button', { name: 'Subscribe to Web Push' }).click();
    const keyRes = await keyAsked;
    expect(keyRes.status()).toBe(200);
    expect((await keyRes.json()).publicKey).toBe(vapid.body.publicKey);
    // The page's service worker is registered from Herald under the CSP.
    await expect
      .poll(() => browser.serviceWorkers().some((w) => w.url() === `${h.url}/web/admin/sw.js`))
      .toBe(true);
    const status = page.locator('details.push .status');
    // The worker is active and the key handed to the browser's push service.
    await expect.poll(() => status.textContent()).toBe('Asking the browser’s push service…');
    await expect
      .poll(() => status.textContent(), { timeout: 15_000 })
      .not.toBe('Asking the browser’s push service…');
    const stored = await h.api('GET', '/api/v1/push-subscriptions', { token: await h.adminToken() });
    if (await status.evaluate((el) => el.classList.contains('ok'))) {
      // A push service answered: the subscription reached the server.
      expect(JSON.stringify(stored.body)).toMatch(/https:\/\//);
    } else {
      // This Chromium has no push service (no network, no GCM): the browser's refusal is shown
      // to the user, and nothing half-made is stored.
      expect(await status.getAttribute('role')).toBe('alert');
      expect(await status.textContent()).toMatch(/push service|registration|subscri/i);
      expect(JSON.stringify(stored.body)).not.toMatch(/endpoint/);
    }
    await shot('inbox-alerts');
  });

  it('saves a webhook channel from its schema form and tests it against a loopback receiver', async () => {
    await go('Channels');
    const card = page.locator('#channel-webhook');
    await card.getByLabel('url').fill(`${hook.url}/hook`);
    await card.getByLabel('secret').fill('signing-secret-1');
    await card.getByLabel('Enabled').check();
    await card.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => card.locator('.status').textContent()).toBe('Saved.');
    // The secret reads back masked, in a password field.
    await expect.poll(() => card.getByLabel('secret').inputValue()).not.toBe('signing-secret-1');
    expect(await card.getByLabel('secret').getAttribute('type')).toBe('password');

    const before = hook.received.length;
    await card.getByRole('button', { name: 'Send test' }).click();
    await expect
      .poll(() => card.locator('.status').textContent())
      .toBe('Test sent: the receiver accepted it.');
    expect(hook.received.length).toBe(before + 1);
    expect(hook.received.at(-1)!.path).toBe('/hook');

    hook.respondWith(401, { error: 'bad api key' }, { times: 1 });
    await card.getByRole('button', { name: 'Send test' }).click();
    await expect.poll(() => card.locator('.status').textContent()).toMatch(/^Test failed: .*401/);
    await shot('channels');
  });

  it('creates a rule with an and/or CIDR condition; an event fires it; the log shows it and retries it', async () => {
    await go('Rules');
    await page.getByRole('button', { name: 'New rule' }).click();
    await page.getByLabel('Name').fill('Backup failures from the LAN');
    await page.getByLabel(/^Events/).fill('backup.failed');
    await page.getByRole('button', { name: 'Add condition' }).click();
    const cond = page.getByRole('group', { name: 'Condition 1' });
    await cond.getByLabel('Field').fill('ipAddress');
    await cond.getByLabel('Operator').selectOption('in');
    await cond.getByLabel(/^Value/).fill('10.0.0.0/8, 192.168.1.0/24');
    await page.getByRole('button', { name: 'Add condition' }).click();
    const cond2 = page.getByRole('group', { name: 'Condition 2' });
    await cond2.getByLabel('Field').fill('job');
    await cond2.getByLabel('Operator').selectOption('starts_with');
    await cond2.getByLabel(/^Value/).fill('nightly');
    await page.getByLabel('All must hold (and)').check();
    await page.getByRole('group', { name: 'Action 1' }).getByLabel('Channel').selectOption('webhook');
    await shot('rule-editor');
    await page.getByRole('button', { name: 'Save rule' }).click();
    await page.getByRole('list', { name: 'Rules' }).getByText('Backup failures from the LAN').waitFor();
    const rules = await h.api('GET', '/api/v1/notifications/rules', { token: await h.adminToken() });
    expect(rules.body.rules[0]).toMatchObject({
      events: ['backup.failed'],
      conditionLogic: 'and',
      conditions: [
        { field: 'ipAddress', operator: 'in', value: ['10.0.0.0/8', '192.168.1.0/24'] },
        { field: 'job', operator: 'starts_with', value: 'nightly' },
      ],
      cadence: 'instant',
      actions: [{ channel: 'webhook', recipients: [] }],
    });
    await shot('rules');

    // The receiver refuses the first delivery for good (a 400 is not retried), so the log holds
    // a failed entry to retry from the page.
    const sentBefore = hook.received.length;
    hook.respondWith(400, { error: 'not today' }, { times: 1 });
    const ev = await h.api('POST', '/api/v1/events', {
      token: await h.adminToken(),
      body: { name: 'backup.failed', ipAddress: '10.1.2.3', job: 'nightly-db' },
    });
    expect(ev.status, ev.text).toBeLessThan(300);
    await h.server.drain();
    expect(hook.received.length).toBe(sentBefore + 1);

    await go('Delivery log');
    const first = page.locator('#log-list > li', { hasText: 'Backup failures from the LAN' }).first();
    await first.waitFor();
    // The retry adds an entry above this one, so the failed one is held by its id.
    const entry = page.locator(`#log-list > li[data-id="${await first.getAttribute('data-id')}"]`);
    expect(await entry.locator('.tag.failed').textContent()).toBe('failed');
    expect(await entry.locator('.error').textContent()).toContain('400');
    await entry.getByRole('button', { name: 'Retry' }).click();
    await expect.poll(() => entry.locator('.outcome').textContent()).toMatch(/^Retry (sent|pending)/);
    await h.server.drain();
    expect(hook.received.length).toBe(sentBefore + 2);
    await page.getByLabel('Status').selectOption('sent');
    await expect
      .poll(() => page.locator('#log-list > li', { hasText: 'Backup failures from the LAN' }).count())
      .toBe(1);
    await page.getByLabel('Status').selectOption('');
    // Channel and time filter on the server (the request says so), not the page shown.
    const byChannel = page.waitForRequest((r) => /\/log\?.*channel=slack/.test(r.url()));
    await page.getByLabel('Channel').selectOption('slack');
    await byChannel;
    await expect.poll(() => page.locator('#log-list > li').count()).toBe(0);
    await page.getByLabel('Channel').selectOption('webhook');
    await expect
      .poll(() => page.locator('#log-list > li', { hasText: 'Backup failures from the LAN' }).count())
      .toBe(2);
    const byTime = page.waitForRequest((r) => /\/log\?.*since=/.test(r.url()));
    await page.getByLabel('Time').selectOption('1');
    await byTime;
    await expect
      .poll(() => page.locator('#log-list > li', { hasText: 'Backup failures from the LAN' }).count())
      .toBe(2);
    await expect.poll(() => page.locator('nav[aria-label="Pages"] .status').textContent()).toMatch(/of 1 \(/);
    await page.getByLabel('Channel').selectOption('');
    await page.getByLabel('Time').selectOption('');
    await shot('log');
  });

  it('edits a template and sees the live preview in markdown, plaintext and HTML', async () => {
    await go('Templates');
    await page.getByLabel('Template', { exact: true }).selectOption('new');
    await page.getByLabel('Key').fill('backup.report');
    await page.getByLabel('Name').fill('Backup report');
    await page.getByLabel('Title template').fill('Backup {{job}}');
    await page.getByLabel(/^Message template/).fill('**{{job}}** took {{minutes}} min <b>raw</b>');
    await page.getByLabel('Sample values (JSON)').fill('{"job": "nightly", "minutes": 3}');
    const preview = page.locator('#template-preview');
    await expect.poll(() => preview.locator('.preview-html strong').textContent()).toBe('nightly');
    expect(await preview.locator('.preview-title').textContent()).toBe('Backup nightly');
    expect(await preview.locator('.preview-plain').textContent()).toContain('nightly took 3 min');
    expect(await preview.locator('.preview-source').textContent()).toContain('<strong>nightly</strong>');
    expect(await preview.locator('b').count()).toBe(0); // raw HTML in the template stays text
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.locator('#tpl-notice').textContent()).toBe('Template saved.');

    // Editing the saved one: the preview follows each keystroke's draft.
    await page.getByLabel(/^Message template/).fill('{{job}} _failed_ after {{minutes}} min; see {{url}}');
    await expect.poll(() => preview.locator('.preview-html em').textContent()).toBe('failed');
    expect(await preview.textContent()).toMatch(/No sample value for: .*url/);
    await shot('templates');
    await page.getByRole('button', { name: 'Save template' }).click();
    await expect.poll(() => page.locator('#tpl-notice').textContent()).toBe('Template saved.');
    const saved = async () =>
      (await h.api('GET', '/api/v1/templates/backup.report', { token: await h.adminToken() })).body
        .messageTemplate;
    await expect.poll(saved).toBe('{{job}} _failed_ after {{minutes}} min; see {{url}}');
  });

  it('changes preferences and flips the pause switch', async () => {
    await go('Preferences');
    const pref = page.locator('#prefs li', { hasText: 'Backup report' }).getByRole('checkbox');
    await pref.waitFor();
    const was = await pref.isChecked();
    await pref.setChecked(!was);
    await expect.poll(() => page.locator('#prefs-title ~ .status').textContent()).toMatch(/^Backup report: /);
    const prefs = await h.api('GET', '/api/v2/users/me/notifications/preferences', {
      token: await h.adminToken(),
    });
    const templates = await h.api('GET', '/api/v1/templates/backup.report', { token: await h.adminToken() });
    expect(prefs.body.find((p: { id: string }) => p.id === templates.body.id)?.disabled).toBe(was);

    await page.getByRole('switch', { name: /Pause all outside deliveries/ }).check();
    await expect.poll(() => page.locator('#pause-title ~ .status').textContent()).toMatch(/paused/);
    const settings = async () =>
      (await h.api('GET', '/api/v2/notifications/settings', { token: await h.adminToken() })).body
        .notifier_paused;
    await expect.poll(settings).toBe(true);
    await shot('preferences');
    await page.getByRole('switch', { name: /Pause all outside deliveries/ }).uncheck();
    await expect.poll(settings).toBe(false);
  });

  it('creates a user and a role as an admin', async () => {
    await go('Users', 'Users and roles');
    await page.getByLabel('Email').fill('carol@example.com');
    await page.getByLabel('Username (optional)').fill('carol');
    await page.getByLabel('Password').fill('carol-password-1');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.locator('#user-list > li', { hasText: 'carol' }).waitFor();

    await page.getByLabel('New role name').fill('senders');
    await page.getByRole('form', { name: 'New role' }).getByLabel('messages.send').check();
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.locator('#role-list li', { hasText: 'senders' }).waitFor();
    const carol = page.locator('#user-list > li', { hasText: 'carol' });
    await carol.getByRole('checkbox', { name: 'senders' }).click();
    await expect.poll(() => page.locator('main .status').first().textContent()).toBe('Roles of carol saved.');
    const rolesOfCarol = async () => {
      const users = await h.api('GET', '/api/v1/users', { token: await h.adminToken() });
      return users.body.users.find((u: { username: string }) => u.username === 'carol').roles.sort();
    };
    await expect.poll(rolesOfCarol).toEqual(['member', 'senders']);
    expect(await carol.getByRole('checkbox', { name: 'senders' }).isChecked()).toBe(true);
    await shot('users');
  });

  it('every page: fits 390 px with no sideways scroll, every control named, focus on the heading; dark mode from the system', async () => {
    const pages: Array<[string, string, string]> = [
      ['Inbox', 'Inbox', 'inbox'],
      ['Buckets', 'Buckets', 'buckets'],
      ['Tokens', 'Access tokens', 'tokens'],
      ['Channels', 'Channels', 'channels'],
      ['Rules', 'Rules', 'rules'],
      ['Delivery log', 'Delivery log', 'log'],
      ['Templates', 'Templates', 'templates'],
      ['Preferences', 'Preferences', 'preferences'],
      ['Users', 'Users and roles', 'users'],
    ];
    // A control is named by its text, aria-label(ledby), a wrapping label or a label[for].
    const unnamed = () =>
      page.evaluate(() =>
        [...document.querySelectorAll('button, input, select, textarea, a[href]')]
          .filter(
            (el) => (el as HTMLElement).offsetParent !== null && (el as HTMLInputElement).type !== 'hidden',
          )
          .filter((el) => {
            if (el.getAttribute('aria-label') || el.getAttribute('aria-labelledby')) return false;
            if ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent?.trim()) return false;
            if (el.closest('label')) return false;
            return !(el.id && document.querySelector(`label[for="${el.id}"]`));
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
    // How far the page scrolls sideways, and the outermost elements sticking out (for the message).
    const overflow = () =>
      page.evaluate(() => {
        const width = document.documentElement.clientWidth;
        const out = [...document.querySelectorAll('body *')].filter(
          (el) => el.getBoundingClientRect().right > width + 0.5 && !el.parentElement?.closest('.table-wrap'),
        );
        const outer = out.filter((el) => !out.includes(el.parentElement as Element));
        return {
          by: document.documentElement.scrollWidth - width,
          culprits: outer.slice(0, 3).map((el) => el.outerHTML.slice(0, 100)),
        };
      });
    expect(page.viewportSize()?.width).toBe(390);
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      // Chromium may answer with the background still unresolved right after the switch.
      await expect
        .poll(() => page.evaluate(() => getComputedStyle(document.body).backgroundColor), { message: scheme })
        .toBe(scheme === 'dark' ? 'rgb(17, 20, 24)' : 'rgb(246, 247, 249)');
      for (const [link, title, name] of pages) {
        await go(link, title);
        await page.waitForLoadState('networkidle');
        const o = await overflow();
        expect(o.by, `${name} (${scheme}) scrolls sideways: ${o.culprits.join(' | ')}`).toBeLessThanOrEqual(
          0,
        );
        expect(await page.evaluate(() => document.activeElement?.id), name).toBe('page-title');
        if (scheme === 'light') expect(await unnamed(), name).toEqual([]);
        await shot(scheme === 'dark' ? `dark-${name}` : `page-${name}`);
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    // Keyboard focus is drawn: the first link after the heading gets the focus ring.
    await page.keyboard.press('Tab');
    const ring = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const st = getComputedStyle(el);
      return { tag: el.tagName, outline: st.outlineStyle, width: st.outlineWidth };
    });
    expect(ring.outline).toBe('solid');
    expect(ring.width).toBe('3px');
  });

  it('runs without page errors, CSP violations or server errors', () => {
    expect(pageErrors).toEqual([]);
    expect(badRequests).toEqual([]);
  });
});

describe.each(STORES)('web app first run (%s, Chromium)', (store) => {
  let h: TestHerald;
  let chromium: TestChromium;
  let browser: BrowserContext;
  let banner = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // No admin password configured: the server makes one and prints it on stdout, even with the
    // log level at silent (the test default).
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      banner += String(chunk);
      return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    }) as typeof process.stdout.write;
    try {
      h = await startHerald(store, { env: { HERALD_ADMIN_PASSWORD: '' } });
    } finally {
      process.stdout.write = write;
    }
    chromium = await launchChromium();
    browser = chromium.context;
  });

  afterAll(async () => {
    await chromium?.close();
    await h?.close();
  });

  it('prints the generated password in a plain banner and asks for a new one at first login', async () => {
    const password = banner.match(/^ {2}Password: (\S+)$/m)?.[1];
    expect(banner).toContain('Herald created the first admin account.');
    expect(banner).toMatch(/^ {2}Email: {4}admin@example\.com$/m);
    expect(password).toBeTruthy();

    const page = browser.pages()[0] ?? (await browser.newPage());
    page.setDefaultTimeout(8000);
    await page.goto(`${h.url}/admin`);
    await page.getByLabel('Email or username').fill('admin');
    await page.getByLabel('Password').fill(password!);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Choose your own password' }).waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, `${store}-first-run.png`), fullPage: true });
    await page.getByLabel('New password').fill('my-own-password-1');
    await page.getByLabel('Repeat it').fill('my-own-password-1');
    await page.getByRole('button', { name: 'Save password' }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Inbox');

    // Changed: the next load goes straight to the app, and only the new password logs in.
    await page.reload();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Inbox');
    const login = (pw: string) =>
      h.api('POST', '/api/v1/auth/login', { body: { username: 'admin', password: pw } });
    expect((await login('my-own-password-1')).status).toBe(200);
    expect((await login(password!)).status).toBe(401);
  });
});
