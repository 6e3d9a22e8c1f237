import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

const NOTIFICATIONS = '/notification/v1/notifications';
const DATA_FIELDS = [
  'actionUrl',
  'category',
  'createdAt',
  'entityId',
  'entityType',
  'id',
  'isActionable',
  'message',
  'payload',
  'readAt',
  'relativeTime',
  'status',
  'templateKey',
  'tenantId',
  'title',
  'userId',
].sort();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe.each(STORES)('tenant notifications: create on %s', (store) => {
  const clock = manualClock(Date.parse('2026-04-01T09:00:00Z'));
  let h: TestHerald;
  let admin: string;
  let templateId: string;

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
        messageTemplate: 'Delegation {{delegation_id}} was issued to you. Click to review.',
        isActionable: true,
      },
    });
    expect(t.status, t.text).toBe(201);
    templateId = t.body.id;
    const t2 = await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: {
        templateKey: 'REPORT_READY',
        name: 'Report ready',
        category: 'Reports',
        titleTemplate: 'Report {{report.name}} is ready',
        messageTemplate: 'Prepared for {{user_email}}.',
      },
    });
    expect(t2.status, t2.text).toBe(201);
  });
  afterAll(() => h?.close());

  /** A service token an admin issued for one tenant, as a product backend would hold. */
  async function serviceToken(tenantId: string): Promise<string> {
    const res = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: `svc ${tenantId}`, scopes: ['notifications:create', 'notifications:read'], tenantId },
    });
    expect(res.status, res.text).toBe(201);
    return res.body.token;
  }

  const required = (tenantId: string, userId: string) => ({
    templateKey: 'DELEGATION_ISSUED',
    userId,
    tenantId,
    entityType: 'delegation',
    entityId: '1387b022-c897-4008-90d9-4e49d78249f8',
    placeholders: { delegation_id: 'ABC123', user_email: 'jane@example.com' },
  });

  async function listFor(token: string, tenantId: string, userId: string) {
    const res = await h.api('GET', `${NOTIFICATIONS}?tenantId=${tenantId}&userId=${userId}`, { token });
    expect(res.status, res.text).toBe(200);
    return res.body.data as { total: number; data: Array<Record<string, unknown>> };
  }

  function expectErrorEnvelope(body: Record<string, unknown>, status: number) {
    expect(Object.keys(body).sort()).toEqual(['data', 'errors', 'message', 'statusCode', 'timestamp']);
    expect(body.statusCode).toBe(status);
    expect(body.data).toBeNull();
    expect(body.timestamp).toBe(new Date(clock.now()).toISOString());
    expect(typeof body.message).toBe('string');
    expect((body.message as string).length).toBeGreaterThan(0);
  }

  it('creates with every field: 201, the spec envelope, placeholders filled, optional fields echoed', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const token = await serviceToken(tenantId);
    const res = await h.api('POST', NOTIFICATIONS, {
      token,
      body: {
        ...required(tenantId, userId),
        actionUrl: 'https://example.com/delegations/123456',
        payload: { delegationName: 'Q3 Budget Review', priority: 'high', nested: { n: 1 } },
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body).sort()).toEqual(['data', 'message', 'statusCode', 'timestamp']);
    expect(res.body).toMatchObject({
      statusCode: 201,
      message: 'Success',
      timestamp: new Date(clock.now()).toISOString(),
    });
    expect(Object.keys(res.body.data).sort()).toEqual(DATA_FIELDS);
    expect(res.body.data).toEqual({
      id: expect.stringMatching(UUID),
      tenantId,
      templateKey: 'DELEGATION_ISSUED',
      category: 'Delegations',
      title: 'Delegation Issued',
      message: 'Delegation ABC123 was issued to you. Click to review.',
      isActionable: true,
      status: 'UNREAD',
      createdAt: new Date(clock.now()).toISOString(),
      readAt: null,
      userId,
      entityType: 'delegation',
      entityId: '1387b022-c897-4008-90d9-4e49d78249f8',
      actionUrl: 'https://example.com/delegations/123456',
      payload: { delegationName: 'Q3 Budget Review', priority: 'high', nested: { n: 1 } },
      relativeTime: 'just now',
    });

    // It was stored: the same item comes back from the list, field for field.
    const listed = await listFor(token, tenantId, userId);
    expect(listed.total).toBe(1);
    expect(listed.data).toEqual([res.body.data]);
  });

  it('creates with only the required fields: actionUrl and payload are null', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const res = await h.api('POST', NOTIFICATIONS, { token: admin, body: required(tenantId, userId) });
    expect(res.status, res.text).toBe(201);
    expect(Object.keys(res.body.data).sort()).toEqual(DATA_FIELDS);
    expect(res.body.data).toMatchObject({
      tenantId,
      userId,
      status: 'UNREAD',
      readAt: null,
      actionUrl: null,
      payload: null,
      message: 'Delegation ABC123 was issued to you. Click to review.',
    });
  });

  it('fills placeholders in the title too, from nested paths, and shows values literally', async () => {
    const tenantId = randomUUID();
    const res = await h.api('POST', NOTIFICATIONS, {
      token: admin,
      body: {
        ...required(tenantId, randomUUID()),
        templateKey: 'REPORT_READY',
        placeholders: { report: { name: '**Q3** <b>' }, user_email: 'a_b@example.com' },
      },
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body.data).toMatchObject({
      templateKey: 'REPORT_READY',
      category: 'Reports',
      isActionable: false,
      title: 'Report **Q3** <b> is ready',
      message: 'Prepared for a_b@example.com.',
    });
  });

  it('makes an unseen userId a recipient-only user of that tenant, and keeps it there', async () => {
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    const userId = randomUUID();
    const first = await h.api('POST', NOTIFICATIONS, { token: admin, body: required(tenantA, userId) });
    expect(first.status, first.text).toBe(201);

    const user = await h.server.ctx.store.db
      .selectFrom('users')
      .select(['kind', 'tenant_id', 'password_hash', 'email'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ kind: 'recipient', tenant_id: tenantA, password_hash: null, email: null });

    // A second notification reuses the same recipient.
    const second = await h.api('POST', NOTIFICATIONS, { token: admin, body: required(tenantA, userId) });
    expect(second.status, second.text).toBe(201);
    expect((await listFor(admin, tenantA, userId)).total).toBe(2);

    // That recipient belongs to tenant A; another tenant cannot address it.
    const other = await h.api('POST', NOTIFICATIONS, { token: admin, body: required(tenantB, userId) });
    expect(other.status, other.text).toBe(403);
    expectErrorEnvelope(other.body, 403);
    expect((await listFor(admin, tenantB, userId)).total).toBe(0);
  });

  it('creates one recipient when several notifications for a new user arrive at once', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const results = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.api('POST', NOTIFICATIONS, { token: admin, body: required(tenantId, userId) }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(8).fill(201));
    expect((await listFor(admin, tenantId, userId)).total).toBe(8);
    const users = await h.server.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .execute();
    expect(users).toHaveLength(1);

    // Racing tenants for one new id: whichever lands first owns it; the other is refused.
    const other = randomUUID();
    const racedId = randomUUID();
    const raced = await Promise.all(
      [tenantId, other, tenantId, other].map((t) =>
        h.api('POST', NOTIFICATIONS, { token: admin, body: required(t, racedId) }),
      ),
    );
    const owner = await h.server.ctx.store.db
      .selectFrom('users')
      .select('tenant_id')
      .where('id', '=', racedId)
      .executeTakeFirstOrThrow();
    const byTenant = (t: string) => raced.filter((_, i) => [tenantId, other, tenantId, other][i] === t);
    expect(byTenant(owner.tenant_id!).map((r) => r.status)).toEqual([201, 201]);
    expect(byTenant(owner.tenant_id === tenantId ? other : tenantId).map((r) => r.status)).toEqual([
      403, 403,
    ]);
  });

  it.each(['templateKey', 'userId', 'tenantId', 'entityType', 'entityId', 'placeholders'])(
    'refuses a request without %s: 400 naming it, nothing created',
    async (field) => {
      const tenantId = randomUUID();
      const userId = randomUUID();
      const body: Record<string, unknown> = required(tenantId, userId);
      delete body[field];
      const res = await h.api('POST', NOTIFICATIONS, { token: admin, body });
      expect(res.status, res.text).toBe(400);
      expectErrorEnvelope(res.body, 400);
      expect(res.body.errors).toEqual([{ field, detail: 'is required' }]);
      expect(res.body.message).toContain(field);
      expect((await listFor(admin, tenantId, userId)).total).toBe(0);
    },
  );

  it.each([
    ['userId', 'not-a-uuid'],
    ['tenantId', '1234'],
    ['userId', 'urn:uuid:550e8400-e29b-41d4-a716-446655440000'],
    ['tenantId', ''],
  ])('refuses a %s of %j that is not a uuid: 400 naming it', async (field, value) => {
    const body: Record<string, unknown> = required(randomUUID(), randomUUID());
    body[field] = value;
    const res = await h.api('POST', NOTIFICATIONS, { token: admin, body });
    expect(res.status, res.text).toBe(400);
    expectErrorEnvelope(res.body, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
    expect(res.body.errors[0].detail).toMatch(/uuid/);
  });

  it('treats an upper-case uuid as the same user and tenant, not a new one', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const token = await serviceToken(tenantId);
    const lower = await h.api('POST', NOTIFICATIONS, { token, body: required(tenantId, userId) });
    expect(lower.status, lower.text).toBe(201);
    const upper = await h.api('POST', NOTIFICATIONS, {
      token,
      body: required(tenantId.toUpperCase(), userId.toUpperCase()),
    });
    expect(upper.status, upper.text).toBe(201);
    expect(upper.body.data).toMatchObject({ tenantId, userId });
    const listed = await h.api(
      'GET',
      `${NOTIFICATIONS}?tenantId=${tenantId.toUpperCase()}&userId=${userId.toUpperCase()}`,
      { token },
    );
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.data.total).toBe(2);
    const users = await h.server.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('tenant_id', 'in', [tenantId, tenantId.toUpperCase()])
      .execute();
    expect(users).toEqual([{ id: userId }]);
  });

  it('refuses wrong types for the other fields, naming each', async () => {
    const res = await h.api('POST', NOTIFICATIONS, {
      token: admin,
      body: {
        ...required(randomUUID(), randomUUID()),
        entityType: '',
        placeholders: 'delegation_id=ABC',
        actionUrl: 'not a url',
        payload: ['x'],
      },
    });
    expect(res.status, res.text).toBe(400);
    expectErrorEnvelope(res.body, 400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
      ['actionUrl', 'entityType', 'payload', 'placeholders'].sort(),
    );
  });

  it('answers an unknown templateKey with 404 in the envelope, naming templateKey', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    for (const templateKey of ['NO_SUCH_TEMPLATE', templateId]) {
      const res = await h.api('POST', NOTIFICATIONS, {
        token: admin,
        body: { ...required(tenantId, userId), templateKey },
      });
      expect(res.status, `${templateKey}: ${res.text}`).toBe(404);
      expectErrorEnvelope(res.body, 404);
      expect(res.body.errors).toEqual([{ field: 'templateKey', detail: expect.any(String) }]);
      expect(res.body.message).toContain(templateKey);
    }
    expect((await listFor(admin, tenantId, userId)).total).toBe(0);
  });

  it('refuses a placeholder the template needs but the request lacks: 400 naming placeholders.<name>', async () => {
    const tenantId = randomUUID();
    const userId = randomUUID();
    const cases: Array<[Record<string, unknown>, string[]]> = [
      [{ user_email: 'x@example.com' }, ['placeholders.delegation_id']],
      [{ delegation_id: null }, ['placeholders.delegation_id']],
      [{}, ['placeholders.delegation_id']],
    ];
    for (const [placeholders, fields] of cases) {
      const res = await h.api('POST', NOTIFICATIONS, {
        token: admin,
        body: { ...required(tenantId, userId), placeholders },
      });
      expect(res.status, res.text).toBe(400);
      expectErrorEnvelope(res.body, 400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual(fields);
    }
    // Title and message placeholders are both checked, each named once.
    const both = await h.api('POST', NOTIFICATIONS, {
      token: admin,
      body: { ...required(tenantId, userId), templateKey: 'REPORT_READY', placeholders: {} },
    });
    expect(both.status, both.text).toBe(400);
    expect(both.body.errors.map((e: { field: string }) => e.field).sort()).toEqual([
      'placeholders.report.name',
      'placeholders.user_email',
    ]);
    expect((await listFor(admin, tenantId, userId)).total).toBe(0);
    // Nothing was created, not even the recipient.
    const user = await h.server.ctx.store.db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .executeTakeFirst();
    expect(user).toBeUndefined();
  });

  it('needs a token: 401 and 403 in the envelope', async () => {
    const body = required(randomUUID(), randomUUID());
    const none = await h.api('POST', NOTIFICATIONS, { body });
    expect(none.status).toBe(401);
    expectErrorEnvelope(none.body, 401);

    const readOnly = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'reader', scopes: ['notifications:read'] },
    });
    const denied = await h.api('POST', NOTIFICATIONS, { token: readOnly.body.token, body });
    expect(denied.status).toBe(403);
    expectErrorEnvelope(denied.body, 403);
    expect(denied.body.message).toContain('notifications:create');
  });

  it('refuses a tenant-bound token creating in another tenant with 403', async () => {
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    const userId = randomUUID();
    const tokenA = await serviceToken(tenantA);
    const res = await h.api('POST', NOTIFICATIONS, { token: tokenA, body: required(tenantB, userId) });
    expect(res.status, res.text).toBe(403);
    expectErrorEnvelope(res.body, 403);
    expect(res.body.message).toMatch(/tenant/i);
    expect((await listFor(admin, tenantB, userId)).total).toBe(0);
    // The same token in its own tenant works.
    const ok = await h.api('POST', NOTIFICATIONS, { token: tokenA, body: required(tenantA, userId) });
    expect(ok.status, ok.text).toBe(201);
  });

  it("does not let a member put notifications into another user's inbox", async () => {
    const mallory = await h.createUser('mallory');
    const victim = await h.createUser('victim');
    const tenantId = randomUUID();
    const res = await h.api('POST', NOTIFICATIONS, {
      token: mallory.token,
      body: { ...required(tenantId, victim.id), actionUrl: 'https://evil.example.com/login' },
    });
    expect(res.status, res.text).toBe(403);
    expectErrorEnvelope(res.body, 403);
    const inbox = await h.api('GET', '/api/v2/notifications/inbox', { token: victim.token });
    expect(inbox.body.notifications).toEqual([]);

    // Even with a token the member bound to that tenant.
    const bound = await h.api('POST', '/api/v1/access-tokens', {
      token: mallory.token,
      body: { name: 'bound', scopes: ['notifications:create'], tenantId },
    });
    expect(bound.status, bound.text).toBe(201);
    const viaToken = await h.api('POST', NOTIFICATIONS, {
      token: bound.body.token,
      body: required(tenantId, victim.id),
    });
    expect(viaToken.status, viaToken.text).toBe(403);

    // A member may notify themselves.
    const own = await h.api('POST', NOTIFICATIONS, {
      token: mallory.token,
      body: required(tenantId, mallory.id),
    });
    expect(own.status, own.text).toBe(201);
    expect(own.body.data.userId).toBe(mallory.id);
  });
});
