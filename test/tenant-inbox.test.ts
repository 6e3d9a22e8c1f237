import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const NOTIFICATIONS = '/notification/v1/notifications';
const INBOX = '/api/v2/notifications/inbox';

interface Frame {
  notification: { id: string; user_id: string; title: string; content: string; template_id: string };
  unread_count: number;
}

/** A WebSocket client that queues frames so a test can await the next one. */
async function watch(url: string, token: string) {
  const ws = new WebSocket(`${url.replace(/^http/, 'ws')}${INBOX}/watch`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const frames: Frame[] = [];
  const waiters: Array<(f: Frame) => void> = [];
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as Frame;
    const w = waiters.shift();
    if (w) w(frame);
    else frames.push(frame);
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return {
    next(timeoutMs = 5000): Promise<Frame> {
      const queued = frames.shift();
      if (queued) return Promise.resolve(queued);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no frame within timeout')), timeoutMs);
        waiters.push((f) => {
          clearTimeout(timer);
          resolve(f);
        });
      });
    },
    close(): Promise<void> {
      if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
      return new Promise((resolve) => {
        ws.once('close', () => resolve());
        ws.close();
      });
    },
  };
}

describe.each(STORES)('tenant notifications in the inbox family on %s', (store) => {
  const clock = manualClock(Date.parse('2026-06-01T10:00:00Z'));
  let h: TestHerald;
  let admin: string;
  let templateId: string;
  const open: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    admin = await h.adminToken();
    const t = await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: {
        templateKey: 'DELEGATION_ISSUED',
        name: 'Delegation issued',
        category: 'Delegations',
        titleTemplate: 'Delegation Issued',
        messageTemplate: 'Delegation {{delegation_id}} was issued to you.',
        isActionable: true,
      },
    });
    expect(t.status, t.text).toBe(201);
    templateId = t.body.id;
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((w) => w.close()));
  });
  afterAll(() => h?.close());

  async function notify(tenantId: string, userId: string, delegationId: string) {
    const res = await h.api('POST', NOTIFICATIONS, {
      token: admin,
      body: {
        templateKey: 'DELEGATION_ISSUED',
        userId,
        tenantId,
        entityType: 'delegation',
        entityId: `del-${delegationId}`,
        actionUrl: `https://example.com/delegations/${delegationId}`,
        placeholders: { delegation_id: delegationId },
      },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.data as { id: string; createdAt: string };
  }

  it("lists the same notification in the user's inbox, and read state is shared both ways", async () => {
    const tenantId = randomUUID();
    const user = await h.createUser('inboxreader');
    const created = await notify(tenantId, user.id, 'ABC123');

    const inbox = await h.api('GET', INBOX, { token: user.token });
    expect(inbox.status, inbox.text).toBe(200);
    expect(inbox.body.unread_count).toBe(1);
    expect(inbox.body.notifications).toEqual([
      {
        id: created.id,
        user_id: user.id,
        template_id: templateId,
        targets: expect.arrayContaining(['del-ABC123']),
        title: 'Delegation Issued',
        content: 'Delegation ABC123 was issued to you.',
        icon: '',
        actions: [{ label: 'Open', url: 'https://example.com/delegations/ABC123' }],
        read_at: null,
        created_at: created.createdAt,
      },
    ]);

    // Read through the tenant API → read in the inbox.
    const toggled = await h.api('PATCH', `${NOTIFICATIONS}/${created.id}/toggle-status`, {
      token: user.token,
      body: { status: 'READ' },
    });
    expect(toggled.status, toggled.text).toBe(200);
    const afterRead = await h.api('GET', INBOX, { token: user.token });
    expect(afterRead.body.unread_count).toBe(0);
    expect(afterRead.body.notifications[0].read_at).toBe(toggled.body.data.readAt);

    // Unread through the inbox API → UNREAD in the tenant API.
    const put = await h.api('PUT', `${INBOX}/${created.id}/read-status`, {
      token: user.token,
      body: { is_read: false },
    });
    expect(put.status, put.text).toBe(200);
    const tenantView = await h.api('GET', `${NOTIFICATIONS}?tenantId=${tenantId}`, { token: user.token });
    expect(tenantView.body.data.data[0]).toMatchObject({ id: created.id, status: 'UNREAD', readAt: null });

    // The template is listed by the inbox family too: one template store.
    const custom = await h.api('GET', '/api/v2/notifications/templates/custom', { token: user.token });
    expect(custom.status, custom.text).toBe(200);
    expect(custom.body).toContainEqual(
      expect.objectContaining({ id: templateId, name: 'Delegation issued', group: 'Delegations' }),
    );
  });

  it('honours a user who turned the template off: 403, nothing in their inbox', async () => {
    const tenantId = randomUUID();
    const user = await h.createUser('optout');
    const pref = await h.api('PUT', '/api/v2/users/me/notifications/preferences', {
      token: user.token,
      body: { template_disabled_map: { [templateId]: true } },
    });
    expect(pref.status, pref.text).toBe(200);
    const res = await h.api('POST', NOTIFICATIONS, {
      token: admin,
      body: {
        templateKey: 'DELEGATION_ISSUED',
        userId: user.id,
        tenantId,
        entityType: 'delegation',
        entityId: 'x',
        placeholders: { delegation_id: 'OFF' },
      },
    });
    expect(res.status, res.text).toBe(403);
    expect(res.body).toMatchObject({ statusCode: 403, data: null, message: expect.stringMatching(/turned/) });
    expect((await h.api('GET', INBOX, { token: user.token })).body.notifications).toEqual([]);
    const listed = await h.api('GET', `${NOTIFICATIONS}?tenantId=${tenantId}`, { token: user.token });
    expect(listed.body.data.total).toBe(0);
  });

  it('delivers a new tenant notification live on /inbox/watch to its user only', async () => {
    const tenantId = randomUUID();
    const carol = await h.createUser('watcher');
    const dave = await h.createUser('bystander');
    const carolWatch = await watch(h.url, carol.token);
    open.push(carolWatch);
    const daveWatch = await watch(h.url, dave.token);
    open.push(daveWatch);

    const created = await notify(tenantId, carol.id, 'LIVE1');
    const frame = await carolWatch.next();
    expect(frame).toEqual({
      notification: expect.objectContaining({
        id: created.id,
        user_id: carol.id,
        template_id: templateId,
        title: 'Delegation Issued',
        content: 'Delegation LIVE1 was issued to you.',
        read_at: null,
        created_at: created.createdAt,
      }),
      unread_count: 1,
    });

    // Dave's first frame is his own notification, not carol's.
    const forDave = await notify(tenantId, dave.id, 'LIVE2');
    const daveFrame = await daveWatch.next();
    expect(daveFrame.notification.id).toBe(forDave.id);
    expect(daveFrame.notification.user_id).toBe(dave.id);

    // A second one for carol arrives with the unread count updated.
    const second = await notify(tenantId, carol.id, 'LIVE3');
    const frame2 = await carolWatch.next();
    expect(frame2.notification.id).toBe(second.id);
    expect(frame2.unread_count).toBe(2);
  });
});
