import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { closeNtfyReaders, openHttpStream } from './support/ntfy-stream.ts';

const run = promisify(execFile);
const basic = (login: string, password: string) =>
  `Basic ${Buffer.from(`${login}:${password}`).toString('base64')}`;
const MINUTE = 60_000;

afterEach(() => closeNtfyReaders());

/** ntfy's scheduled delivery: held until due, then a message like any other. The clock is moved, then the workers drained. */
describe.each(STORES)('ntfy scheduled delivery on %s', (store) => {
  let h: TestHerald;
  const clock = manualClock();
  const auth = { authorization: basic('hana', 'hana-password-1') };
  const poll = async (q: string) => {
    const res = await h.api('GET', `/later/json?poll=1${q}`, { headers: auth });
    expect(res.status, res.text).toBe(200);
    return res.text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l));
  };

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    await h.createUser('hana');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('holds a delayed publish, shows it with scheduled=1, and publishes it when due', async () => {
    const seed = await h.api('PUT', '/later', { headers: auth, raw: 'now' });
    expect(seed.status).toBe(200);
    const held = await h.api('PUT', '/later', {
      headers: { ...auth, 'X-Delay': '30m', 'X-Title': 'Reminder' },
      raw: 'later on',
    });
    expect(held.status, held.text).toBe(200);
    expect(held.body).toMatchObject({
      id: expect.stringMatching(/^s[0-9A-Za-z]{11}$/),
      event: 'message',
      title: 'Reminder',
      message: 'later on',
    });
    expect(held.body.time).toBe(Math.floor((clock.now() + 30 * MINUTE) / 1000));

    expect((await poll('')).map((m) => m.message)).toEqual(['now']);
    expect((await poll('&scheduled=1')).map((m) => [m.id, m.message])).toEqual([
      [seed.body.id, 'now'],
      [held.body.id, 'later on'],
    ]);
    const bucket = async () =>
      // A fresh login each time: the moved clock expires access JWTs.
      (
        await h.api('GET', '/api/v1/buckets/later/messages?limit=5', {
          token: await h.login('hana@example.com', 'hana-password-1'),
        })
      ).body.messages.map((m: { body: string }) => m.body);
    // Nothing is a message yet: no inbox item, no bucket message.
    await h.server.drain();
    expect(await bucket()).toEqual(['now']);

    const live = await openHttpStream(`${h.url}/later/json`, 'json', auth);
    expect((await live.next()).event).toBe('open');
    clock.advance(31 * MINUTE);
    await h.server.drain();
    const published = await live.next();
    expect(published).toMatchObject({ event: 'message', title: 'Reminder', message: 'later on' });
    expect(published.id).toMatch(/^h/);
    expect(await bucket()).toEqual(['later on', 'now']);
    expect((await poll('&scheduled=1')).map((m) => m.message)).toEqual(['now', 'later on']);
    // Published once: a second drain finds nothing.
    await h.server.drain();
    expect(await bucket()).toEqual(['later on', 'now']);
  });

  it('takes a unix time and the At / In aliases, and refuses what is too soon, too far or unreadable', async () => {
    const at = Math.floor((clock.now() + 2 * 60 * MINUTE) / 1000);
    const unix = await h.api('PUT', `/later?at=${at}`, { headers: auth, raw: 'at unix' });
    expect(unix.status, unix.text).toBe(200);
    expect(unix.body.time).toBe(at);
    const inHeader = await h.api('PUT', '/later', { headers: { ...auth, In: '1h' }, raw: 'in an hour' });
    expect(inHeader.body.time).toBe(Math.floor((clock.now() + 60 * MINUTE) / 1000));
    for (const bad of ['5s', '4d', 'tomorrow-ish']) {
      const res = await h.api('PUT', '/later', { headers: { ...auth, 'X-Delay': bad }, raw: 'x' });
      expect(res.status, bad).toBe(400);
      expect(res.body.error).toContain('delay');
    }
    const withFile = await h.api('PUT', '/later', {
      headers: { ...auth, 'X-Delay': '1h', 'X-Filename': 'a.bin' },
      raw: 'bytes',
    });
    expect(withFile.status).toBe(400);
    clock.advance(3 * 60 * MINUTE);
    await h.server.drain();
    const msgs = (await poll('&since=all')).map((m) => m.message);
    expect(msgs.slice(-2)).toEqual(['in an hour', 'at unix']);
  });

  it('Apprise ?delay= is held the same way', async () => {
    const hostPort = new URL(h.url).host;
    const res = await run('apprise', [
      '-vv',
      '-b',
      'apprise later',
      `ntfy://hana:hana-password-1@${hostPort}/later?delay=45m`,
    ]);
    expect(res.stdout + res.stderr).toContain('Sent ntfy notification');
    expect((await poll('&scheduled=1')).at(-1)).toMatchObject({
      message: 'apprise later',
      id: expect.stringMatching(/^s/),
    });
    clock.advance(46 * MINUTE);
    await h.server.drain();
    expect((await poll('')).at(-1)).toMatchObject({
      message: 'apprise later',
      id: expect.stringMatching(/^h/),
    });
  });
});
