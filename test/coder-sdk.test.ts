import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { InboxItem } from '../src/services/inbox-item.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

// The requests Coder's Go SDK (codersdk), its CLI (`coder notifications …`) and its VS Code
// extension make against the inbox family, sent as they send them (the Coder-Session-Token
// header; the extension's axios-based client with an empty form body on body-less calls), and
// the answers decoded as they decode them.

const V2 = '/api/v2';
const INBOX = `${V2}/notifications/inbox`;
/** coderd's template ids, as clients filter by them. */
const CODER_CUSTOM_TEMPLATE = '39b1e189-c857-4b0c-877a-511144c18516';
const CODER_TEST_TEMPLATE = 'c425f63e-716a-4bf4-ae24-78348f706c3f';
const FALLBACK_ICONS = [
  'DEFAULT_ICON_WORKSPACE',
  'DEFAULT_ICON_ACCOUNT',
  'DEFAULT_ICON_TEMPLATE',
  'DEFAULT_ICON_OTHER',
];

/** What the SDK decodes (`codersdk.InboxNotification`): the item the inbox family answers with. */
type Item = InboxItem;

const openSockets = new Set<WebSocket>();
afterEach(() => {
  for (const ws of openSockets) ws.terminate();
  openSockets.clear();
});

describe.each(STORES)("Coder's SDK, CLI and VS Code extension against the inbox family on %s", (store) => {
  let h: TestHerald;
  let n = 0;

  beforeAll(async () => {
    h = await startHerald(store);
  });
  afterAll(() => h?.close());

  /** A fresh member with a bucket of their own; `sdk` sends as codersdk.Client does. */
  async function member() {
    const u = await h.createUser(`sdk${++n}`);
    const bucket = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: `sdk${n}` } });
    expect(bucket.status).toBe(201);
    const sdk = (
      method: string,
      path: string,
      o: { body?: unknown; headers?: Record<string, string>; raw?: string } = {},
    ) => h.api(method, path, { ...o, headers: { 'Coder-Session-Token': u.token, ...o.headers } });
    const post = async (title: string, extra: Record<string, unknown> = {}) => {
      const res = await h.api('POST', '/api/v1/messages', {
        token: u.token,
        body: { bucketId: bucket.body.id, title, deliveryType: 'NORMAL', ...extra },
      });
      expect(res.status, res.text).toBe(201);
      return res.body.id as string;
    };
    return { ...u, bucketId: bucket.body.id as string, sdk, post };
  }

  function watch(
    token: string,
    query: string,
  ): Promise<{ ws: WebSocket; frames: Array<{ notification: Item; unread_count: number }> }> {
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${INBOX}/watch${query}`, {
      headers: { 'Coder-Session-Token': token },
    });
    openSockets.add(ws);
    const frames: Array<{ notification: Item; unread_count: number }> = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve({ ws, frames }));
      ws.once('unexpected-response', (_req, res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => reject(new Error(`${res.statusCode} ${text}`)));
      });
      ws.once('error', reject);
    });
  }

  it('GET /buildinfo and /users/me answer the fields the SDK, the CLI and the extension read', async () => {
    const u = await member();
    const info = await h.api('GET', `${V2}/buildinfo`);
    expect(info.status).toBe(200);
    // The SDK's CanonicalVersion and the extension's semver checks read `version`.
    expect(info.body.version).toMatch(/^v2\.\d+\.\d+\+herald-/);
    expect(info.body).toMatchObject({
      external_url: expect.any(String),
      dashboard_url: expect.stringMatching(/^http:\/\//),
    });
    const me = await u.sdk('GET', `${V2}/users/me`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      id: u.id,
      username: `sdk${n}`,
      email: u.email,
      status: 'active',
      login_type: 'password',
      roles: [{ name: 'member', display_name: 'Member', organization_id: '' }],
    });
    const admin = await h.api('GET', `${V2}/users/me`, {
      headers: { 'Coder-Session-Token': await h.adminToken() },
    });
    expect(admin.body.roles.map((r: { name: string }) => r.name)).toEqual(['owner']);
    expect((await h.api('GET', `${V2}/users/me`)).status).toBe(401);
  });

  it("PostTestNotification gets 204, and the item carries Coder's test template id and fallback icon", async () => {
    const u = await member();
    // codersdk sends no body; the extension's client sends an empty form-encoded one.
    const bare = await u.sdk('POST', `${V2}/notifications/test`);
    expect(bare.status).toBe(204);
    const form = await u.sdk('POST', `${V2}/notifications/test`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: '',
    });
    expect(form.status).toBe(204);
    const junk = await u.sdk('POST', `${V2}/notifications/test`, {
      headers: { 'content-type': 'application/json' },
      raw: 'not json',
    });
    expect(junk.status).toBe(204);
    const list = await u.sdk('GET', `${INBOX}?templates=${CODER_TEST_TEMPLATE}`);
    expect(list.body.notifications).toHaveLength(3);
    for (const item of list.body.notifications as Item[]) {
      expect(item).toMatchObject({ template_id: CODER_TEST_TEMPLATE, icon: 'DEFAULT_ICON_OTHER' });
      expect(FALLBACK_ICONS).toContain(item.icon);
    }
  });

  it("`coder notifications custom` sends under Coder's custom template id; coderd's validation applies", async () => {
    const u = await member();
    const ok = await u.sdk('POST', `${V2}/notifications/custom`, {
      body: { content: { title: 'Build done', message: 'All green' } },
    });
    expect(ok.status).toBe(204);
    const list = await u.sdk('GET', `${INBOX}?templates=${CODER_CUSTOM_TEMPLATE}`);
    expect(list.body.notifications.map((x: Item) => [x.title, x.content, x.icon])).toEqual([
      ['Build done', 'All green', ''],
    ]);

    const refused = async (content: Record<string, unknown>, fields: string[]) => {
      const res = await u.sdk('POST', `${V2}/notifications/custom`, { body: { content } });
      expect(res.status, JSON.stringify(content)).toBe(400);
      expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual(fields);
    };
    await refused({ title: '', message: 'm' }, ['content.title']);
    await refused({ title: 't', message: '  ' }, ['content.message']);
    await refused({ title: 'x'.repeat(121), message: 'm' }, ['content.title']);
    await refused({ title: 't', message: 'x'.repeat(2001) }, ['content.message']);
    // The limits themselves are accepted.
    const edge = await u.sdk('POST', `${V2}/notifications/custom`, {
      body: { content: { title: 'x'.repeat(120), message: 'y'.repeat(2000) } },
    });
    expect(edge.status).toBe(204);
    expect((await u.sdk('GET', INBOX)).body.notifications).toHaveLength(2);
  });

  it('GetNotificationDispatchMethods decodes one {available, default} object', async () => {
    const u = await member();
    const res = await u.sdk('GET', `${V2}/notifications/dispatch-methods`);
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(false);
    // As coderd: the inbox is implicit and not listed.
    expect(res.body).toEqual({
      available: expect.not.arrayContaining(['inbox']),
      default: expect.any(String),
    });
  });

  it("ListInboxNotifications: every SDK query parameter, and coderd's refusals", async () => {
    const u = await member();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push(await u.post(`m${i}`));
    const page = await u.sdk('GET', INBOX);
    expect(page.body.unread_count).toBe(3);
    const [newest, middle] = page.body.notifications as Item[];

    // starting_before: older than the named one; an unknown id gives the first page.
    const older = await u.sdk('GET', `${INBOX}?starting_before=${middle.id}&read_status=all`);
    expect(older.body.notifications.map((x: Item) => x.title)).toEqual(['m0']);
    const unknown = await u.sdk('GET', `${INBOX}?starting_before=${crypto.randomUUID()}`);
    expect(unknown.body.notifications).toHaveLength(3);
    // targets: all listed must match (message id and bucket id → that one item).
    const both = await u.sdk('GET', `${INBOX}?targets=${ids[2]},${u.bucketId}`);
    expect(both.body.notifications.map((x: Item) => x.id)).toEqual([newest.id]);
    const none = await u.sdk('GET', `${INBOX}?targets=${ids[2]},${ids[1]}`);
    expect(none.body.notifications).toEqual([]);
    // Empty values, as the extension sends them, mean no filter.
    expect((await u.sdk('GET', `${INBOX}?targets=&templates=`)).body.notifications).toHaveLength(3);

    const bad = async (query: string, field: string) => {
      const res = await u.sdk('GET', `${INBOX}${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.validations.map((v: { field: string }) => v.field)).toEqual([field]);
    };
    await bad('?targets=nope', 'targets');
    await bad(`?templates=${CODER_TEST_TEMPLATE},nope`, 'templates');
    await bad('?starting_before=nope', 'starting_before');
    await bad('?read_status=maybe', 'read_status');
    await bad('?limit=5', 'limit');
  });

  it('UpdateInboxNotificationReadStatus and mark-all-as-read, as the SDK and the extension send them', async () => {
    const u = await member();
    await u.post('one');
    await u.post('two');
    const [item] = (await u.sdk('GET', INBOX)).body.notifications as Item[];
    const res = await u.sdk('PUT', `${INBOX}/${item.id}/read-status`, { body: { is_read: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ notification: { id: item.id }, unread_count: 1 });
    expect(res.body.notification.read_at).not.toBeNull();
    const notUuid = await u.sdk('PUT', `${INBOX}/not-a-uuid/read-status`, { body: { is_read: true } });
    expect(notUuid.status).toBe(400);
    expect(notUuid.body.validations).toEqual([{ field: 'id', detail: 'Invalid UUID' }]);

    // The extension's "mark all as read": PUT with an empty form-encoded body.
    const all = await u.sdk('PUT', `${INBOX}/mark-all-as-read`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      raw: '',
    });
    expect(all.status).toBe(204);
    expect((await u.sdk('GET', INBOX)).body.unread_count).toBe(0);
  });

  it('watches as the extension does (format=plaintext, empty filters), and refuses bad filters before upgrading', async () => {
    const u = await member();
    const ext = await watch(u.token, '?format=plaintext&templates=&targets=');
    const byTarget = await watch(u.token, `?targets=${u.bucketId}`);
    const custom = await watch(u.token, `?templates=${CODER_CUSTOM_TEMPLATE}`);
    await u.post('**bold** title', { body: 'with _markdown_' });
    await expect.poll(() => ext.frames.length, { timeout: 5000 }).toBe(1);
    expect(ext.frames[0].notification).toMatchObject({ title: 'bold title', content: 'with markdown' });
    expect(ext.frames[0].unread_count).toBe(1);
    await expect.poll(() => byTarget.frames.length, { timeout: 5000 }).toBe(1);
    // The custom-only watcher gets the custom notification and nothing before it.
    await u.sdk('POST', `${V2}/notifications/custom`, { body: { content: { title: 'c', message: 'm' } } });
    await expect.poll(() => custom.frames.length, { timeout: 5000 }).toBe(1);
    expect(custom.frames[0].notification.template_id).toBe(CODER_CUSTOM_TEMPLATE);

    // targets must all match on the watch too: no item is in two buckets at once. Each watcher
    // handles events in order, so once the plain watcher has the later item as well, the strict
    // one has long decided on the earlier.
    const second = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: `sdk${n}-b` } });
    const strict = await watch(u.token, `?targets=${u.bucketId},${second.body.id}`);
    await u.post('not for strict');
    await u.post('nor this');
    await expect.poll(() => byTarget.frames.length, { timeout: 5000 }).toBe(3);
    expect(strict.frames).toEqual([]);

    await expect(watch(u.token, '?targets=nope')).rejects.toThrow(/^400 .*targets/);
    await expect(watch(u.token, '?templates=x')).rejects.toThrow(/^400 .*templates/);
    await expect(watch(u.token, '?since=abc')).rejects.toThrow(/^400 .*since/);
  });

  it('while the notifier is paused, inbox items are held (as coderd holds them) and arrive on resume', async () => {
    const u = await member();
    const admin = await h.adminToken();
    const setPaused = (paused: boolean) =>
      h.api('PUT', `${V2}/notifications/settings`, {
        headers: { 'Coder-Session-Token': admin },
        body: { notifier_paused: paused },
      });
    const w = await watch(u.token, '');
    expect((await setPaused(true)).status).toBe(200);
    try {
      expect((await u.sdk('GET', `${V2}/notifications/settings`)).body).toEqual({ notifier_paused: true });
      const id = await u.post('held');
      expect((await u.sdk('POST', `${V2}/notifications/test`)).status).toBe(204);
      const list = await u.sdk('GET', INBOX);
      expect(list.body).toEqual({ notifications: [], unread_count: 0 });
      expect((await u.sdk('GET', `${INBOX}?targets=${id}`)).body.notifications).toEqual([]);
      await h.server.drain();
      expect(w.frames).toEqual([]);
    } finally {
      expect((await setPaused(false)).status).toBe(200);
    }
    await expect.poll(() => w.frames.length, { timeout: 5000 }).toBe(2);
    expect(w.frames.map((f) => f.notification.title).sort()).toEqual(['A test notification', 'held']);
    const after = await u.sdk('GET', INBOX);
    expect(after.body.unread_count).toBe(2);
    expect(after.body.notifications).toHaveLength(2);
    expect((await setPaused(false)).status).toBe(304);
  });
});
