import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestChromium } from './support/chromium.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

// Bucket invites in the web app, in real Chromium: a bucket owner who is not a server admin
// invites, sees the invite pending and cancels one; the invitee accepts one and declines another.

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/web-app');

describe.each(STORES)('web app bucket invites (%s, Chromium)', (store) => {
  let h: TestHerald;
  let chromium: TestChromium;
  let page: Page;
  let dave: { id: string; token: string };
  let erin: { id: string; token: string };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHerald(store);
    dave = await h.createUser('dave');
    erin = await h.createUser('erin');
    for (const name of ['backups', 'alerts']) {
      const res = await h.api('POST', '/api/v1/buckets', { token: dave.token, body: { name } });
      expect(res.status, res.text).toBe(201);
    }
    chromium = await launchChromium();
    page = chromium.context.pages()[0] ?? (await chromium.context.newPage());
    page.setDefaultTimeout(8000);
    page.on('dialog', (d) => void d.accept());
    page.on('pageerror', (err) => pageErrors.push(err.message));
  });
  afterAll(async () => {
    await chromium?.close();
    await h?.close();
  });

  const shot = (name: string) =>
    page.screenshot({ path: path.join(ARTIFACTS, `${store}-${name}.png`), fullPage: true });
  async function logIn(name: string) {
    await page.goto(`${h.url}/admin`);
    await page.getByLabel('Email or username').fill(name);
    await page.getByLabel('Password').fill(`${name}-password-1`);
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Inbox');
  }
  const goBuckets = async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Buckets');
  };
  async function invite(bucket: string, who: string) {
    await page.getByRole('list', { name: 'Buckets' }).getByRole('button', { name: bucket }).click();
    await expect.poll(() => page.locator('#bucket-name').textContent()).toBe(bucket);
    await page.getByLabel('User (id, username or email)').fill(who);
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.locator('#invites-sent li', { hasText: erin.id }).waitFor();
  }
  const sentInvites = async (bucketName: string) => {
    const buckets = await h.api('GET', '/api/v1/buckets', { token: dave.token });
    const id = buckets.body.find((b: { name: string }) => b.name === bucketName).id;
    return (await h.api('GET', `/api/v1/buckets/${id}/invites`, { token: dave.token })).body;
  };

  it('shows the invites a bucket owner sent, and cancels one', async () => {
    await logIn('dave');
    await goBuckets();
    await invite('alerts', 'erin');
    expect(await page.locator('#invites-sent li').count()).toBe(1);
    await shot('bucket-invites-sent');
    await page.getByRole('button', { name: `Cancel the invite of ${erin.id}` }).click();
    await expect.poll(() => page.locator('#invites-sent li').count()).toBe(0);
    expect(await sentInvites('alerts')).toEqual([]);
    // Invited, not a member: the member list still holds only the owner.
    const alerts = (await h.api('GET', '/api/v1/buckets', { token: dave.token })).body.find(
      (b: { name: string }) => b.name === 'alerts',
    );
    const members = await h.api('GET', `/api/v1/buckets/${alerts.id}/members`, { token: dave.token });
    expect(members.body.map((m: { userId: string }) => m.userId)).toEqual([dave.id]);

    await invite('alerts', 'erin@example.com');
    await invite('backups', 'erin');
    expect(await sentInvites('backups')).toHaveLength(1);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
  });

  it('shows the invites received; accepting joins the bucket, declining drops the invite', async () => {
    await logIn('erin');
    // The inbox shows them too, so a new invite is seen without looking for it.
    await page.locator('#invites-received li').nth(1).waitFor();
    await goBuckets();
    const received = page.locator('#invites-received');
    await received.locator('li').nth(1).waitFor();
    await shot('bucket-invites-received');
    await page.getByRole('button', { name: 'Accept the invite to backups' }).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Invites for you' }).locator('.status').textContent())
      .toBe('You joined “backups”.');
    await page.getByRole('list', { name: 'Buckets' }).getByRole('button', { name: 'backups' }).waitFor();
    await page.getByRole('button', { name: 'Decline the invite to alerts' }).click();
    await expect.poll(() => received.locator('li').count()).toBe(0);

    const mine = await h.api('GET', '/api/v1/buckets', { token: erin.token });
    expect(mine.body.map((b: { name: string }) => b.name)).toEqual(['backups']);
    expect((await h.api('GET', '/api/v1/buckets/invites', { token: erin.token })).body).toEqual([]);
    expect(await sentInvites('alerts')).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
