import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

/** Limits that must hold across families: restricted tokens, admin-only changes, hostile input. */
describe.each(STORES)('access boundaries on %s', (store) => {
  let h: TestHerald;
  let admin: string;
  let alice: { id: string; token: string };
  let bucketA: string;
  let bucketB: string;
  let restricted: string;

  beforeAll(async () => {
    h = await startHerald(store);
    admin = await h.adminToken();
    alice = await h.createUser('alice');
    bucketA = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'A' } })).body.id;
    bucketB = (await h.api('POST', '/api/v1/buckets', { token: alice.token, body: { name: 'B' } })).body.id;
    const tok = await h.api('POST', '/api/v1/access-tokens', {
      token: alice.token,
      body: { name: 'onlyA', scopes: ['*'], bucketIds: [bucketA] },
    });
    expect(tok.status).toBe(201);
    restricted = tok.body.token;
  });
  afterAll(() => h?.close());

  it('a token cannot mint another token, so it cannot shed its limits', async () => {
    const res = await h.api('POST', '/api/v1/access-tokens', {
      token: restricted,
      body: { name: 'escape', scopes: ['messages:create'] },
    });
    expect(res.status).toBe(403);
  });

  it('a bucket-restricted token cannot read, change or delete other buckets or their messages', async () => {
    const msg = await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      body: { title: 'in B', bucketId: bucketB, deliveryType: 'NORMAL' },
    });
    const attempts: Array<[string, string, unknown?]> = [
      ['GET', `/api/v1/buckets/${bucketB}/members`],
      ['POST', `/api/v1/buckets/${bucketB}/members`, { userId: 'admin', permission: 'admin' }],
      ['PATCH', `/api/v1/buckets/${bucketB}`, { name: 'taken' }],
      ['DELETE', `/api/v1/messages/${msg.body.id}`],
      ['DELETE', `/api/v1/buckets/${bucketB}`],
    ];
    for (const [method, path, body] of attempts) {
      expect((await h.api(method, path, { token: restricted, body })).status, `${method} ${path}`).toBe(403);
    }
    expect((await h.api('GET', `/api/v1/buckets/${bucketB}`, { token: alice.token })).body.name).toBe('B');
    expect((await h.api('GET', `/api/v1/buckets/${bucketA}/members`, { token: restricted })).status).toBe(
      200,
    );
  });

  it('users.manage lets a helpdesk read accounts but not grant roles or take over admins', async () => {
    await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: 'helpdesk', permissions: ['users.manage'] },
    });
    const carol = await h.createUser('carol', { roles: ['member', 'helpdesk'] });
    expect((await h.api('GET', '/api/v1/users', { token: carol.token })).status).toBe(200);
    expect(
      (await h.api('PATCH', `/api/v1/users/${carol.id}`, { token: carol.token, body: { roles: ['admin'] } }))
        .status,
    ).toBe(403);
    expect(
      (
        await h.api('POST', '/api/v1/roles', {
          token: carol.token,
          body: { name: 'x', permissions: ['admin'] },
        })
      ).status,
    ).toBe(403);
    const me = await h.api('GET', '/api/v1/auth/me', { token: admin });
    expect(
      (
        await h.api('PUT', `/api/v1/users/${me.body.id}/password`, {
          token: carol.token,
          body: { password: 'hijacked-1' },
        })
      ).status,
    ).toBe(403);
  });

  it('refuses NUL characters with a 400 naming the field, in JSON, query and multipart input', async () => {
    const login = await h.api('POST', '/api/v1/auth/login', { body: { email: 'nul\u0000', password: 'x' } });
    expect(login.status).toBe(400);
    expect(login.body.validations[0].field).toBe('email');
    const msg = await h.api('POST', '/api/v1/messages', {
      token: alice.token,
      body: { title: 'a\u0000b', bucketId: bucketA, deliveryType: 'NORMAL' },
    });
    expect(msg.status).toBe(400);
    expect(msg.body.validations[0].field).toBe('title');
    expect(
      (await h.api('GET', '/api/v2/notifications/inbox?targets=a%00b', { token: alice.token })).status,
    ).toBe(400);
    const form = new FormData();
    form.set('title', 'x\u0000y');
    form.set('bucketId', bucketA);
    form.set('deliveryType', 'NORMAL');
    const mp = await fetch(`${h.url}/api/v1/messages/with-attachment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: form,
    });
    expect(mp.status).toBe(400);
  });

  it('answers malformed multipart and absurd page numbers with 400', async () => {
    const bad = await fetch(`${h.url}/api/v1/messages/with-attachment`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}`, 'content-type': 'multipart/form-data; boundary=zz' },
      body: 'xx',
    });
    expect(bad.status).toBe(400);
    const tenant = '7d4f2a3e-1111-4c2b-9a55-0c1d2e3f4a5b';
    const page = await h.api('GET', `/notification/v1/notifications?tenantId=${tenant}&page=1e308`, {
      token: admin,
    });
    expect(page.status).toBe(400);
    expect(
      (await h.api('GET', '/api/v1/notifications/log?page=99999999999999999', { token: admin })).status,
    ).toBe(400);
  });

  it("records events posted under Herald's own names as the application's, never as Herald's", async () => {
    for (const name of ['auth.login_failed', 'delivery.failed', 'settings.updated']) {
      const res = await h.api('POST', '/api/v1/events', {
        token: alice.token,
        body: { name, source: 'herald' },
      });
      expect(res.status).toBe(202);
      const row = await h.server.ctx.store.db
        .selectFrom('events')
        .select(['name', 'source'])
        .where('id', '=', res.body.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name, source: 'app' });
    }
  });

  it('a tenant notification the recipient turned off leaves nothing behind', async () => {
    await h.api('POST', '/api/v1/templates', {
      token: admin,
      body: {
        templateKey: 'OPT_IN',
        name: 'Opt in',
        titleTemplate: 'T',
        messageTemplate: 'M',
        enabledByDefault: false,
      },
    });
    const count = async () =>
      Number(
        (
          await h.server.ctx.store.db
            .selectFrom('messages')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    const res = await h.api('POST', '/notification/v1/notifications', {
      token: admin,
      body: {
        templateKey: 'OPT_IN',
        userId: '0b8f1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d',
        tenantId: '7d4f2a3e-1111-4c2b-9a55-0c1d2e3f4a5b',
        entityType: 'x',
        entityId: 'y',
        placeholders: {},
      },
    });
    expect(res.status).toBe(403);
    expect(await count()).toBe(before);
  });
});
