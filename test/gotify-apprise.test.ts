import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apprise } from './support/apprise.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/**
 * Debian's `apprise` CLI as a real Gotify sender: `gotify://HOST:PORT/TOKEN` posts JSON with
 * the token in X-Gotify-Key and needs a 200 to report success (exit 0). Its Gotify plugin
 * parses but never sends URL credentials, so a URL with them must work the same.
 */

describe.each(STORES)('apprise gotify:// on %s', (store) => {
  let h: TestHerald;
  let jwt: string;
  let clientToken: string;
  let app: { id: number; token: string };
  let hostPort: string;

  const latest = async () =>
    (await h.api('GET', '/message?limit=1', { headers: { 'x-gotify-key': clientToken } })).body.messages[0];

  beforeAll(async () => {
    h = await startHerald(store);
    const carol = await h.createUser('carol');
    jwt = carol.token;
    hostPort = new URL(h.url).host;
    const client = await h.api('POST', '/client', { token: jwt, body: { name: 'test' } });
    clientToken = client.body.token;
    const made = await h.api('POST', '/application', { token: jwt, body: { name: 'apprise' } });
    expect(made.status).toBe(200);
    app = made.body;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends a titled message with the default (normal) priority', async () => {
    const res = await apprise('-t', 'Backup', '-b', 'hi from apprise', `gotify://${hostPort}/${app.token}`);
    expect(res.code, res.output).toBe(0);
    expect(await latest()).toMatchObject({
      appid: app.id,
      title: 'Backup',
      message: 'hi from apprise',
      priority: 5,
    });
    const bucket = await h.api('GET', '/api/v1/buckets/apprise/messages?limit=1', { token: jwt });
    expect(bucket.body.messages[0]).toMatchObject({
      title: 'Backup',
      body: 'hi from apprise',
      deliveryType: 'NORMAL',
    });
  });

  it('works with credentials in the URL (apprise does not send them)', async () => {
    const res = await apprise('-b', 'with creds', `gotify://carol:carol-password-1@${hostPort}/${app.token}`);
    expect(res.code, res.output).toBe(0);
    expect(await latest()).toMatchObject({ message: 'with creds', title: 'apprise' });
  });

  it('maps apprise priorities and its markdown format', async () => {
    const high = await apprise('-b', 'disk full', `gotify://${hostPort}/${app.token}?priority=high`);
    expect(high.code, high.output).toBe(0);
    expect(await latest()).toMatchObject({ message: 'disk full', priority: 8 });
    const low = await apprise('-b', 'fyi', `gotify://${hostPort}/${app.token}?priority=low`);
    expect(low.code, low.output).toBe(0);
    expect(await latest()).toMatchObject({ message: 'fyi', priority: 0 });
    const md = await apprise('-b', '**done**', `gotify://${hostPort}/${app.token}?format=markdown`);
    expect(md.code, md.output).toBe(0);
    expect(await latest()).toMatchObject({
      message: '**done**',
      extras: { 'client::display': { contentType: 'text/markdown' } },
    });
    const types = (
      await h.api('GET', '/api/v1/buckets/apprise/messages?limit=3', { token: jwt })
    ).body.messages.map((m: { deliveryType: string; body: string }) => [m.body, m.deliveryType]);
    expect(types).toEqual([
      ['**done**', 'NORMAL'],
      ['fyi', 'SILENT'],
      ['disk full', 'CRITICAL'],
    ]);
  });

  it('fails (non-zero) with a token Herald does not know', async () => {
    const res = await apprise('-b', 'nope', `gotify://${hostPort}/zat_unknown`);
    expect(res.code).not.toBe(0);
    expect(res.output).toContain('401');
  });
});
