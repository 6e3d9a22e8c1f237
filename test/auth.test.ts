import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listEventsByName } from '../src/store/event.repository.ts';
import { ADMIN, STORES, startHerald, type TestHerald } from './support/herald.ts';

describe.each(STORES)('auth on %s', (store) => {
  let h: TestHerald;
  beforeAll(async () => {
    h = await startHerald(store, {
      env: { HERALD_LOGIN_MAX_ATTEMPTS: '3', HERALD_LOGIN_LOCK_MINUTES: '15' },
    });
  });
  afterAll(() => h?.close());

  it('logs in with email or username and never returns a hash', async () => {
    for (const email of [ADMIN.email, ADMIN.username]) {
      const res = await h.api('POST', '/api/v1/auth/login', { body: { email, password: ADMIN.password } });
      expect(res.status).toBe(200);
      expect(res.body.accessToken).toMatch(/^ey/);
      expect(res.body.refreshToken).toMatch(/^hrt_/);
      expect(res.body.user).toEqual({ id: expect.any(String), email: ADMIN.email, username: 'admin' });
      expect(res.text).not.toMatch(/argon2/);
    }
    const byUsername = await h.api('POST', '/api/v1/auth/login', {
      body: { username: 'admin', password: ADMIN.password },
    });
    expect(byUsername.status).toBe(200);
  });

  it('refuses a wrong password and an unknown account alike, recording auth.login_failed', async () => {
    const wrong = await h.api('POST', '/api/v1/auth/login', {
      body: { email: 'nobody@example.com', password: 'whatever-1' },
      headers: { 'user-agent': 'probe/1.0' },
    });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({
      message: expect.any(String),
      detail: expect.any(String),
      validations: [],
    });
    const events = await listEventsByName(h.server.ctx.store.db, 'auth.login_failed');
    const fields = JSON.parse(events[0].fields);
    expect(fields).toMatchObject({
      email: 'nobody@example.com',
      ipAddress: '127.0.0.1',
      userAgent: 'probe/1.0',
    });
  });

  it('names each invalid field with a 400 and changes nothing', async () => {
    const res = await h.api('POST', '/api/v1/auth/login', { body: { email: 5 } });
    expect(res.status).toBe(400);
    const fields = res.body.validations.map((v: { field: string }) => v.field).sort();
    expect(fields).toEqual(['email', 'password']);
  });

  it('locks the account after repeated failures, even for the right password, then records the lock', async () => {
    const bob = await h.createUser('bob');
    for (let i = 0; i < 2; i++) {
      const r = await h.api('POST', '/api/v1/auth/login', {
        body: { email: bob.email, password: 'wrong-password' },
      });
      expect(r.status).toBe(401);
    }
    const third = await h.api('POST', '/api/v1/auth/login', {
      body: { email: bob.email, password: 'wrong-password' },
    });
    expect(third.status).toBe(423);
    expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
    const right = await h.api('POST', '/api/v1/auth/login', {
      body: { email: bob.email, password: 'bob-password-1' },
    });
    expect(right.status).toBe(423);
    const locked = await listEventsByName(h.server.ctx.store.db, 'auth.account_locked');
    expect(JSON.parse(locked[0].fields)).toMatchObject({ userId: bob.id, email: bob.email });
    // An admin unlocks by setting a password.
    const admin = await h.adminToken();
    expect(
      (
        await h.api('PUT', `/api/v1/users/${bob.id}/password`, {
          token: admin,
          body: { password: 'new-password-2' },
        })
      ).status,
    ).toBe(204);
    const after = await h.api('POST', '/api/v1/auth/login', {
      body: { email: bob.email, password: 'new-password-2' },
    });
    expect(after.status).toBe(200);
  });

  it('rotates refresh tokens and revokes the session when a spent one is replayed', async () => {
    const first = (
      await h.api('POST', '/api/v1/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } })
    ).body;
    const second = await h.api('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await h.api('GET', '/api/v1/auth/me', { token: second.body.accessToken })).status).toBe(200);

    const replay = await h.api('POST', '/api/v1/auth/refresh', {
      body: { refreshToken: first.refreshToken },
    });
    expect(replay.status).toBe(401);
    // The whole session is gone: the newer refresh token and its access token stop working.
    expect(
      (await h.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: second.body.refreshToken } }))
        .status,
    ).toBe(401);
    expect((await h.api('GET', '/api/v1/auth/me', { token: second.body.accessToken })).status).toBe(401);
  });

  it('answers me with the caller, and logout ends the session', async () => {
    const pair = (
      await h.api('POST', '/api/v1/auth/login', { body: { email: ADMIN.email, password: ADMIN.password } })
    ).body;
    const me = await h.api('GET', '/api/v1/auth/me', { token: pair.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email: ADMIN.email, username: 'admin', roles: ['admin'] });
    expect(me.body).not.toHaveProperty('passwordHash');
    expect(me.text).not.toMatch(/password/i);
    expect((await h.api('POST', '/api/v1/auth/logout', { token: pair.accessToken })).status).toBe(204);
    expect((await h.api('GET', '/api/v1/auth/me', { token: pair.accessToken })).status).toBe(401);
    expect(
      (await h.api('POST', '/api/v1/auth/refresh', { body: { refreshToken: pair.refreshToken } })).status,
    ).toBe(401);
  });

  it('rejects missing and garbage credentials with 401', async () => {
    expect((await h.api('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await h.api('GET', '/api/v1/auth/me', { token: 'not-a-jwt' })).status).toBe(401);
    expect((await h.api('GET', '/api/v1/auth/me', { token: 'zat_forged' })).status).toBe(401);
  });
});
