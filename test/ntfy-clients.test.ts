import publish from '@cityssm/ntfy-publish';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apprise } from './support/apprise.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/**
 * Debian's `apprise` CLI as a real ntfy publisher: `ntfy://[user:pass@]HOST:PORT/topic` posts
 * ntfy's JSON body to `/` (X-Priority, X-Tags, X-Click as headers, Basic credentials from the
 * URL) and needs a 200 to report success (exit 0).
 */

describe.each(STORES)('real ntfy clients on %s', (store) => {
  let h: TestHerald;
  let dana: { id: string; token: string; email: string };
  let hostPort: string;

  const latest = async (topic: string) => {
    const res = await h.api('GET', `/${topic}/json?poll=1&since=latest`, { token: dana.token });
    return JSON.parse(res.text.trim());
  };
  const core = async (topic: string) =>
    (await h.api('GET', `/api/v1/buckets/${topic}/messages?limit=1`, { token: dana.token })).body.messages[0];

  beforeAll(async () => {
    h = await startHerald(store);
    dana = await h.createUser('dana');
    hostPort = new URL(h.url).host;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('apprise with credentials creates the topic and publishes title, body, priority, tags and click', async () => {
    const res = await apprise(
      '-t',
      'Backup',
      '-b',
      'hi from apprise',
      `ntfy://dana:dana-password-1@${hostPort}/apprise?priority=high&tags=floppy_disk,ok&click=https://example.com/b`,
    );
    expect(res.code, res.output).toBe(0);
    expect(await latest('apprise')).toMatchObject({
      event: 'message',
      topic: 'apprise',
      title: 'Backup',
      message: 'hi from apprise',
      priority: 4,
      tags: ['floppy_disk', 'ok'],
      click: 'https://example.com/b',
    });
    expect(await core('apprise')).toMatchObject({
      title: 'Backup',
      body: 'hi from apprise',
      deliveryType: 'CRITICAL',
    });
    const low = await apprise('-b', 'quiet', `ntfy://dana:dana-password-1@${hostPort}/apprise?priority=min`);
    expect(low.code, low.output).toBe(0);
    expect(await latest('apprise')).toMatchObject({ message: 'quiet', priority: 1 });
    expect((await core('apprise')).deliveryType).toBe('SILENT');
  });

  it('apprise without credentials fails on a closed topic and works once it allows anonymous publishing', async () => {
    const closed = await apprise('-b', 'nope', `ntfy://${hostPort}/apprise`);
    expect(closed.code).not.toBe(0);
    expect(closed.output).toContain('401');
    const wrong = await apprise('-b', 'nope', `ntfy://dana:wrong-password@${hostPort}/apprise`);
    expect(wrong.code).not.toBe(0);
    const opened = await h.api('PUT', '/v1/topics/apprise/access', {
      token: dana.token,
      body: { anonymousWrite: true },
    });
    expect(opened.status, opened.text).toBe(200);
    const anon = await apprise('-b', 'anonymous apprise', `ntfy://${hostPort}/apprise`);
    expect(anon.code, anon.output).toBe(0);
    expect(await latest('apprise')).toMatchObject({ message: 'anonymous apprise' });
    expect((await core('apprise')).senderId).toBeNull();
  });

  it('apprise sends to several topics at once', async () => {
    const res = await apprise('-b', 'fan out', `ntfy://dana:dana-password-1@${hostPort}/multi-a/multi-b`);
    expect(res.code, res.output).toBe(0);
    expect((await latest('multi-a')).message).toBe('fan out');
    expect((await latest('multi-b')).message).toBe('fan out');
  });

  it('@cityssm/ntfy-publish publishes with headers, priority words and tags (auth in the query)', async () => {
    const auth = Buffer.from(`Bearer ${dana.token}`).toString('base64url');
    const ok = await publish({
      server: h.url,
      topic: `npm-client?auth=${auth}`,
      title: 'From npm',
      message: 'published by the npm client',
      priority: 'high',
      tags: ['tada', 'heavy_check_mark'],
      clickURL: 'https://example.com/npm',
      iconURL: 'https://example.com/npm.png',
    });
    expect(ok).toBe(true);
    expect(await latest('npm-client')).toMatchObject({
      topic: 'npm-client',
      title: 'From npm',
      message: 'published by the npm client',
      priority: 4,
      tags: ['tada', 'heavy_check_mark'],
      click: 'https://example.com/npm',
      icon: 'https://example.com/npm.png',
    });
    // It sends no credentials of its own: refused until the topic allows anonymous publishing.
    expect(await publish({ server: h.url, topic: 'npm-client', message: 'anon' })).toBe(false);
    await h.api('PUT', '/v1/topics/npm-client/access', { token: dana.token, body: { anonymousWrite: true } });
    expect(await publish({ server: h.url, topic: 'npm-client', message: 'anon', priority: 'min' })).toBe(
      true,
    );
    expect(await latest('npm-client')).toMatchObject({ message: 'anon', priority: 1 });
  });
});
