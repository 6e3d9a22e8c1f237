import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { closeNtfyReaders, openHttpStream, openWsStream } from './support/ntfy-stream.ts';

const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;

afterEach(() => closeNtfyReaders());

describe.each(STORES)('ntfy subscribe on %s', (store) => {
  let h: TestHerald;
  let erin: { id: string; token: string; email: string };
  let auth: Record<string, string>;

  const pub = async (topic: string, body: string, headers: Record<string, string> = {}) => {
    const res = await h.api('PUT', `/${topic}`, { headers: { ...auth, ...headers }, raw: body });
    expect(res.status, res.text).toBe(200);
    return res.body as { id: string; time: number; message: string };
  };
  const poll = async (path: string, headers = auth) => {
    const res = await h.api('GET', path, { headers });
    expect(res.status, res.text).toBe(200);
    return res.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  };

  beforeAll(async () => {
    // Keepalive every second so the idle-stream test does not wait 45 s.
    h = await startHerald(store, { env: { HERALD_NTFY_KEEPALIVE_SECONDS: '1' } });
    erin = await h.createUser('erin');
    auth = { authorization: basic('erin', 'erin-password-1') };
  });
  afterAll(async () => {
    await h?.close();
  });

  it('streams JSON lines: open, then new messages, then keepalive when idle', async () => {
    await pub('live', 'before');
    const s = await openHttpStream(`${h.url}/live/json`, 'json', auth);
    expect(s.contentType).toBe('application/x-ndjson; charset=utf-8');
    const open = await s.next();
    expect(open).toEqual({
      id: expect.stringMatching(/^[0-9A-Za-z]{12}$/),
      time: expect.any(Number),
      event: 'open',
      topic: 'live',
    });
    const sent = await pub('live', 'hello live', { title: 'T', priority: '5', tags: 'rotating_light' });
    const msg = await s.nextMessage();
    expect(msg).toEqual({
      ...sent,
      event: 'message',
      topic: 'live',
      title: 'T',
      priority: 5,
      tags: ['rotating_light'],
    });
    expect(await s.next(3000)).toMatchObject({ event: 'keepalive', topic: 'live' });
    s.close();
  });

  it('serves SSE and raw with the same events in their encodings', async () => {
    const sse = await openHttpStream(`${h.url}/enc/sse`, 'sse', auth);
    expect(sse.contentType).toBe('text/event-stream; charset=utf-8');
    expect(await sse.next()).toMatchObject({ event: 'open', data: { event: 'open', topic: 'enc' } });
    const raw = await openHttpStream(`${h.url}/enc/raw`, 'raw', auth);
    expect(raw.contentType).toBe('text/plain; charset=utf-8');
    expect(await raw.next()).toBe('');
    const sent = await pub('enc', 'two\nlines');
    expect(await sse.nextMessage()).toEqual({
      event: 'message',
      data: expect.objectContaining({ id: sent.id, message: 'two\nlines' }),
    });
    expect(await raw.nextMessage()).toBe('two lines');
    expect(await sse.next(3000)).toMatchObject({ event: 'keepalive', data: { event: 'keepalive' } });
    expect(await raw.next(3000)).toBe('');
  });

  it('streams over WebSocket (auth header or auth parameter) and refuses bad requests before upgrading', async () => {
    const ws = await openWsStream(`${h.url.replace(/^http/, 'ws')}/wst/ws`, auth);
    expect(await ws.next()).toMatchObject({ event: 'open', topic: 'wst' });
    const sent = await pub('wst', 'over ws');
    expect(await ws.nextMessage()).toMatchObject({ id: sent.id, event: 'message', message: 'over ws' });
    const param = Buffer.from(auth.authorization).toString('base64url');
    const ws2 = await openWsStream(`${h.url.replace(/^http/, 'ws')}/wst/ws?auth=${param}&since=all`);
    expect(await ws2.next()).toMatchObject({ event: 'open' });
    expect(await ws2.nextMessage()).toMatchObject({ id: sent.id });
    await expect(openWsStream(`${h.url.replace(/^http/, 'ws')}/wst/ws`)).rejects.toThrow('401');
    await expect(openWsStream(`${h.url.replace(/^http/, 'ws')}/wst/ws?since=bogus!`, auth)).rejects.toThrow(
      '400',
    );
  });

  it('subscribes to several topics at once, comma-separated', async () => {
    await pub('multi-a', 'seed a');
    await pub('multi-b', 'seed b');
    const s = await openHttpStream(`${h.url}/multi-a,multi-b/json`, 'json', auth);
    expect(await s.next()).toMatchObject({ event: 'open', topic: 'multi-a,multi-b' });
    await pub('multi-b', 'to b');
    await pub('multi-a', 'to a');
    expect((await s.nextMessage()).topic).toBe('multi-b');
    expect((await s.nextMessage()).topic).toBe('multi-a');
    const all = await poll('/multi-a,multi-b/json?poll=1');
    expect(all.map((m) => m.message)).toEqual(['seed a', 'seed b', 'to b', 'to a']);
  });

  it('polls with since= all, latest, a message id, a unix time and a duration', async () => {
    const a = await pub('since', 'one');
    const b = await pub('since', 'two');
    const c = await pub('since', 'three');
    const msgs = (q: string) => poll(`/since/json?poll=1${q}`).then((l) => l.map((m) => m.message));
    expect(await msgs('')).toEqual(['one', 'two', 'three']);
    expect(await msgs('&since=all')).toEqual(['one', 'two', 'three']);
    expect(await msgs('&since=latest')).toEqual(['three']);
    expect(await msgs(`&since=${a.id}`)).toEqual(['two', 'three']);
    expect(await msgs(`&since=${c.id}`)).toEqual([]);
    expect(await msgs(`&since=${b.time}`)).toEqual(expect.arrayContaining(['two', 'three']));
    expect(await msgs(`&since=${b.time + 3600}`)).toEqual([]);
    expect(await msgs('&since=10m')).toEqual(['one', 'two', 'three']);
    expect(await msgs('&since=1h30m')).toEqual(['one', 'two', 'three']);
    expect(await msgs('&since=none')).toEqual([]);
    // Aliases: po and si, and the X-Poll / X-Since headers.
    expect(await msgs(`&si=${a.id}`)).toEqual(['two', 'three']);
    const viaHeaders = await poll('/since/json', { ...auth, 'x-poll': '1', 'x-since': b.id });
    expect(viaHeaders.map((m) => m.message)).toEqual(['three']);
    // A live stream replays since= after its open event, then goes on live.
    const s = await openHttpStream(`${h.url}/since/json?since=${b.id}`, 'json', auth);
    expect((await s.next()).event).toBe('open');
    expect((await s.nextMessage()).message).toBe('three');
    await pub('since', 'four');
    expect((await s.nextMessage()).message).toBe('four');
    const bad = await h.api('GET', '/since/json?poll=1&since=yesterday', { headers: auth });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ http: 400, error: expect.stringContaining('since') });
    // scheduled is accepted; nothing is ever scheduled here.
    expect(await msgs('&scheduled=1')).toHaveLength(4);
  });

  it('filters by id, message, title, priority and tags', async () => {
    const x = await pub('filters', 'alpha', { title: 'A', priority: 'high', tags: 'red,big' });
    await pub('filters', 'beta', { title: 'B', priority: 'low', tags: 'red' });
    await pub('filters', 'gamma');
    const msgs = (q: string) => poll(`/filters/json?poll=1&${q}`).then((l) => l.map((m) => m.message));
    expect(await msgs(`id=${x.id}`)).toEqual(['alpha']);
    expect(await msgs('message=beta')).toEqual(['beta']);
    expect(await msgs('title=B')).toEqual(['beta']);
    expect(await msgs('priority=4')).toEqual(['alpha']);
    expect(await msgs('priority=low,default')).toEqual(['beta', 'gamma']);
    expect(await msgs('p=3')).toEqual(['gamma']);
    expect(await msgs('tags=red')).toEqual(['alpha', 'beta']);
    expect(await msgs('tags=red,big')).toEqual(['alpha']);
    expect(await msgs('ta=big')).toEqual(['alpha']);
    const viaHeader = await poll('/filters/json?poll=1', { ...auth, 'x-title': 'A' });
    expect(viaHeader.map((m) => m.message)).toEqual(['alpha']);
    // Live streams filter too.
    const s = await openHttpStream(`${h.url}/filters/json?tags=urgent`, 'json', auth);
    expect((await s.next()).event).toBe('open');
    await pub('filters', 'skip me');
    await pub('filters', 'keep me', { tags: 'urgent' });
    expect((await s.nextMessage()).message).toBe('keep me');
    const bad = await h.api('GET', '/filters/json?poll=1&priority=7', { headers: auth });
    expect(bad.status).toBe(400);
  });

  it('shows messages from other families with mapped priority and markdown', async () => {
    await pub('zentik', 'seed');
    const s = await openHttpStream(`${h.url}/zentik/json`, 'json', auth);
    expect((await s.next()).event).toBe('open');
    const sent = await h.api('POST', '/api/v1/messages', {
      token: erin.token,
      body: {
        bucketId: 'zentik',
        title: 'From Zentik',
        body: '**bold**',
        deliveryType: 'CRITICAL',
        tapAction: { type: 'NAVIGATE', value: 'https://example.com/z' },
        actions: [{ type: 'NAVIGATE', value: 'https://example.com/a', title: 'Open' }],
      },
    });
    expect(sent.status, sent.text).toBeLessThan(300);
    expect(await s.nextMessage()).toMatchObject({
      event: 'message',
      topic: 'zentik',
      title: 'From Zentik',
      message: '**bold**',
      priority: 4,
      click: 'https://example.com/z',
      actions: [{ action: 'view', label: 'Open', url: 'https://example.com/a' }],
      content_type: 'text/markdown',
    });
  });

  it('refuses subscribers without access', async () => {
    await pub('closed', 'secret');
    await h.createUser('frank');
    await expect(openHttpStream(`${h.url}/closed/json`, 'json')).rejects.toMatchObject({ status: 401 });
    await expect(
      openHttpStream(`${h.url}/closed/json`, 'json', { authorization: basic('frank', 'frank-password-1') }),
    ).rejects.toMatchObject({ status: 403 });
    await h.api('PUT', '/v1/topics/closed/access', { token: erin.token, body: { anonymousRead: true } });
    const anon = await openHttpStream(`${h.url}/closed/json?since=all`, 'json');
    expect((await anon.next()).event).toBe('open');
    expect((await anon.nextMessage()).message).toBe('secret');
    await pub('closed', 'live to anonymous');
    expect((await anon.nextMessage()).message).toBe('live to anonymous');
  });
});
