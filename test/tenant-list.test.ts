import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const NOTIFICATIONS = '/notification/v1/notifications';

interface Item {
  id: string;
  title: string;
  templateKey: string;
  category: string;
  entityType: string;
  status: 'READ' | 'UNREAD';
  readAt: string | null;
  userId: string;
  tenantId: string;
}

describe.each(STORES)('tenant notifications: list, count, toggle and access on %s', (store) => {
  const clock = manualClock(Date.parse('2026-05-04T08:00:00Z'));
  let h: TestHerald;
  let admin: string;

  beforeAll(async () => {
    h = await startHerald(store, { clock });
    admin = await h.adminToken();
    for (const [templateKey, category] of [
      ['TASK_ASSIGNED', 'Tasks'],
      ['DELEGATION_ISSUED', 'Delegations'],
    ]) {
      const t = await h.api('POST', '/api/v1/templates', {
        token: admin,
        body: {
          templateKey,
          name: templateKey,
          category,
          titleTemplate: '{{label}}',
          messageTemplate: `${category}: {{label}}`,
        },
      });
      expect(t.status, t.text).toBe(201);
    }
  });
  afterAll(() => h?.close());

  async function serviceToken(tenantId: string): Promise<string> {
    const res = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: `svc ${tenantId}`, scopes: ['notifications:create', 'notifications:read'], tenantId },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.token;
  }

  /** Creates one notification; a second apart so newest-first order is unambiguous. */
  async function notify(
    token: string,
    tenantId: string,
    userId: string,
    label: string,
    templateKey = 'TASK_ASSIGNED',
    entityType = 'task',
  ): Promise<Item> {
    clock.advance(1000);
    const res = await h.api('POST', NOTIFICATIONS, {
      token,
      body: { templateKey, userId, tenantId, entityType, entityId: label, placeholders: { label } },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.data;
  }

  async function list(token: string, query: string) {
    const res = await h.api('GET', `${NOTIFICATIONS}?${query}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, message: 'Success' });
    return res.body.data as { page: number; limit: number; total: number; data: Item[] };
  }

  async function count(token: string, query: string) {
    const res = await h.api('GET', `${NOTIFICATIONS}/count?${query}`, { token });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ statusCode: 200, message: 'Success' });
    return res.body.data as { unread: number; read: number; total: number; timePeriod: string };
  }

  const toggle = (token: string, id: string, status: string) =>
    h.api('PATCH', `${NOTIFICATIONS}/${id}/toggle-status`, { token, body: { status } });

  const titles = (items: Item[]) => items.map((i) => i.title);

  it('filters by status, templateKey, category and entityType, newest first', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const token = await serviceToken(tenantId);
    const q = `tenantId=${tenantId}&userId=${userId}`;
    await notify(token, tenantId, userId, 't1');
    const d1 = await notify(token, tenantId, userId, 'd1', 'DELEGATION_ISSUED', 'delegation');
    await notify(token, tenantId, userId, 't2', 'TASK_ASSIGNED', 'project');
    await notify(token, tenantId, userId, 'd2', 'DELEGATION_ISSUED', 'delegation');
    expect((await toggle(token, d1.id, 'READ')).status).toBe(200);

    const all = await list(token, q);
    expect(titles(all.data)).toEqual(['d2', 't2', 'd1', 't1']);
    expect(all.total).toBe(4);

    expect(titles((await list(token, `${q}&status=READ`)).data)).toEqual(['d1']);
    expect(titles((await list(token, `${q}&status=UNREAD`)).data)).toEqual(['d2', 't2', 't1']);
    expect(titles((await list(token, `${q}&templateKey=DELEGATION_ISSUED`)).data)).toEqual(['d2', 'd1']);
    expect(titles((await list(token, `${q}&category=Tasks`)).data)).toEqual(['t2', 't1']);
    expect(titles((await list(token, `${q}&entityType=project`)).data)).toEqual(['t2']);
    const combined = await list(token, `${q}&category=Delegations&status=UNREAD&entityType=delegation`);
    expect(titles(combined.data)).toEqual(['d2']);
    expect(combined.total).toBe(1);
    const none = await list(token, `${q}&templateKey=NOPE`);
    expect(none).toEqual({ page: 1, limit: 10, total: 0, data: [] });
  });

  it('pages with page and limit; total counts every match', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const token = await serviceToken(tenantId);
    const q = `tenantId=${tenantId}&userId=${userId}`;
    for (const label of ['n1', 'n2', 'n3', 'n4', 'n5']) await notify(token, tenantId, userId, label);

    const p1 = await list(token, `${q}&page=1&limit=2`);
    const p2 = await list(token, `${q}&page=2&limit=2`);
    const p3 = await list(token, `${q}&page=3&limit=2`);
    const p4 = await list(token, `${q}&page=4&limit=2`);
    expect([p1, p2, p3, p4].map((p) => [p.page, p.limit, p.total])).toEqual([
      [1, 2, 5],
      [2, 2, 5],
      [3, 2, 5],
      [4, 2, 5],
    ]);
    expect([p1, p2, p3, p4].map((p) => titles(p.data))).toEqual([['n5', 'n4'], ['n3', 'n2'], ['n1'], []]);
    // Defaults: page 1, limit 10.
    const d = await list(token, q);
    expect([d.page, d.limit, d.total, d.data.length]).toEqual([1, 10, 5, 5]);
    // Paging applies after filtering.
    expect((await list(token, `${q}&status=UNREAD&limit=1&page=5`)).data.map((i) => i.title)).toEqual(['n1']);
  });

  it('keeps tenants apart: the same user in another tenant has a separate list and count', async () => {
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    const user = await h.createUser('multitenant');
    await notify(admin, tenantA, user.id, 'in A');
    await notify(admin, tenantB, user.id, 'in B');
    expect(titles((await list(user.token, `tenantId=${tenantA}`)).data)).toEqual(['in A']);
    expect(titles((await list(user.token, `tenantId=${tenantB}`)).data)).toEqual(['in B']);
    expect(await count(user.token, `tenantId=${tenantA}`)).toEqual({
      unread: 1,
      read: 0,
      total: 1,
      timePeriod: 'all',
    });
  });

  it.each([
    ['', 'tenantId'],
    ['tenantId=not-a-uuid', 'tenantId'],
    ['tenantId=urn:uuid:550e8400-e29b-41d4-a716-446655440000', 'tenantId'],
    ['tenantId=550e8400-e29b-41d4-a716-446655440000&userId=bob', 'userId'],
    ['tenantId=550e8400-e29b-41d4-a716-446655440000&page=0', 'page'],
    ['tenantId=550e8400-e29b-41d4-a716-446655440000&limit=0', 'limit'],
    ['tenantId=550e8400-e29b-41d4-a716-446655440000&limit=101', 'limit'],
    ['tenantId=550e8400-e29b-41d4-a716-446655440000&status=DONE', 'status'],
    ['tenantId=550e8400-e29b-41d4-a716-446655440000&timePeriod=2m', 'timePeriod'],
  ])('refuses list query %j with 400 naming %s (count too where it applies)', async (query, field) => {
    const res = await h.api('GET', `${NOTIFICATIONS}?${query}`, { token: admin });
    expect(res.status, res.text).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, data: null });
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    if (['tenantId', 'userId', 'timePeriod'].includes(field)) {
      const c = await h.api('GET', `${NOTIFICATIONS}/count?${query}`, { token: admin });
      expect(c.status, c.text).toBe(400);
      expect(c.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    }
  });

  it('toggles READ then UNREAD: readAt set then cleared, and the count follows', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const token = await serviceToken(tenantId);
    const q = `tenantId=${tenantId}&userId=${userId}`;
    const a = await notify(token, tenantId, userId, 'a');
    await notify(token, tenantId, userId, 'b');
    expect(await count(token, q)).toEqual({ unread: 2, read: 0, total: 2, timePeriod: 'all' });

    clock.advance(5000);
    const readAt = new Date(clock.now()).toISOString();
    const read = await toggle(token, a.id, 'READ');
    expect(read.status, read.text).toBe(200);
    expect(read.body).toMatchObject({ statusCode: 200, message: 'Success' });
    expect(read.body.data).toEqual({ ...a, status: 'READ', readAt, relativeTime: 'just now' });
    expect(await count(token, q)).toEqual({ unread: 1, read: 1, total: 2, timePeriod: 'all' });
    expect((await list(token, q)).data.find((i) => i.id === a.id)).toMatchObject({ status: 'READ', readAt });

    // READ again keeps the first read time.
    clock.advance(5000);
    expect((await toggle(token, a.id, 'READ')).body.data.readAt).toBe(readAt);

    const unread = await toggle(token, a.id, 'UNREAD');
    expect(unread.status, unread.text).toBe(200);
    expect(unread.body.data).toMatchObject({ id: a.id, status: 'UNREAD', readAt: null });
    expect(await count(token, q)).toEqual({ unread: 2, read: 0, total: 2, timePeriod: 'all' });
    expect((await list(token, `${q}&status=READ`)).total).toBe(0);
  });

  it('refuses bad toggles: unknown id 404, bad id or status 400, all in the envelope', async () => {
    const missing = await toggle(admin, randomUUID(), 'READ');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ statusCode: 404, data: null, errors: [] });

    const badId = await toggle(admin, 'nope', 'READ');
    expect(badId.status).toBe(400);
    expect(badId.body.errors.map((e: { field: string }) => e.field)).toEqual(['id']);

    const tenantId = randomUUID();
    const n = await notify(admin, tenantId, randomUUID(), 'x');
    for (const body of [{ status: 'DONE' }, {}]) {
      const res = await h.api('PATCH', `${NOTIFICATIONS}/${n.id}/toggle-status`, { token: admin, body });
      expect(res.status, res.text).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, data: null });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(['status']);
    }
  });

  it('only toggles tenant notifications: a bucket message in the inbox is 404 here', async () => {
    const u = await h.createUser('bucketuser');
    const bucket = await h.api('POST', '/api/v1/buckets', { token: u.token, body: { name: 'b' } });
    const sent = await h.api('POST', '/api/v1/messages', {
      token: u.token,
      body: { bucketId: bucket.body.id, title: 'plain message', deliveryType: 'NORMAL' },
    });
    expect(sent.status, sent.text).toBe(201);
    const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: u.token });
    const item = inbox.body.notifications[0];
    expect(item.title).toBe('plain message');
    const res = await toggle(u.token, item.id, 'READ');
    expect(res.status, res.text).toBe(404);
    const after = await h.api('GET', '/api/v2/notifications/inbox', { token: u.token });
    expect(after.body.notifications[0].read_at).toBeNull();
  });

  it('refuses a tenant-bound token on another tenant with 403: list, count and toggle', async () => {
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    const userId = randomUUID();
    const tokenA = await serviceToken(tenantA);
    const inB = await notify(admin, tenantB, userId, 'secret in B');

    for (const path of [
      `${NOTIFICATIONS}?tenantId=${tenantB}&userId=${userId}`,
      `${NOTIFICATIONS}/count?tenantId=${tenantB}&userId=${userId}`,
    ]) {
      const res = await h.api('GET', path, { token: tokenA });
      expect(res.status, `${path}: ${res.text}`).toBe(403);
      expect(res.body).toMatchObject({ statusCode: 403, data: null });
      expect(res.text).not.toContain('secret in B');
    }
    const t = await toggle(tokenA, inB.id, 'READ');
    expect(t.status, t.text).toBe(403);
    expect(t.body).toMatchObject({ statusCode: 403, data: null });
    expect(t.text).not.toContain('secret in B');
    const still = await list(admin, `tenantId=${tenantB}&userId=${userId}`);
    expect(still.data[0]).toMatchObject({ id: inB.id, status: 'UNREAD', readAt: null });

    // In its own tenant the token reads and toggles for that tenant's users.
    const userA = randomUUID();
    const inA = await notify(tokenA, tenantA, userA, 'in A');
    expect(titles((await list(tokenA, `tenantId=${tenantA}&userId=${userA}`)).data)).toEqual(['in A']);
    expect((await toggle(tokenA, inA.id, 'READ')).status).toBe(200);
  });

  it('shows each user only their own notifications', async () => {
    const tenantId = randomUUID();
    const alice = await h.createUser('alice');
    const bob = await h.createUser('bob');
    const forAlice = await notify(admin, tenantId, alice.id, 'for alice');
    const forBob = await notify(admin, tenantId, bob.id, 'for bob');

    // Without userId a caller reads their own.
    const mine = await list(alice.token, `tenantId=${tenantId}`);
    expect(titles(mine.data)).toEqual(['for alice']);
    expect(mine.data[0].userId).toBe(alice.id);
    expect(await count(alice.token, `tenantId=${tenantId}`)).toMatchObject({ total: 1 });
    expect(titles((await list(bob.token, `tenantId=${tenantId}`)).data)).toEqual(['for bob']);

    // Naming another user is refused, for list and count.
    for (const path of [
      `${NOTIFICATIONS}?tenantId=${tenantId}&userId=${bob.id}`,
      `${NOTIFICATIONS}/count?tenantId=${tenantId}&userId=${bob.id}`,
    ]) {
      const res = await h.api('GET', path, { token: alice.token });
      expect(res.status, res.text).toBe(403);
      expect(res.text).not.toContain('for bob');
    }
    // Naming yourself is fine.
    expect(titles((await list(alice.token, `tenantId=${tenantId}&userId=${alice.id}`)).data)).toEqual([
      'for alice',
    ]);

    // Toggling someone else's notification: 404, and it stays unread.
    const t = await toggle(alice.token, forBob.id, 'READ');
    expect(t.status, t.text).toBe(404);
    expect((await count(bob.token, `tenantId=${tenantId}`)).unread).toBe(1);
    expect((await toggle(alice.token, forAlice.id, 'READ')).status).toBe(200);

    // A token alice binds to the tenant does not make her the tenant's reader.
    const bound = await h.api('POST', '/api/v1/access-tokens', {
      token: alice.token,
      body: { name: 'mine', scopes: ['notifications:read'], tenantId },
    });
    expect(bound.status, bound.text).toBe(201);
    const viaBound = await h.api('GET', `${NOTIFICATIONS}?tenantId=${tenantId}&userId=${bob.id}`, {
      token: bound.body.token,
    });
    expect(viaBound.status, viaBound.text).toBe(403);
    expect(viaBound.text).not.toContain('for bob');
    const toggledViaBound = await toggle(bound.body.token, forBob.id, 'READ');
    expect(toggledViaBound.status, toggledViaBound.text).toBe(404);
    expect((await count(bob.token, `tenantId=${tenantId}`)).unread).toBe(1);
    expect(titles((await list(bound.body.token, `tenantId=${tenantId}`)).data)).toEqual(['for alice']);
  });

  it('answers an unknown path under /notification/v1 with 404 in the envelope', async () => {
    for (const [method, path] of [
      ['GET', '/notification/v1/nothing'],
      ['GET', `${NOTIFICATIONS}/${randomUUID()}`],
      ['DELETE', `${NOTIFICATIONS}/${randomUUID()}`],
    ]) {
      const res = await h.api(method, path, { token: admin });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body).toMatchObject({
        statusCode: 404,
        data: null,
        errors: [],
        message: expect.stringContaining(path),
      });
    }
  });

  it('needs notifications:read to list, count and toggle', async () => {
    const tenantId = randomUUID();
    const n = await notify(admin, tenantId, randomUUID(), 'x');
    const writer = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'writer', scopes: ['notifications:create'] },
    });
    for (const [method, path] of [
      ['GET', `${NOTIFICATIONS}?tenantId=${tenantId}`],
      ['GET', `${NOTIFICATIONS}/count?tenantId=${tenantId}`],
    ]) {
      const res = await h.api(method, path, { token: writer.body.token });
      expect(res.status, res.text).toBe(403);
      expect(res.body.message).toContain('notifications:read');
    }
    const t = await toggle(writer.body.token, n.id, 'READ');
    expect(t.status).toBe(403);
    const none = await h.api('GET', `${NOTIFICATIONS}?tenantId=${tenantId}`);
    expect(none.status).toBe(401);
    expect(none.body).toMatchObject({ statusCode: 401, data: null });
  });
});
