import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { manualClock } from '../src/domain/clock.ts';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

describe.each(STORES)('access tokens on %s', (store) => {
  let h: TestHerald;
  const clock = manualClock(Date.parse('2026-01-01T00:00:00Z'));
  beforeAll(async () => {
    h = await startHerald(store, { clock });
  });
  afterAll(() => h?.close());

  it('creates a zat_ token shown once, lists it without the secret, and stores only a hash', async () => {
    const admin = await h.adminToken();
    const created = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'CI Pipeline', scopes: ['messages:create'] },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      id: expect.any(String),
      token: expect.stringMatching(/^zat_/),
      scopes: ['messages:create'],
    });
    expect(Date.parse(created.body.createdAt)).not.toBeNaN();

    const list = await h.api('GET', '/api/v1/access-tokens', { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.map((t: { id: string }) => t.id)).toContain(created.body.id);
    expect(list.text).not.toContain(created.body.token);
    expect(list.text).not.toContain('token_hash');

    const row = await h.server.ctx.store.db
      .selectFrom('access_tokens')
      .selectAll()
      .where('id', '=', created.body.id)
      .executeTakeFirstOrThrow();
    expect(row.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(row)).not.toContain(created.body.token);
  });

  it('accepts a zat_ token wherever a JWT works, within its scopes, and records last use in a batch', async () => {
    const admin = await h.adminToken();
    const full = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'all', scopes: ['account'] },
    });
    const other = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'other', scopes: ['account'] },
    });
    const unused = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'unused', scopes: ['account'] },
    });
    const me = await h.api('GET', '/api/v1/auth/me', { token: full.body.token });
    expect(me.status).toBe(200);
    expect(me.body.email).toBe('admin@example.com');
    const firstUse = clock.now();
    clock.advance(1000);
    expect((await h.api('GET', '/api/v1/auth/me', { token: other.body.token })).status).toBe(200);
    // Both uses are written by one flush, each with its own time; the unused token stays unused.
    await h.server.ctx.tokenUsage.flush();
    const list = await h.api('GET', '/api/v1/access-tokens', { token: admin });
    const listed = (id: string) => list.body.find((t: { id: string }) => t.id === id);
    expect(listed(full.body.id).lastUsedAt).toBe(new Date(firstUse).toISOString());
    expect(listed(other.body.id).lastUsedAt).toBe(new Date(clock.now()).toISOString());
    expect(listed(unused.body.id).lastUsedAt).toBeNull();
  });

  it('denies a route outside the token scopes with 403', async () => {
    const admin = await h.adminToken();
    const narrow = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'narrow', scopes: ['messages:create'] },
    });
    const res = await h.api('GET', '/api/v1/auth/me', { token: narrow.body.token });
    expect(res.status).toBe(403);
    expect(res.body.detail).toContain('account');
    expect((await h.api('GET', '/api/v1/users', { token: narrow.body.token })).status).toBe(403);
  });

  it('revokes a token: it then gets 401', async () => {
    const admin = await h.adminToken();
    const t = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'temp', scopes: ['account'] },
    });
    expect((await h.api('GET', '/api/v1/auth/me', { token: t.body.token })).status).toBe(200);
    expect((await h.api('DELETE', `/api/v1/access-tokens/${t.body.id}`, { token: admin })).status).toBe(204);
    expect((await h.api('GET', '/api/v1/auth/me', { token: t.body.token })).status).toBe(401);
    expect((await h.api('DELETE', `/api/v1/access-tokens/${t.body.id}`, { token: admin })).status).toBe(404);
  });

  it('an expired token gets 401', async () => {
    const admin = await h.adminToken();
    const expiresAt = new Date(clock.now() + 60_000).toISOString();
    const t = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'short', scopes: ['account'], expiresAt },
    });
    expect(t.status).toBe(201);
    expect((await h.api('GET', '/api/v1/auth/me', { token: t.body.token })).status).toBe(200);
    clock.advance(61_000);
    expect((await h.api('GET', '/api/v1/auth/me', { token: t.body.token })).status).toBe(401);
  });

  it("cannot revoke another user's token", async () => {
    const admin = await h.adminToken();
    const t = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'mine', scopes: ['account'] },
    });
    const eve = await h.createUser('eve');
    expect((await h.api('DELETE', `/api/v1/access-tokens/${t.body.id}`, { token: eve.token })).status).toBe(
      404,
    );
    expect((await h.api('GET', '/api/v1/auth/me', { token: t.body.token })).status).toBe(200);
  });

  it('validates scopes, names and expiry, naming each field', async () => {
    const admin = await h.adminToken();
    const res = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'x', scopes: ['messages:create', 'bogus'], expiresAt: '2000-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(400);
    expect(res.body.validations.map((v: { field: string }) => v.field).sort()).toEqual([
      'expiresAt',
      'scopes[1]',
    ]);
    const missing = await h.api('POST', '/api/v1/access-tokens', { token: admin, body: {} });
    expect(missing.status).toBe(400);
    // Scopes may be left out: as in Zentik, no scopes is the owner's full access.
    expect(missing.body.validations.map((v: { field: string }) => v.field).sort()).toEqual(['name']);
    const list = await h.api('GET', '/api/v1/access-tokens', { token: admin });
    expect(list.body.some((t: { name: string }) => t.name === 'x')).toBe(false);
  });

  it('a token cannot mint a token with more scopes than it has', async () => {
    const admin = await h.adminToken();
    const t = await h.api('POST', '/api/v1/access-tokens', {
      token: admin,
      body: { name: 'acct', scopes: ['account'] },
    });
    const res = await h.api('POST', '/api/v1/access-tokens', {
      token: t.body.token,
      body: { name: 'escalate', scopes: ['admin'] },
    });
    expect(res.status).toBe(403);
  });
});
