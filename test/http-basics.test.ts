import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STORES, startHerald, type TestHerald } from './support/herald.ts';

describe.each(STORES)('HTTP basics on %s', (store) => {
  let h: TestHerald;
  beforeAll(async () => {
    h = await startHerald(store);
  });
  afterAll(() => h?.close());

  it('answers /healthz when ready', async () => {
    const res = await h.api('GET', '/healthz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', store });
  });

  it('answers unknown routes with a JSON 404 in the error shape', async () => {
    const res = await h.api('GET', '/api/v1/nothing-here');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.body).toEqual({
      message: 'Not found.',
      detail: expect.stringContaining('/api/v1/nothing-here'),
      validations: [],
      code: 40402,
    });
  });

  it('answers malformed JSON with a 400 in the error shape', async () => {
    const res = await h.api('POST', '/api/v1/auth/login', {
      raw: '{"email": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ message: expect.any(String), validations: [] });
  });

  it('publishes an OpenAPI 3 document built from the route schemas and a browsable reference', async () => {
    const doc = await h.api('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.body.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/access-tokens', '/api/v1/users']),
    );
    expect(doc.body.paths['/api/v1/auth/login'].post.requestBody).toBeDefined();
    const page = await fetch(`${h.url}/scalar/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('openapi.json');
  });

  // Last: it breaks the store under this server.
  it('answers an internal failure with an opaque 500 that leaks nothing', async () => {
    const admin = await h.adminToken();
    // Break the store under the server: the query fails inside the handler.
    // (Magic codes reference the members table; PostgreSQL drops that reference with it.)
    await sql
      .raw(`drop table bucket_members${store === 'postgres' ? ' cascade' : ''}`)
      .execute(h.server.ctx.store.db);
    const res = await h.api('GET', '/api/v1/buckets', { token: admin });
    expect(res.status).toBe(500);
    expect(res.body).toEqual({
      message: 'An internal error occurred.',
      detail: '',
      validations: [],
      code: 50001,
    });
    expect(res.text).not.toMatch(/bucket_members|sqlite|postgres|stack|at /i);
  });
});
