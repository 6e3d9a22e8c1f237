import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

describe.each(STORES)('users and roles on %s', (store) => {
  let h: TestHerald;
  beforeAll(async () => {
    h = await startHerald(store);
  });
  afterAll(() => h?.close());

  it('has the built-in admin and member roles, with settings.notifications among the permissions', async () => {
    const admin = await h.adminToken();
    const res = await h.api('GET', '/api/v1/roles', { token: admin });
    expect(res.status).toBe(200);
    const names = res.body.roles.map((r: { name: string }) => r.name);
    expect(names).toEqual(expect.arrayContaining(['admin', 'member']));
    const created = await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: 'operators', permissions: ['settings.notifications'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      name: 'operators',
      permissions: ['settings.notifications'],
      builtin: false,
    });
    const bad = await h.api('POST', '/api/v1/roles', {
      token: admin,
      body: { name: 'x', permissions: ['fly'] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.validations[0].field).toBe('permissions[0]');
    expect((await h.api('DELETE', `/api/v1/roles/admin`, { token: admin })).status).toBe(403);
  });

  it('lets an admin create, list, get, update, set the password of and delete a user', async () => {
    const admin = await h.adminToken();
    const created = await h.api('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'Carol@Example.com', username: 'carol', password: 'carol-password', roles: ['member'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ email: 'carol@example.com', username: 'carol', roles: ['member'] });
    expect(created.text).not.toMatch(/argon|hash/i);
    const id = created.body.id;

    const dup = await h.api('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'carol@example.com', password: 'another-pass' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.validations[0].field).toBe('email');

    const list = await h.api('GET', '/api/v1/users?limit=100', { token: admin });
    expect(list.body.users.map((u: { id: string }) => u.id)).toContain(id);

    const updated = await h.api('PATCH', `/api/v1/users/${id}`, {
      token: admin,
      body: { displayName: 'Carol C', roles: ['member', 'admin'] },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.roles.sort()).toEqual(['admin', 'member']);
    expect((await h.api('GET', `/api/v1/users/${id}`, { token: admin })).body.displayName).toBe('Carol C');

    expect(
      (await h.api('PUT', `/api/v1/users/${id}/password`, { token: admin, body: { password: 'short' } }))
        .status,
    ).toBe(400);
    expect(
      (
        await h.api('PUT', `/api/v1/users/${id}/password`, {
          token: admin,
          body: { password: 'carol-new-pass' },
        })
      ).status,
    ).toBe(204);
    expect(await h.login('carol', 'carol-new-pass')).toMatch(/^ey/);

    expect((await h.api('DELETE', `/api/v1/users/${id}`, { token: admin })).status).toBe(204);
    expect((await h.api('GET', `/api/v1/users/${id}`, { token: admin })).status).toBe(404);
  });

  it('refuses a member on admin routes with 403', async () => {
    const dave = await h.createUser('dave');
    expect((await h.api('GET', '/api/v1/users', { token: dave.token })).status).toBe(403);
    expect(
      (await h.api('POST', '/api/v1/users', { token: dave.token, body: { email: 'x@example.com' } })).status,
    ).toBe(403);
    expect((await h.api('GET', '/api/v1/roles', { token: dave.token })).status).toBe(403);
    expect((await h.api('GET', '/api/v1/auth/me', { token: dave.token })).status).toBe(200);
  });

  it('names each invalid field when creating a user', async () => {
    const admin = await h.adminToken();
    const res = await h.api('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'not-an-email', password: 'short', roles: 'admin' },
    });
    expect(res.status).toBe(400);
    expect(res.body.validations.map((v: { field: string }) => v.field).sort()).toEqual([
      'email',
      'password',
      'roles',
    ]);
    const unknownRole = await h.api('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'ok@example.com', password: 'long-enough', roles: ['wizard'] },
    });
    expect(unknownRole.status).toBe(400);
    expect(unknownRole.body.validations[0].field).toBe('roles');
  });
});
