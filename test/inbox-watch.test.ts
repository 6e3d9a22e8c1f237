import http from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../src/domain/clock.ts';
import { WATCH_OVERFLOW_CLOSE_CODE } from '../src/realtime/hub.ts';
import { SYSTEM_TEMPLATES } from '../src/templates/system-templates.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';
import { addMember } from './support/members.ts';

const WATCH = '/api/v2/notifications/inbox/watch';
const STREAM = '/api/v1/inbox/stream';

interface InboxItem {
  id: string;
  user_id: string;
  template_id: string;
  targets: string[];
  title: string;
  content: string;
  icon: string;
  actions: Array<{ label: string; url: string }>;
  read_at: string | null;
  created_at: string;
}
interface Frame {
  notification: InboxItem;
  unread_count: number;
}
interface User {
  id: string;
  token: string;
  bucketId: string;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Every socket and stream a test opens, so afterEach can close what a failing test left open. */
const openSockets = new Set<WebSocket>();
const openStreams = new Set<AbortController>();

interface Watcher {
  ws: WebSocket;
  frames: Frame[];
  /** The next frame not yet taken by `next`, waiting at most `timeoutMs`. */
  next(timeoutMs?: number): Promise<Frame>;
  closed: Promise<{ code: number; reason: string }>;
}

function openWatcher(h: TestHerald, headers: Record<string, string>, query = ''): Promise<Watcher> {
  const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${WATCH}${query}`, { headers });
  openSockets.add(ws);
  const frames: Frame[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)) as Frame);
    wake?.();
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.once('close', (code, reason) => {
      openSockets.delete(ws);
      resolve({ code, reason: String(reason) });
    }),
  );
  const next = async (timeoutMs = 1000): Promise<Frame> => {
    const deadline = Date.now() + timeoutMs;
    while (frames.length <= taken) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no frame within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
    return frames[taken++];
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, frames, next, closed }));
    ws.once('unexpected-response', (req, res) => {
      // A refused upgrade must also end the connection; a server that leaves it open holds a
      // socket per refused client and waits on it at shutdown.
      res.resume();
      const leak = setTimeout(() => {
        req.destroy();
        reject(new Error(`status ${res.statusCode}, but the server left the connection open`));
      }, 1000);
      req.socket?.once('close', () => {
        clearTimeout(leak);
        reject(new Error(`upgrade refused: ${res.statusCode}`));
      });
    });
    ws.once('error', reject);
  });
}

interface SseEvent {
  id?: string;
  event?: string;
  data: string;
}
interface SseStream {
  status: number;
  contentType: string | null;
  /** Events and comment lines (as `{event: ':comment', data}`) in arrival order. */
  next(timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/**
 * Opens the SSE stream over plain node:http with no agent, so closing it closes exactly one TCP
 * connection (fetch's pool may open a spare connection that a server's close then waits on).
 */
async function openSse(h: TestHerald, headers: Record<string, string>, query = ''): Promise<SseStream> {
  const req = http.get(`${h.url}${STREAM}${query}`, { headers, agent: false });
  const abort = new AbortController();
  abort.signal.addEventListener('abort', () => req.destroy());
  openStreams.add(abort);
  const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  res.setEncoding('utf8');
  let buffer = '';
  let ended = false;
  const ready: SseEvent[] = [];
  let wake: (() => void) | undefined;
  res.on('data', (chunk: string) => {
    buffer += chunk;
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const ev: SseEvent = { data: '' };
      const data: string[] = [];
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) {
          ev.event = ':comment';
          data.push(line.slice(1).trim());
        } else if (line.startsWith('id: ')) ev.id = line.slice(4);
        else if (line.startsWith('event: ')) ev.event = line.slice(7);
        else if (line.startsWith('data: ')) data.push(line.slice(6));
      }
      ev.data = data.join('\n');
      ready.push(ev);
    }
    wake?.();
  });
  res.on('close', () => {
    ended = true;
    wake?.();
  });
  return {
    status: res.statusCode ?? 0,
    contentType: res.headers['content-type'] ?? null,
    async next(timeoutMs = 1000) {
      const deadline = Date.now() + timeoutMs;
      while (ready.length === 0) {
        if (ended) throw new Error('SSE stream ended');
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`no SSE event within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, left);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      return ready.shift()!;
    },
    close() {
      abort.abort();
      openStreams.delete(abort);
    },
  };
}

/** Reads SSE events up to the server's `: connected` comment (the end of any replay). */
async function untilConnected(s: SseStream): Promise<SseEvent[]> {
  const out: SseEvent[] = [];
  for (;;) {
    const ev = await s.next(2000);
    if (ev.event === ':comment' && ev.data === 'connected') return out;
    out.push(ev);
  }
}

async function closeEverything(): Promise<void> {
  for (const abort of openStreams) abort.abort();
  openStreams.clear();
  await Promise.all(
    [...openSockets].map(
      (ws) =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          (ws as unknown as { _socket?: Socket })._socket?.resume();
          ws.terminate();
        }),
    ),
  );
  openSockets.clear();
}

interface Suite {
  h: TestHerald;
  n: number;
  member(): Promise<User>;
  post(u: User, body: Record<string, unknown>, bucketId?: string, h?: TestHerald): Promise<string>;
  watch(u: User, query?: string, h?: TestHerald): Promise<Watcher>;
  subscribers(u: User, h?: TestHerald): number;
}

function setup(store: 'sqlite' | 'postgres', opts: Parameters<typeof startHerald>[1] = {}): Suite {
  const ctx: Suite = {
    h: undefined as unknown as TestHerald,
    n: 0,
    async member(): Promise<User> {
      const u = await ctx.h.createUser(`watch${++ctx.n}`);
      const bucket = await ctx.h.api('POST', '/api/v1/buckets', {
        token: u.token,
        body: { name: `w${ctx.n}` },
      });
      expect(bucket.status).toBe(201);
      return { ...u, bucketId: bucket.body.id };
    },
    async post(
      u: User,
      body: Record<string, unknown>,
      bucketId = u.bucketId,
      h: TestHerald = ctx.h,
    ): Promise<string> {
      const res = await h.api('POST', '/api/v1/messages', {
        token: u.token,
        body: { bucketId, deliveryType: 'NORMAL', ...body },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.id;
    },
    watch(u: User, query = '', h: TestHerald = ctx.h): Promise<Watcher> {
      return openWatcher(h, { 'Coder-Session-Token': u.token }, query);
    },
    subscribers(u: User, h: TestHerald = ctx.h): number {
      return h.server.ctx.hub.subscriberCount(u.id);
    },
  };
  beforeAll(async () => {
    ctx.h = await startHerald(store, opts);
  });
  afterEach(async () => {
    await closeEverything();
    // A socket closed on the client side must free its server-side subscription too.
    await waitFor('every watcher to unsubscribe', () => ctx.h.server.ctx.hub.subscriberCount() === 0);
  });
  afterAll(() => ctx.h?.close());
  return ctx;
}

describe.each(STORES)('inbox watch (WebSocket and SSE) on %s', (store) => {
  const clock = manualClock(Date.parse('2026-03-02T08:00:00Z'));
  const t = setup(store, { clock });

  it('pushes a message posted through POST /api/v1/messages within 1 s as {notification, unread_count}', async () => {
    const u = await t.member();
    await t.post(u, { title: 'already there' });
    clock.advance(1000);
    const w = await t.watch(u);
    const bearer = await openWatcher(t.h, { Authorization: `Bearer ${u.token}` });
    await waitFor('subscriptions', () => t.subscribers(u) === 2);

    const started = Date.now();
    const messageId = await t.post(u, { title: 'Backup finished', body: 'All **3** volumes' });
    const frame = await w.next(1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(Object.keys(frame).sort()).toEqual(['notification', 'unread_count']);
    expect(frame.unread_count).toBe(2);
    expect(frame.notification).toEqual({
      id: expect.any(String),
      user_id: u.id,
      template_id: SYSTEM_TEMPLATES.bucketMessage.id,
      targets: expect.arrayContaining([messageId, u.bucketId]),
      title: 'Backup finished',
      content: 'All **3** volumes',
      icon: '',
      actions: [],
      read_at: null,
      created_at: new Date(clock.now()).toISOString(),
    });
    // The frame describes the same item the inbox list shows.
    const list = await t.h.api('GET', '/api/v2/notifications/inbox', { token: u.token });
    expect(list.body.notifications[0]).toEqual(frame.notification);
    expect(await bearer.next()).toEqual(frame);
    expect(w.frames).toHaveLength(1);
  });

  it('refuses the upgrade without a valid token', async () => {
    await expect(openWatcher(t.h, {})).rejects.toThrow('upgrade refused: 401');
    await expect(openWatcher(t.h, { 'Coder-Session-Token': 'nope' })).rejects.toThrow('upgrade refused: 401');
    await expect(openWatcher(t.h, { Authorization: 'Bearer zat_nope' })).rejects.toThrow(
      'upgrade refused: 401',
    );
  });

  it('sends markdown or plaintext titles and content depending on format', async () => {
    const u = await t.member();
    const md = await t.watch(u, '?format=markdown');
    const plain = await t.watch(u, '?format=plaintext');
    await waitFor('subscriptions', () => t.subscribers(u) === 2);
    await t.post(u, { title: '**Disk** full', body: 'Usage at *95%* on [db1](https://example.com/db1)' });

    const [m, p] = await Promise.all([md.next(), plain.next()]);
    expect(m.notification.title).toBe('**Disk** full');
    expect(m.notification.content).toBe('Usage at *95%* on [db1](https://example.com/db1)');
    expect(p.notification.title).toBe('Disk full');
    expect(p.notification.content).toBe('Usage at 95% on db1 (https://example.com/db1)');
    expect(p.notification.id).toBe(m.notification.id);

    const bad = openWatcher(t.h, { 'Coder-Session-Token': u.token }, '?format=html');
    await expect(bad).rejects.toThrow('upgrade refused: 400');
  });

  it('applies the targets, templates and read_status filters to what it sends', async () => {
    const u = await t.member();
    const other = await t.h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: 'other' } });
    const all = await t.watch(u);
    const customOnly = await t.watch(u, `?templates=${SYSTEM_TEMPLATES.custom.id}`);
    const otherBucketOnly = await t.watch(u, `?targets=${other.body.id}`);
    const readOnly = await t.watch(u, '?read_status=read');
    await waitFor('subscriptions', () => t.subscribers(u) === 4);

    await t.post(u, { title: 'in my bucket' });
    expect((await all.next()).notification.title).toBe('in my bucket');
    await t.post(u, { title: 'in the other bucket' }, other.body.id);
    expect((await all.next()).notification.title).toBe('in the other bucket');
    const custom = await t.h.api('POST', '/api/v2/notifications/custom', {
      token: u.token,
      body: { content: { title: 'custom', message: 'hello' } },
    });
    expect(custom.status).toBe(204);
    expect((await all.next()).notification.title).toBe('custom');

    // Each watcher's frames arrive in order, so its first frame proves it skipped the others.
    expect((await customOnly.next()).notification.title).toBe('custom');
    expect((await otherBucketOnly.next()).notification.title).toBe('in the other bucket');
    await expect(readOnly.next(300)).rejects.toThrow(/no frame/);
    expect(customOnly.frames).toHaveLength(1);
    expect(otherBucketOnly.frames).toHaveLength(1);
    expect(readOnly.frames).toHaveLength(0);
  });

  it('never sends one user the notifications of another', async () => {
    const alice = await t.member();
    const bob = await t.member();
    const aw = await t.watch(alice);
    const bw = await t.watch(bob);
    await waitFor('subscriptions', () => t.subscribers(alice) === 1 && t.subscribers(bob) === 1);
    await t.post(alice, { title: 'for alice' });
    await t.post(bob, { title: 'for bob' });
    expect((await aw.next()).notification.title).toBe('for alice');
    expect((await bw.next()).notification.title).toBe('for bob');
    await new Promise((r) => setTimeout(r, 100));
    expect(aw.frames).toHaveLength(1);
    expect(bw.frames).toHaveLength(1);
  });

  it('gives every watcher of a shared bucket its own item and unread count when one message wakes them all', async () => {
    const owner = await t.member();
    const admin = await t.h.adminToken();
    const members = await Promise.all(Array.from({ length: 24 }, () => t.member()));
    for (const m of members) {
      const add = await addMember(t.h, owner.bucketId, admin, m, 'read');
      expect(add.status, add.text).toBe(200);
    }
    // Different inboxes before the message: i % 3 older unread items each, one of them read.
    for (const [i, m] of members.entries()) {
      for (let k = 0; k < i % 3; k++) await t.post(m, { title: `older ${k}` });
    }
    const list = async (u: User) =>
      (await t.h.api('GET', '/api/v2/notifications/inbox', { token: u.token })).body as {
        notifications: InboxItem[];
        unread_count: number;
      };
    const reader = members[2];
    const readOne = await t.h.api(
      'PUT',
      `/api/v2/notifications/inbox/${(await list(reader)).notifications[0].id}/read-status`,
      { token: reader.token, body: { is_read: true } },
    );
    expect(readOne.status, readOne.text).toBe(200);
    const expectedUnread = members.map((m, i) => (i % 3) + 1 - (m === reader ? 1 : 0));
    // One member turned bucket messages off, three are not watching (so the message reaches more
    // users than are watched), and one watcher is no member.
    const muted = members[5];
    const prefs = await t.h.api('PUT', '/api/v2/users/me/notifications/preferences', {
      token: muted.token,
      body: { template_disabled_map: { [SYSTEM_TEMPLATES.bucketMessage.id]: true } },
    });
    expect(prefs.status, prefs.text).toBe(200);
    const absent = members.slice(7, 10);
    const outsider = await t.member();
    const watching = members.filter((m) => !absent.includes(m));
    const watchers = await Promise.all(watching.map((m) => t.watch(m)));
    const outsiderWatch = await t.watch(outsider);
    await waitFor('subscriptions', () => watching.every((m) => t.subscribers(m) === 1));

    clock.advance(1000);
    const messageId = await t.post(owner, { title: 'Maintenance tonight', body: 'from 22:00' });
    const frames = new Map<string, Frame>();
    for (const [i, m] of watching.entries()) {
      if (m === muted) continue;
      const frame = await watchers[i].next(2000);
      expect(frame.notification.user_id).toBe(m.id);
      expect(frame.notification.title).toBe('Maintenance tonight');
      expect(frame.notification.targets).toContain(messageId);
      expect(frame.unread_count, `unread count of member ${members.indexOf(m)}`).toBe(
        expectedUnread[members.indexOf(m)],
      );
      // The frame is the item the member's inbox lists, with the count it shows.
      const inbox = await list(m);
      expect(inbox.notifications[0]).toEqual(frame.notification);
      expect(inbox.unread_count).toBe(frame.unread_count);
      frames.set(m.id, frame);
    }
    const ids = [...frames.values()].map((f) => f.notification.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    // The members who are not watching have the item too; the muted one and the outsider do not.
    for (const m of absent) expect((await list(m)).notifications[0].title).toBe('Maintenance tonight');
    expect((await list(muted)).notifications.map((n) => n.title)).not.toContain('Maintenance tonight');
    await expect(watchers[watching.indexOf(muted)].next(300)).rejects.toThrow(/no frame/);
    await expect(outsiderWatch.next(300)).rejects.toThrow(/no frame/);
    for (const w of watchers) expect(w.frames.length).toBeLessThanOrEqual(1);
  });

  it('counts each watcher right when a bucket message reaches many more members than watch it', async () => {
    const owner = await t.member();
    const admin = await t.h.adminToken();
    const members = await Promise.all(Array.from({ length: 9 }, () => t.member()));
    for (const m of members) {
      const add = await addMember(t.h, owner.bucketId, admin, m, 'read');
      expect(add.status, add.text).toBe(200);
    }
    // Two watchers of ten recipients: their items are looked up by user, not by message.
    const [a, b] = members;
    for (let k = 0; k < 3; k++) await t.post(a, { title: `a ${k}` });
    await t.post(b, { title: 'b 0' });
    const itemsOf = async (u: User) =>
      (
        (await t.h.api('GET', '/api/v2/notifications/inbox', { token: u.token })).body as {
          notifications: InboxItem[];
        }
      ).notifications;
    const [newestOfA, , oldestOfA] = await itemsOf(a);
    // One of a's items is read and one snoozed past the message: neither counts.
    const read = await t.h.api('PUT', `/api/v2/notifications/inbox/${newestOfA.id}/read-status`, {
      token: a.token,
      body: { is_read: true },
    });
    expect(read.status, read.text).toBe(200);
    const until = new Date(clock.now() + 3_600_000).toISOString();
    const snooze = await t.h.api('PUT', `/api/v1/inbox/${oldestOfA.id}/snooze`, {
      token: a.token,
      body: { until },
    });
    expect(snooze.status, snooze.text).toBe(200);
    const [wa, wb] = await Promise.all([t.watch(a), t.watch(b)]);
    await waitFor('subscriptions', () => t.subscribers(a) === 1 && t.subscribers(b) === 1);

    clock.advance(1000);
    const messageId = await t.post(owner, { title: 'Everyone: release at noon' });
    const fa = await wa.next(2000);
    const fb = await wb.next(2000);
    expect(fa.notification.targets).toContain(messageId);
    expect(fa.notification.user_id).toBe(a.id);
    expect(fb.notification.user_id).toBe(b.id);
    // a: one older unread item (the second) and the new one; b: its own and the new one.
    expect(fa.unread_count).toBe(2);
    expect(fb.unread_count).toBe(2);
    expect((await itemsOf(a))[0]).toEqual(fa.notification);
  });
  it('sends nothing while the notifier is paused, and the held bucket message once it resumes', async () => {
    const owner = await t.member();
    const admin = await t.h.adminToken();
    const members = await Promise.all(Array.from({ length: 3 }, () => t.member()));
    for (const m of members)
      expect((await addMember(t.h, owner.bucketId, admin, m, 'read')).status).toBe(200);
    const watchers = await Promise.all(members.map((m) => t.watch(m)));
    await waitFor('subscriptions', () => members.every((m) => t.subscribers(m) === 1));
    const setPaused = async (paused: boolean) => {
      const res = await t.h.api('PUT', '/api/v2/notifications/settings', {
        token: admin,
        body: { notifier_paused: paused },
      });
      expect(res.status, res.text).toBe(200);
    };
    await setPaused(true);
    try {
      await t.post(owner, { title: 'held back' });
      await expect(watchers[0].next(300)).rejects.toThrow(/no frame/);
    } finally {
      await setPaused(false);
    }
    for (const [i, w] of watchers.entries()) {
      const frame = await w.next(2000);
      expect(frame.notification.user_id).toBe(members[i].id);
      expect(frame.notification.title).toBe('held back');
      expect(frame.unread_count).toBe(1);
    }
  });

  it('keeps a second watcher on time while the first is stalled, and closes the stalled one with 4008', async () => {
    const u = await t.member();
    const stalled = await t.watch(u);
    const live = await t.watch(u);
    await waitFor('subscriptions', () => t.subscribers(u) === 2);
    const clientSocket = (stalled.ws as unknown as { _socket: Socket })._socket;
    const serverSide = [
      ...(t.h.server.app as unknown as { websocketServer: { clients: Set<WebSocket> } }).websocketServer
        .clients,
    ].find((c) => (c as unknown as { _socket: Socket })._socket.remotePort === clientSocket.localPort)!;
    expect(serverSide).toBeDefined();
    clientSocket.pause();

    // Large frames (21 long action URLs each) fill the kernel buffers between server and the
    // paused client; once the server must buffer in user space, its writes to it are stuck.
    const link = (i: number) => `https://example.com/${String(i).padStart(4, '0')}/${'x'.repeat(2000)}`;
    const big = {
      title: 'big',
      actions: Array.from({ length: 20 }, (_, i) => ({ type: 'NAVIGATE', value: link(i), title: `a${i}` })),
      tapAction: { type: 'NAVIGATE', value: link(99) },
    };
    let posted = 0;
    while (serverSide.bufferedAmount === 0) {
      expect(posted, 'the paused client never backed up').toBeLessThan(2000);
      await Promise.all(Array.from({ length: 10 }, () => t.post(u, big)));
      posted += 10;
      await waitFor('the live watcher to keep up', () => live.frames.length === posted);
      await new Promise((r) => setTimeout(r, 20));
    }

    const started = Date.now();
    await t.post(u, { title: 'while one watcher is stalled' });
    await waitFor('the live frame', () => live.frames.length === posted + 1, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(live.frames.at(-1)!.notification.title).toBe('while one watcher is stalled');
    expect(serverSide.bufferedAmount).toBeGreaterThan(0);
    expect(t.subscribers(u)).toBe(2);
    posted++;

    // Keep posting: the stalled watcher's queue overflows and the hub drops it.
    for (let i = 0; t.subscribers(u) === 2; i += 10) {
      expect(i, 'the stalled watcher never overflowed').toBeLessThan(1000);
      await Promise.all(Array.from({ length: 10 }, (_, k) => t.post(u, { title: `burst ${i + k}` })));
      posted += 10;
      await waitFor('the live watcher to keep up', () => live.frames.length === posted);
    }
    clientSocket.resume();
    const closed = await Promise.race([
      stalled.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not closed')), 10_000)),
    ]);
    expect(closed.code).toBe(WATCH_OVERFLOW_CLOSE_CODE);
    expect(closed.code).toBe(4008);

    // The live watcher is unaffected.
    await t.post(u, { title: 'after the overflow' });
    await waitFor('the last frame', () => live.frames.at(-1)?.notification.title === 'after the overflow');
    expect(live.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('streams the same frames over SSE and replays missed ones after Last-Event-ID', async () => {
    const u = await t.member();
    const ws = await t.watch(u);
    let sse = await openSse(t.h, { 'Coder-Session-Token': u.token });
    expect(sse.status).toBe(200);
    expect(sse.contentType).toMatch(/^text\/event-stream/);
    expect(await untilConnected(sse)).toEqual([]);
    await waitFor('subscriptions', () => t.subscribers(u) === 2);

    clock.advance(1000);
    await t.post(u, { title: 'early' });
    clock.advance(1000);
    await t.post(u, { title: 'seen' });
    const wsFrames = [await ws.next(), await ws.next()];
    const events = [await sse.next(), await sse.next()];
    for (const [i, ev] of events.entries()) {
      expect(ev.event).toBe('notification');
      expect(ev.id).toBe(wsFrames[i].notification.id);
      expect(JSON.parse(ev.data)).toEqual(wsFrames[i]);
    }
    const lastSeen = events[1].id!;
    sse.close();
    await waitFor('the stream to unsubscribe', () => t.subscribers(u) === 1);

    // Missed while disconnected: six in the same millisecond as the last one seen, then a later one.
    const missedNow: string[] = [];
    for (let i = 0; i < 6; i++) {
      await t.post(u, { title: `missed ${i}` });
      missedNow.push(`missed ${i}`);
    }
    clock.advance(1000);
    await t.post(u, { title: 'missed later' });

    sse = await openSse(t.h, { 'Coder-Session-Token': u.token, 'Last-Event-ID': lastSeen });
    const replay = await untilConnected(sse);
    const titles = replay.map((e) => (JSON.parse(e.data) as Frame).notification.title);
    expect(replay.every((e) => e.event === 'notification' && e.id)).toBe(true);
    expect(titles.filter((x) => x.startsWith('missed ')).sort()).toEqual(
      [...missedNow, 'missed later'].sort(),
    );
    expect(titles).not.toContain('seen');
    expect(titles).not.toContain('early');
    expect(titles.at(-1)).toBe('missed later');
    expect(new Set(replay.map((e) => e.id)).size).toBe(replay.length);

    // `?since=` replays the same way, and the stream then goes on live.
    const since = await openSse(t.h, { Authorization: `Bearer ${u.token}` }, `?since=${replay.at(-1)!.id}`);
    expect(await untilConnected(since)).toEqual([]);
    await waitFor('subscriptions', () => t.subscribers(u) === 3);
    clock.advance(1000);
    await t.post(u, { title: 'live again' });
    for (const s of [sse, since]) {
      const ev = await s.next();
      expect(JSON.parse(ev.data).notification.title).toBe('live again');
    }

    const refused = await openSse(t.h, {});
    expect(refused.status).toBe(401);
    refused.close();
  });

  it('replays only what the stream filter selects, and asks for a refetch when too much was missed', async () => {
    const u = await t.member();
    const custom = (title: string) =>
      t.h.api('POST', '/api/v2/notifications/custom', {
        token: u.token,
        body: { content: { title, message: 'm' } },
      });
    const filter = `?templates=${SYSTEM_TEMPLATES.custom.id}`;
    const headers = { 'Coder-Session-Token': u.token };
    let sse = await openSse(t.h, headers, filter);
    await untilConnected(sse);
    clock.advance(1000);
    expect((await custom('c0')).status).toBe(204);
    const seen = await sse.next();
    expect(JSON.parse(seen.data).notification.title).toBe('c0');
    sse.close();
    await waitFor('the stream to unsubscribe', () => t.subscribers(u) === 0);

    clock.advance(1000);
    await t.post(u, { title: 'not for this stream' });
    clock.advance(1000);
    await custom('c1');
    sse = await openSse(t.h, { ...headers, 'Last-Event-ID': seen.id! }, filter);
    const replay = await untilConnected(sse);
    expect(replay.map((e) => JSON.parse(e.data).notification.title)).toEqual(['c1']);
    sse.close();

    // More missed than the server replays (200): one overflow event instead of a silent gap.
    for (let i = 0; i < 210; i += 15) {
      clock.advance(1000);
      await Promise.all(Array.from({ length: 15 }, (_, k) => t.post(u, { title: `bulk ${i + k}` })));
    }
    sse = await openSse(t.h, { ...headers, 'Last-Event-ID': seen.id! });
    const flooded = await untilConnected(sse);
    expect(flooded.map((e) => e.event)).toEqual(['overflow']);
    expect(JSON.parse(flooded[0].data).detail).toMatch(/refetch/);
    await waitFor('the stream to subscribe', () => t.subscribers(u) === 1);
    clock.advance(1000);
    await t.post(u, { title: 'live after overflow' });
    // Frames of the last bulk messages may still be on their way (live frames go out after
    // each post's answer), so they can come first; then the live one.
    let live = await sse.next();
    while (live.event === 'notification' && JSON.parse(live.data).notification.title.startsWith('bulk '))
      live = await sse.next();
    expect(live.event).toBe('notification');
    expect(JSON.parse(live.data).notification.title).toBe('live after overflow');
  });
});

describe('inbox watch across two Herald servers on one PostgreSQL database', () => {
  const t = setup('postgres');
  let b: TestHerald;
  beforeAll(async () => {
    // Same database and same data dir (so the same JWT secret), as a second replica would have.
    b = await startHerald('postgres', {
      databaseUrl: t.h.server.ctx.config.databaseUrl!,
      dataDir: t.h.dataDir,
    });
  });
  afterEach(async () => {
    await closeEverything();
    await waitFor('server B watchers to unsubscribe', () => b.server.ctx.hub.subscriberCount() === 0);
  });
  afterAll(() => b?.close());

  it('delivers a message posted to server A to a watcher on server B, once', async () => {
    const u = await t.member();
    const onB = await t.watch(u, '', b);
    const onA = await t.watch(u, '', t.h);
    await waitFor('subscriptions', () => t.subscribers(u, b) === 1 && t.subscribers(u, t.h) === 1);

    const started = Date.now();
    const messageId = await t.post(u, { title: 'posted to A' }, u.bucketId, t.h);
    const frame = await onB.next(1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(frame.notification.title).toBe('posted to A');
    expect(frame.notification.targets).toContain(messageId);
    expect(frame.unread_count).toBe(1);
    expect(await onA.next()).toEqual(frame);

    await t.post(u, { title: 'posted to B' }, u.bucketId, b);
    expect((await onA.next()).notification.title).toBe('posted to B');
    expect((await onB.next()).notification.title).toBe('posted to B');
    // LISTEN/NOTIFY is the only path on PostgreSQL: nobody got a frame twice.
    await new Promise((r) => setTimeout(r, 200));
    expect(onA.frames).toHaveLength(2);
    expect(onB.frames).toHaveLength(2);
  });
});
