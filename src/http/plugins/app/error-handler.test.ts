import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERRORS, notFound } from '../../../domain/errors.ts';
import { ERROR_CODE_HEADER, frameworkErrors, installErrorHandling } from './error-handler.plugin.ts';
import { validatorCompiler } from './validation.plugin.ts';

// Every way a request can fail maps to a catalogue entry: its status, its message, its code in the
// header, and the one body shape.

describe('error handling', () => {
  let app: FastifyInstance;

  beforeAll(async () => {
    app = Fastify({ logger: false, bodyLimit: 64, frameworkErrors });
    app.setValidatorCompiler(validatorCompiler);
    installErrorHandling(app);
    app.post(
      '/things',
      {
        schema: {
          body: {
            type: 'object',
            required: ['name'],
            properties: { name: { type: 'string' } },
            additionalProperties: false,
          },
        },
      },
      async () => ({ ok: true }),
    );
    app.get('/things/:id', async (request) => {
      throw notFound(`Thing ${(request.params as { id: string }).id}`);
    });
    app.get('/boom', async () => {
      throw new Error('secret table name');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  const json = { 'content-type': 'application/json' };

  it.each([
    ['schema validation', 'POST', '/things', json, '{"other":1}', ERRORS.validation],
    ['broken JSON', 'POST', '/things', json, '{"name": ', ERRORS.invalidJson],
    ['an empty JSON body', 'POST', '/things', json, '', ERRORS.invalidJson],
    [
      'an unknown content type',
      'POST',
      '/things',
      { 'content-type': 'text/x-nope' },
      'x',
      ERRORS.unsupportedMediaType,
    ],
    [
      'a body over the limit',
      'POST',
      '/things',
      json,
      JSON.stringify({ name: 'x'.repeat(100) }),
      ERRORS.bodyTooLarge,
    ],
    ['a missing resource', 'GET', '/things/t_1', {}, undefined, ERRORS.notFound],
    ['an unknown route', 'GET', '/nowhere?x=1', {}, undefined, ERRORS.routeNotFound],
    ['a bad escape in the path', 'GET', '/things/%E0%A4%A', {}, undefined, ERRORS.badUrl],
    ['an unexpected failure', 'GET', '/boom', {}, undefined, ERRORS.internal],
  ])('maps %s to its entry', async (_what, method, url, headers, payload, entry) => {
    const res = await app.inject({ method: method as 'GET', url, headers, payload });
    expect(res.statusCode).toBe(entry.status);
    expect(res.headers[ERROR_CODE_HEADER]).toBe(String(entry.code));
    const body = res.json();
    expect(Object.keys(body).sort()).toEqual(['code', 'detail', 'message', 'validations']);
    expect(body.code).toBe(entry.code);
    expect(body.message).toBe(entry.message);
  });

  it('names the field a schema refused and the thing that was missing', async () => {
    const invalid = await app.inject({
      method: 'POST',
      url: '/things',
      headers: json,
      payload: '{"other":1}',
    });
    expect(invalid.json().validations).toEqual([
      { field: 'name', detail: 'is required' },
      { field: 'other', detail: 'is not a known field' },
    ]);
    expect((await app.inject({ url: '/things/t_1' })).json().detail).toBe('Thing t_1 was not found.');
    expect((await app.inject({ url: '/nowhere?x=1' })).json().detail).toBe(
      'No route for GET /nowhere; the routes are listed at /openapi.json.',
    );
  });

  it('says nothing about an unexpected failure', async () => {
    const res = await app.inject({ url: '/boom' });
    expect(res.json()).toEqual({
      message: ERRORS.internal.message,
      detail: '',
      validations: [],
      code: ERRORS.internal.code,
    });
    expect(res.body).not.toContain('secret');
  });
});
