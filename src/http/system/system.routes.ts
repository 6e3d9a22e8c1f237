import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { checkHealth } from '../../services/health.service.ts';

export function systemRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/healthz',
      {
        schema: {
          tags: ['System'],
          summary: 'Ready when the store is migrated and reachable',
          response: { 200: Type.Object({ status: Type.Literal('ok'), store: Type.String() }) },
        },
      },
      async () => checkHealth(ctx),
    );
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
