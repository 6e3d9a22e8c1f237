import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { gotifyCurrentUser } from '../../services/gotify-user.service.ts';
import { checkHealth } from '../../services/health.service.ts';
import { principalOf } from '../plugins/app/auth.plugin.ts';
import { gotifyErrors } from './gotify.schema.ts';

/**
 * The Gotify release whose API this edge follows; clients that compare versions see a Gotify
 * they know. `commit` says `herald` so a person can tell; `buildDate` is when this process started.
 */
export const GOTIFY_API_VERSION = '2.9.1';

const TAGS = ['Gotify'];
const Health = Type.Object({ health: Type.String(), database: Type.String() });

export function gotifyInfoRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  const startedAt = new Date(ctx.clock.now()).toISOString();
  return async (app) => {
    app.get(
      '/version',
      {
        config: { gotify: { public: true } },
        schema: {
          tags: TAGS,
          summary: 'Version information (the Gotify API version Herald speaks)',
          response: {
            200: Type.Object({ version: Type.String(), commit: Type.String(), buildDate: Type.String() }),
          },
        },
      },
      async () => ({ version: GOTIFY_API_VERSION, commit: 'herald', buildDate: startedAt }),
    );

    app.get(
      '/gotifyinfo',
      {
        config: { gotify: { public: true } },
        schema: {
          tags: TAGS,
          summary: 'Gotify server information',
          response: {
            200: Type.Object({ version: Type.String(), oidc: Type.Boolean(), register: Type.Boolean() }),
          },
        },
      },
      async () => ({ version: GOTIFY_API_VERSION, oidc: false, register: false }),
    );

    app.get(
      '/health',
      {
        config: { gotify: { public: true } },
        schema: {
          tags: TAGS,
          summary: 'Health in Gotify words (green, or 500 with the database red)',
          response: { 200: Health, 500: Health },
        },
      },
      async (_request, reply) => {
        try {
          await checkHealth(ctx);
          return { health: 'green', database: 'green' };
        } catch {
          return reply.code(500).send({ health: 'orange', database: 'red' });
        }
      },
    );

    app.get(
      '/current/user',
      {
        config: { gotify: { scope: 'account' } },
        schema: {
          tags: TAGS,
          summary: 'The calling user',
          response: {
            200: Type.Object({
              id: Type.Integer(),
              name: Type.String(),
              admin: Type.Boolean(),
              createdAt: Type.String({ format: 'date-time' }),
              clientId: Type.Optional(Type.Integer()),
            }),
            ...gotifyErrors(401, 403),
          },
        },
      },
      async (request) => gotifyCurrentUser(ctx, principalOf(request)),
    );
  };
}
