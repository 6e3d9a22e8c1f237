import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, type TestChromium } from './support/chromium.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

// The magic code on the buckets page, in real Chromium: a member sees their own code, the code
// sends, and Regenerate shows a new code while the old one stops working.

const ARTIFACTS = path.resolve(import.meta.dirname, '../test-artifacts/web-app');

describe.each(STORES)('web app magic code (%s, Chromium)', (store) => {
  let h: TestHerald;
  let chromium: TestChromium;
  let page: Page;
  let frank: { id: string; token: string };
  let bucketId: string;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    h = await startHerald(store);
    frank = await h.createUser('frank');
    const res = await h.api('POST', '/api/v1/buckets', { token: frank.token, body: { name: 'doorbell' } });
    expect(res.status, res.text).toBe(201);
    bucketId = res.body.id;
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

  const send = (magicCode: string) =>
    h.api('POST', '/api/v1/messages', { body: { title: 'Ding dong', magicCode } });
  const shown = () => page.locator('#magic-code').textContent();

  it('shows your code for the bucket; Regenerate replaces it and the old one stops working', async () => {
    await page.goto(`${h.url}/admin`);
    await page.getByLabel('Email or username').fill('frank');
    await page.getByLabel('Password').fill('frank-password-1');
    await page.getByRole('button', { name: 'Log in' }).click();
    await expect.poll(() => page.locator('#page-title').textContent()).toBe('Inbox');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Buckets' }).click();
    await expect.poll(() => page.locator('#bucket-name').textContent()).toBe('doorbell');

    const api = (await h.api('GET', `/api/v1/buckets/${bucketId}/magic-code`, { token: frank.token })).body;
    await expect.poll(shown).toBe(api.magicCode);
    expect((await send(api.magicCode)).status).toBe(201);
    await page.screenshot({ path: path.join(ARTIFACTS, `${store}-magic-code.png`), fullPage: true });

    await page
      .getByRole('region', { name: 'Your magic code' })
      .getByRole('button', { name: 'Regenerate' })
      .click();
    await expect.poll(shown).not.toBe(api.magicCode);
    const fresh = await shown();
    expect(fresh).toMatch(/^[0-9a-f]{8}$/);
    expect((await send(api.magicCode)).status).toBe(404);
    expect((await send(fresh!)).status).toBe(201);
    expect(pageErrors).toEqual([]);
  });
});
