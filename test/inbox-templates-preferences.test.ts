import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../src/domain/clock.ts';
import { SYSTEM_TEMPLATES } from '../src/templates/system-templates.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const V2 = '/api/v2';
const TEMPLATE_FIELDS = [
  'actions',
  'body_template',
  'enabled_by_default',
  'group',
  'id',
  'kind',
  'method',
  'name',
  'title_template',
].sort();

interface InboxItem {
  id: string;
  template_id: string;
  targets: string[];
  title: string;
  content: string;
}
interface User {
  id: string;
  token: string;
}

describe.each(STORES)('custom and test notifications, templates, settings and preferences on %s', (store) => {
  const clock = manualClock(Date.parse('2026-03-03T09:00:00Z'));
  let h: TestHerald;
  let admin: string;
  let n = 0;

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    admin = await h.adminToken();
  });
  afterAll(() => h?.close());

  const member = async (): Promise<User & { name: string }> => {
    const name = `pref${++n}`;
    return { ...(await h.createUser(name)), name };
  };
  const inbox = async (u: User): Promise<{ notifications: InboxItem[]; unread_count: number }> => {
    const res = await h.api('GET', `${V2}/notifications/inbox`, { token: u.token });
    expect(res.status).toBe(200);
    return res.body;
  };
  const custom = (u: User, content: Record<string, unknown>) =>
    h.api('POST', `${V2}/notifications/custom`, { token: u.token, body: { content } });

  it('sends a custom notification to the caller: 204, then in the inbox with its title and message', async () => {
    const u = await member();
    const other = await member();
    clock.advance(1000);
    const res = await custom(u, { title: 'Deploy done', message: 'Build **42** is live' });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');

    const page = await inbox(u);
    expect(page.unread_count).toBe(1);
    expect(page.notifications[0]).toMatchObject({
      template_id: SYSTEM_TEMPLATES.custom.id,
      title: 'Deploy done',
      content: 'Build **42** is live',
      read_at: null,
      created_at: new Date(clock.now()).toISOString(),
    });
    expect((await inbox(other)).notifications).toEqual([]);

    // As coderd, both parts are required: one alone is refused, naming the missing one.
    const onlyTitle = await custom(u, { title: 'Only a title' });
    expect(onlyTitle.status).toBe(400);
    expect(onlyTitle.body.validations).toEqual([{ field: 'content.message', detail: 'must not be empty' }]);
    const onlyMessage = await custom(u, { message: 'Only a message' });
    expect(onlyMessage.status).toBe(400);
    expect(onlyMessage.body.validations).toEqual([{ field: 'content.title', detail: 'must not be empty' }]);
    expect((await inbox(u)).notifications).toHaveLength(1);
  });

  it('refuses a custom notification with neither title nor message: 400 naming both fields, nothing sent', async () => {
    const u = await member();
    for (const content of [{}, { title: '', message: '' }, { title: '   ', message: '\n' }]) {
      const res = await custom(u, content);
      expect(res.status, JSON.stringify(content)).toBe(400);
      expect(res.body).toEqual({
        message: expect.any(String),
        detail: expect.any(String),
        validations: [
          { field: 'content.title', detail: expect.any(String) },
          { field: 'content.message', detail: expect.any(String) },
        ],
        code: 40001,
      });
    }
    const noContent = await h.api('POST', `${V2}/notifications/custom`, { token: u.token, body: {} });
    expect(noContent.status).toBe(400);
    expect(noContent.body.validations.map((v: { field: string }) => v.field).join()).toContain('content');
    expect((await inbox(u)).notifications).toEqual([]);
  });

  it('sends a test notification to the caller with 204', async () => {
    const u = await member();
    const res = await h.api('POST', `${V2}/notifications/test`, {
      headers: { 'Coder-Session-Token': u.token },
    });
    expect(res.status).toBe(204);
    const [item] = (await inbox(u)).notifications;
    expect(item).toMatchObject({ template_id: SYSTEM_TEMPLATES.test.id, title: 'A test notification' });
    expect(item.content).toContain(u.name);
  });

  it('lists system templates and admin-made custom templates with the spec fields', async () => {
    const u = await member();
    const system = await h.api('GET', `${V2}/notifications/templates/system`, { token: u.token });
    expect(system.status).toBe(200);
    for (const t of system.body) expect(Object.keys(t).sort()).toEqual(TEMPLATE_FIELDS);
    const byId = new Map(system.body.map((t: { id: string }) => [t.id, t]));
    expect(byId.get(SYSTEM_TEMPLATES.custom.id)).toEqual({
      id: SYSTEM_TEMPLATES.custom.id,
      name: 'Custom Notification',
      title_template: '{{custom_title}}',
      body_template: '{{custom_message}}',
      actions: '[]',
      group: 'Custom Events',
      method: '',
      kind: 'system',
      enabled_by_default: true,
    });
    expect(byId.get(SYSTEM_TEMPLATES.test.id)).toMatchObject({ name: 'Test Notification', kind: 'system' });
    expect(byId.get(SYSTEM_TEMPLATES.loginFailed.id)).toMatchObject({ name: 'Failed Login', kind: 'system' });

    const before = await h.api('GET', `${V2}/notifications/templates/custom`, { token: u.token });
    expect(before.status).toBe(200);
    expect(before.body).toEqual([]);

    const created = await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: {
        templateKey: 'ORDER_SHIPPED',
        name: 'Order shipped',
        category: 'Orders',
        titleTemplate: 'Order {{order}} shipped',
        messageTemplate: 'It left the warehouse.',
        actions: [{ label: 'Track', url: 'https://example.com/track' }],
        method: 'smtp',
        enabledByDefault: false,
      },
    });
    expect(created.status, created.text).toBe(201);
    const after = await h.api('GET', `${V2}/notifications/templates/custom`, { token: u.token });
    expect(after.body).toHaveLength(1);
    expect(Object.keys(after.body[0]).sort()).toEqual(TEMPLATE_FIELDS);
    expect(after.body[0]).toMatchObject({
      id: created.body.id,
      name: 'Order shipped',
      title_template: 'Order {{order}} shipped',
      body_template: 'It left the warehouse.',
      group: 'Orders',
      method: 'smtp',
      kind: 'custom',
      enabled_by_default: false,
    });
    expect(JSON.parse(after.body[0].actions)).toEqual([{ label: 'Track', url: 'https://example.com/track' }]);
    const systemAgain = await h.api('GET', `${V2}/notifications/templates/system`, { token: u.token });
    expect(systemAgain.body.map((t: { id: string }) => t.id)).not.toContain(created.body.id);
  });

  it('lists the dispatch methods configured on this server', async () => {
    const u = await member();
    const res = await h.api('GET', `${V2}/notifications/dispatch-methods`, { token: u.token });
    expect(res.status).toBe(200);
    // As coderd: the inbox is implicit and not listed; the default is smtp unless only others are on.
    expect(res.body).toEqual({ available: [], default: 'smtp' });

    const saved = await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: true, config: { url: 'https://hooks.example.com/herald', method: 'POST' } },
    });
    expect(saved.status, saved.text).toBe(200);
    const after = await h.api('GET', `${V2}/notifications/dispatch-methods`, { token: u.token });
    expect(after.body).toEqual({ available: ['webhook'], default: 'webhook' });

    await h.api('PUT', '/api/v1/notifications/channels/webhook', {
      token: admin,
      body: { enabled: false, config: { url: 'https://hooks.example.com/herald', method: 'POST' } },
    });
    const disabled = await h.api('GET', `${V2}/notifications/dispatch-methods`, { token: u.token });
    expect(disabled.body).toEqual({ available: [], default: 'smtp' });
  });

  it('reads and changes notifier_paused: 304 when nothing changes, 403 for members', async () => {
    const u = await member();
    const path = `${V2}/notifications/settings`;
    expect((await h.api('GET', path, { token: u.token })).body).toEqual({ notifier_paused: false });

    const denied = await h.api('PUT', path, { token: u.token, body: { notifier_paused: true } });
    expect(denied.status).toBe(403);
    expect(denied.body).toMatchObject({ message: expect.any(String) });
    expect((await h.api('GET', path, { token: admin })).body).toEqual({ notifier_paused: false });

    const paused = await h.api('PUT', path, { token: admin, body: { notifier_paused: true } });
    expect(paused.status).toBe(200);
    expect(paused.body).toEqual({ notifier_paused: true });
    expect((await h.api('GET', path, { token: u.token })).body).toEqual({ notifier_paused: true });

    const same = await h.api('PUT', path, {
      headers: { 'Coder-Session-Token': admin },
      body: { notifier_paused: true },
    });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');

    const bad = await h.api('PUT', path, { token: admin, body: { notifier_paused: 'yes' } });
    expect(bad.status).toBe(400);

    const resumed = await h.api('PUT', path, { token: admin, body: { notifier_paused: false } });
    expect(resumed.status).toBe(200);
    expect(resumed.body).toEqual({ notifier_paused: false });
    expect((await h.api('PUT', path, { token: admin, body: { notifier_paused: false } })).status).toBe(304);
  });

  it('reads and updates preferences for me, by id and by username', async () => {
    const u = await member();
    const prefs = (ref: string, token = u.token) =>
      h.api('GET', `${V2}/users/${ref}/notifications/preferences`, { token });
    expect((await prefs('me')).body).toEqual([]);

    clock.advance(1000);
    const put = await h.api('PUT', `${V2}/users/me/notifications/preferences`, {
      token: u.token,
      body: {
        template_disabled_map: { [SYSTEM_TEMPLATES.custom.id]: true, [SYSTEM_TEMPLATES.test.id]: false },
      },
    });
    expect(put.status, put.text).toBe(200);
    const updatedAt = new Date(clock.now()).toISOString();
    const expected = [
      { id: SYSTEM_TEMPLATES.custom.id, disabled: true, updated_at: updatedAt },
      { id: SYSTEM_TEMPLATES.test.id, disabled: false, updated_at: updatedAt },
    ];
    const sorted = (list: Array<{ id: string }>) => [...list].sort((a, b) => a.id.localeCompare(b.id));
    expect(sorted(put.body)).toEqual(expected);
    for (const ref of ['me', u.id, u.name]) {
      const res = await prefs(ref);
      expect(res.status, ref).toBe(200);
      expect(sorted(res.body)).toEqual(expected);
    }

    // Re-enabling one leaves the other alone.
    clock.advance(1000);
    const again = await h.api('PUT', `${V2}/users/${u.name}/notifications/preferences`, {
      token: u.token,
      body: { template_disabled_map: { [SYSTEM_TEMPLATES.custom.id]: false } },
    });
    expect(again.status).toBe(200);
    expect(sorted(again.body)).toEqual([
      { id: SYSTEM_TEMPLATES.custom.id, disabled: false, updated_at: new Date(clock.now()).toISOString() },
      expected[1],
    ]);

    expect((await prefs('no-such-user')).status).toBe(404);
  });

  it("lets members edit only themselves and admins anyone's preferences", async () => {
    const u = await member();
    const other = await member();
    const map = { template_disabled_map: { [SYSTEM_TEMPLATES.test.id]: true } };
    for (const ref of [other.id, other.name]) {
      const read = await h.api('GET', `${V2}/users/${ref}/notifications/preferences`, { token: u.token });
      expect(read.status).toBe(403);
      const write = await h.api('PUT', `${V2}/users/${ref}/notifications/preferences`, {
        token: u.token,
        body: map,
      });
      expect(write.status).toBe(403);
    }
    const mine = await h.api('GET', `${V2}/users/me/notifications/preferences`, { token: other.token });
    expect(mine.body).toEqual([]);

    const byAdmin = await h.api('PUT', `${V2}/users/${other.name}/notifications/preferences`, {
      token: admin,
      body: map,
    });
    expect(byAdmin.status).toBe(200);
    const seen = await h.api('GET', `${V2}/users/me/notifications/preferences`, { token: other.token });
    expect(seen.body).toEqual([
      { id: SYSTEM_TEMPLATES.test.id, disabled: true, updated_at: expect.any(String) },
    ]);
    const adminRead = await h.api('GET', `${V2}/users/${other.id}/notifications/preferences`, {
      token: admin,
    });
    expect(adminRead.status).toBe(200);
    expect(adminRead.body).toEqual(seen.body);
  });

  it('refuses an unknown template id with 400 naming it, and changes nothing', async () => {
    const u = await member();
    const unknown = crypto.randomUUID();
    const res = await h.api('PUT', `${V2}/users/me/notifications/preferences`, {
      token: u.token,
      body: { template_disabled_map: { [SYSTEM_TEMPLATES.custom.id]: true, [unknown]: true } },
    });
    expect(res.status).toBe(400);
    expect(res.body.validations).toEqual([
      { field: `template_disabled_map.${unknown}`, detail: expect.any(String) },
    ]);
    expect(res.body.detail).toContain(unknown);
    const prefs = await h.api('GET', `${V2}/users/me/notifications/preferences`, { token: u.token });
    expect(prefs.body).toEqual([]);
  });

  it('a disabled template creates no inbox item and no watcher frame; others still arrive', async () => {
    const u = await member();
    const bucket = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: 'prefs' } });
    const friend = await member();
    await h.api('POST', `/api/v1/buckets/${bucket.body.id}/members`, {
      token: await h.adminToken(), // a server admin adds directly
      body: { userId: friend.id, permission: 'read' },
    });
    const ws = new WebSocket(`${h.url.replace(/^http/, 'ws')}${V2}/notifications/inbox/watch`, {
      headers: { 'Coder-Session-Token': u.token },
    });
    const frames: Array<{ notification: InboxItem }> = [];
    ws.on('message', (d) => frames.push(JSON.parse(String(d))));
    try {
      await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
      const set = (disabled: boolean) =>
        h.api('PUT', `${V2}/users/me/notifications/preferences`, {
          token: u.token,
          body: {
            template_disabled_map: {
              [SYSTEM_TEMPLATES.custom.id]: disabled,
              [SYSTEM_TEMPLATES.bucketMessage.id]: disabled,
            },
          },
        });
      expect((await set(true)).status).toBe(200);

      expect((await custom(u, { title: 'muted', message: 'should not arrive' })).status).toBe(204);
      const sent = await h.api('POST', '/api/v1/messages', {
        token: u.token,
        body: { bucketId: bucket.body.id, deliveryType: 'NORMAL', title: 'muted bucket message' },
      });
      expect(sent.status).toBe(201);
      expect((await h.api('POST', `${V2}/notifications/test`, { token: u.token })).status).toBe(204);

      // Frames arrive in order, so the first one being the test notification proves the
      // muted ones were never sent.
      const deadline = Date.now() + 1000;
      while (frames.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(frames.map((f) => f.notification.title)).toEqual(['A test notification']);
      expect((await inbox(u)).notifications.map((x) => x.title)).toEqual(['A test notification']);
      // The bucket's other member still gets the message.
      expect((await inbox(friend)).notifications.map((x) => x.title)).toEqual(['muted bucket message']);

      expect((await set(false)).status).toBe(200);
      expect((await custom(u, { title: 'audible', message: 'arrives' })).status).toBe(204);
      const next = Date.now() + 1000;
      while (frames.length < 2 && Date.now() < next) await new Promise((r) => setTimeout(r, 5));
      expect(frames.map((f) => f.notification.title)).toEqual(['A test notification', 'audible']);
      expect((await inbox(u)).notifications.map((x) => x.title)).toContain('audible');
    } finally {
      await new Promise<void>((resolve) => {
        if (ws.readyState === WebSocket.CLOSED) return resolve();
        ws.once('close', () => resolve());
        ws.terminate();
      });
    }
    const deadline = Date.now() + 2000;
    while (h.server.ctx.hub.subscriberCount() > 0 && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 5));
    expect(h.server.ctx.hub.subscriberCount()).toBe(0);
  });
});
