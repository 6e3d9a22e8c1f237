import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { checkHealth } from '../../services/health.service.ts';

/** The version the Zentik-style health answer names. */
const HERALD_VERSION = '0.1.0';

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
    // Zentik's clients (its app's server check) probe this and need a 200.
    app.get(
      '/api/v1/health',
      {
        config: { access: { public: true } },
        schema: {
          tags: ['System'],
          summary: 'Zentik-style health answer: ok when the store answers',
          response: {
            200: Type.Object({
              status: Type.Literal('ok'),
              timestamp: Type.String(),
              version: Type.String(),
            }),
          },
        },
      },
      async () => {
        await checkHealth(ctx);
        return {
          status: 'ok' as const,
          timestamp: new Date(ctx.clock.now()).toISOString(),
          version: HERALD_VERSION,
        };
      },
    );
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
