import { Gotify, gotify } from 'gotify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/**
 * The `gotify` package from npm (a Node.js Gotify sender): it POSTs `/message` with the
 * application token and expects Gotify's answer. Both its function and its class form must work
 * unchanged against Herald, extras included, and a wrong token must fail as it does on Gotify.
 */
describe.each(STORES)('the gotify npm client on %s', (store) => {
  let h: TestHerald;
  let clientToken: string;
  let app: { id: number; token: string };

  const latest = async () =>
    (await h.api('GET', '/message?limit=1', { headers: { 'x-gotify-key': clientToken } })).body.messages[0];

  beforeAll(async () => {
    h = await startHerald(store);
    const dana = await h.createUser('dana');
    clientToken = (await h.api('POST', '/client', { token: dana.token, body: { name: 'phone' } })).body.token;
    app = (await h.api('POST', '/application', { token: dana.token, body: { name: 'npm-client' } })).body;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('sends with the function form, markdown extras kept', async () => {
    await gotify({
      server: h.url,
      app: app.token,
      title: 'Deploy',
      message: '**main** is live',
      priority: 8,
      extras: { 'client::display': { contentType: 'text/markdown' } },
    });
    expect(await latest()).toMatchObject({
      appid: app.id,
      title: 'Deploy',
      message: '**main** is live',
      priority: 8,
      extras: { 'client::display': { contentType: 'text/markdown' } },
    });
  });

  it('sends with the class form', async () => {
    const client = new Gotify({ server: h.url });
    await client.send({ app: app.token, title: 'Nightly', message: 'backup done', priority: 2 });
    expect(await latest()).toMatchObject({
      appid: app.id,
      title: 'Nightly',
      message: 'backup done',
      priority: 2,
    });
  });

  it('fails with a wrong application token and stores nothing', async () => {
    const before = await latest();
    await expect(
      gotify({ server: h.url, app: 'Anotarealtoken', title: 't', message: 'nope' }),
    ).rejects.toThrow(/401/);
    expect(await latest()).toEqual(before);
  });
});
