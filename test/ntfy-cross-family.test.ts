import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { closeNtfyReaders, openHttpStream, openWsStream } from './support/ntfy-stream.ts';

const run = promisify(execFile);
const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

afterEach(() => closeNtfyReaders());

/**
 * One message through the ntfy door is a message like any other: Apprise publishes it with
 * `ntfy://`, and a Gotify `/stream`, a Coder-family inbox watch and the Zentik bucket's
 * messages all show it. The other way round, a message sent through Gotify or the messages
 * family reaches the topic's ntfy subscribers.
 */
describe.each(STORES)('ntfy across families on %s', (store) => {
  let h: TestHerald;
  let gina: { id: string; token: string; email: string };
  let hostPort: string;
  let clientToken: string;
  let app: { id: number; token: string };

  beforeAll(async () => {
    h = await startHerald(store);
    gina = await h.createUser('gina');
    hostPort = new URL(h.url).host;
    // The topic first (its bucket is made by the first publish), then a Gotify application on it.
    const first = await h.api('PUT', '/crossfam', {
      headers: { authorization: basic('gina', 'gina-password-1') },
      raw: 'topic made',
    });
    expect(first.status, first.text).toBe(200);
    const client = await h.api('POST', '/client', { token: gina.token, body: { name: 'phone' } });
    clientToken = client.body.token;
    const made = await h.api('POST', '/application', { token: gina.token, body: { name: 'crossfam' } });
    expect(made.status, made.text).toBe(200);
    app = made.body;
  });
  afterAll(async () => {
    await h?.close();
  });

  it('an Apprise ntfy:// message shows up on a Gotify /stream, a Coder watch and the Zentik bucket', async () => {
    const wsUrl = h.url.replace(/^http/, 'ws');
    const gotify = new WebSocket(`${wsUrl}/stream?token=${clientToken}`);
    const coder = new WebSocket(`${wsUrl}/api/v2/notifications/inbox/watch`, {
      headers: { 'Coder-Session-Token': gina.token },
    });
    const frames = { gotify: [] as any[], coder: [] as any[] };
    gotify.on('message', (d) => frames.gotify.push(JSON.parse(String(d))));
    coder.on('message', (d) => frames.coder.push(JSON.parse(String(d))));
    try {
      await Promise.all(
        [gotify, coder].map(
          (ws) => new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject)),
        ),
      );

      const res = await run('apprise', [
        '-vv',
        '-t',
        'Nightly backup',
        '-b',
        'backup finished',
        `ntfy://gina:gina-password-1@${hostPort}/crossfam?priority=high`,
      ]);
      expect(res.stderr + res.stdout).toContain('Sent ntfy notification');

      const deadline = Date.now() + 5000;
      while ((frames.gotify.length === 0 || frames.coder.length === 0) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(frames.gotify[0]).toMatchObject({
        appid: app.id,
        title: 'Nightly backup',
        message: 'backup finished',
        priority: 8,
      });
      expect(frames.coder[0].notification).toMatchObject({
        user_id: gina.id,
        title: 'Nightly backup',
        content: 'backup finished',
      });
      const bucket = await h.api('GET', '/api/v1/buckets/crossfam/messages?limit=1', { token: gina.token });
      expect(bucket.body.messages[0]).toMatchObject({
        title: 'Nightly backup',
        body: 'backup finished',
        deliveryType: 'CRITICAL',
        senderId: gina.id,
      });
      // And in Gotify's message list and the Coder inbox list.
      const listed = await h.api('GET', '/message?limit=1', { headers: { 'x-gotify-key': clientToken } });
      expect(listed.body.messages[0]).toMatchObject({ title: 'Nightly backup', priority: 8 });
      const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: gina.token });
      expect(inbox.body.notifications[0]).toMatchObject({ title: 'Nightly backup' });
    } finally {
      gotify.terminate();
      coder.terminate();
    }
  });

  it('messages sent through Gotify and the messages family reach ntfy subscribers of the topic', async () => {
    const auth = { authorization: basic('gina', 'gina-password-1') };
    const json = await openHttpStream(`${h.url}/crossfam/json`, 'json', auth);
    const ws = await openWsStream(`${h.url.replace(/^http/, 'ws')}/crossfam/ws`, auth);
    expect((await json.next()).event).toBe('open');
    expect((await ws.next()).event).toBe('open');

    const viaGotify = await h.api('POST', '/message', {
      headers: { 'x-gotify-key': app.token },
      body: { title: 'From Gotify', message: 'gotify says hi', priority: 0 },
    });
    expect(viaGotify.status, viaGotify.text).toBe(200);
    for (const s of [json, ws]) {
      expect(await s.next()).toMatchObject({
        event: 'message',
        topic: 'crossfam',
        title: 'From Gotify',
        message: 'gotify says hi',
        priority: 2,
      });
    }

    const viaZentik = await h.api('POST', '/api/v1/messages', {
      token: gina.token,
      body: { bucketId: 'crossfam', title: 'From Zentik', body: 'zentik says hi', deliveryType: 'NORMAL' },
    });
    expect(viaZentik.status, viaZentik.text).toBe(201);
    expect(await json.next()).toMatchObject({ title: 'From Zentik', message: 'zentik says hi', priority: 3 });

    // And both are in the topic's history for a later poll.
    const polled = await h.api('GET', '/crossfam/json?poll=1&since=all', { headers: auth });
    const titles = polled.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).title);
    expect(titles.slice(-2)).toEqual(['From Gotify', 'From Zentik']);
  });
});
