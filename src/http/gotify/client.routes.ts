import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import {
  createGotifyClient,
  deleteGotifyClientOf,
  listGotifyClientsOf,
  renameGotifyClientOf,
} from '../../services/gotify-client.service.ts';
import { principalOf } from '../plugins/app/auth.plugin.ts';
import { ClientBody, Deleted, GotifyIdParams, gotifyErrors } from './gotify.schema.ts';

const TAGS = ['Gotify'];

export function gotifyClientRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/client',
      {
        config: { gotify: { scope: 'account' } },
        schema: {
          tags: TAGS,
          summary: 'Your clients (tokens are never shown again)',
          response: { 200: Type.Array(Type.Ref('GotifyClient')), ...gotifyErrors(401, 403) },
        },
      },
      async (request) => listGotifyClientsOf(ctx, principalOf(request)),
    );

    app.post(
      '/client',
      {
        config: { gotify: { scope: 'account' } },
        schema: {
          tags: TAGS,
          summary: 'Create a client (a read token for a device)',
          body: ClientBody,
          response: { 200: Type.Ref('GotifyClient'), ...gotifyErrors(400, 401, 403) },
        },
      },
      async (request) => createGotifyClient(ctx, principalOf(request), request.body.name),
    );

    app.put(
      '/client/:id',
      {
        config: { gotify: { scope: 'account' } },
        schema: {
          tags: TAGS,
          summary: 'Rename a client',
          params: GotifyIdParams,
          body: ClientBody,
          response: { 200: Type.Ref('GotifyClient'), ...gotifyErrors(400, 401, 403, 404) },
        },
      },
      async (request) =>
        renameGotifyClientOf(ctx, principalOf(request), request.params.id, request.body.name),
    );

    app.delete(
      '/client/:id',
      {
        config: { gotify: { scope: 'account' } },
        schema: {
          tags: TAGS,
          summary: 'Delete a client: its token stops working',
          params: GotifyIdParams,
          response: { 200: Deleted, ...gotifyErrors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deleteGotifyClientOf(ctx, principalOf(request), request.params.id);
        return reply.code(200).send(null);
      },
    );
  };
}
