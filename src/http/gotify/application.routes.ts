import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/errors.ts';
import {
  createGotifyApplication,
  deleteGotifyApplicationOf,
  listGotifyApplications,
  requireGotifyApplication,
  updateGotifyApplication,
} from '../../services/gotify-application.service.ts';
import { principalOf } from '../plugins/app/auth.plugin.ts';
import { ApplicationBody, Deleted, GotifyIdParams, gotifyErrors } from './gotify.schema.ts';

const TAGS = ['Gotify'];
const NO_IMAGES =
  'Herald does not store application images; set the bucket\'s "icon" URL through /api/v1/buckets instead.';

export function gotifyApplicationRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/application',
      {
        config: { gotify: { scope: 'buckets:read' } },
        schema: {
          tags: TAGS,
          summary: 'Applications of the buckets you belong to (tokens are never shown again)',
          response: { 200: Type.Array(Type.Ref('GotifyApplication')), ...gotifyErrors(401, 403) },
        },
      },
      async (request) => listGotifyApplications(ctx, principalOf(request)),
    );

    app.post(
      '/application',
      {
        config: { gotify: { scope: 'buckets:write' } },
        schema: {
          tags: TAGS,
          summary:
            'Create an application: a bucket (or your existing bucket of that name) and its send token',
          body: ApplicationBody,
          response: { 200: Type.Ref('GotifyApplication'), ...gotifyErrors(400, 401, 403, 409) },
        },
      },
      async (request) => createGotifyApplication(ctx, principalOf(request), request.body),
    );

    app.put(
      '/application/:id',
      {
        config: { gotify: { scope: 'buckets:write' } },
        schema: {
          tags: TAGS,
          summary: 'Rename an application (its bucket), set its description and default priority',
          params: GotifyIdParams,
          body: ApplicationBody,
          response: { 200: Type.Ref('GotifyApplication'), ...gotifyErrors(400, 401, 403, 404, 409) },
        },
      },
      async (request) => updateGotifyApplication(ctx, principalOf(request), request.params.id, request.body),
    );

    app.delete(
      '/application/:id',
      {
        config: { gotify: { scope: 'buckets:write' } },
        schema: {
          tags: TAGS,
          summary: 'Delete an application: its token, and its bucket when it was made for it',
          params: GotifyIdParams,
          response: { 200: Deleted, ...gotifyErrors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deleteGotifyApplicationOf(ctx, principalOf(request), request.params.id);
        return reply.code(200).send(null);
      },
    );

    for (const method of ['POST', 'DELETE'] as const) {
      app.route({
        method,
        url: '/application/:id/image',
        config: { gotify: { scope: 'buckets:write' } },
        schema: {
          tags: TAGS,
          summary: 'Not supported: Herald keeps no application images (501)',
          params: GotifyIdParams,
          response: gotifyErrors(401, 403, 404, 501),
        },
        handler: async (request) => {
          await requireGotifyApplication(ctx, principalOf(request), request.params.id);
          throw new AppError('notImplemented', NO_IMAGES);
        },
      });
    }
  };
}
