import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { AppError } from '../../domain/errors.ts';

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
      async () => {
        try {
          await sql`select 1`.execute(ctx.store.db);
        } catch {
          throw new AppError('unavailable', 'The store is not reachable.');
        }
        return { status: 'ok' as const, store: ctx.store.kind };
      },
    );
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  };
}
