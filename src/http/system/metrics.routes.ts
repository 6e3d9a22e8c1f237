import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';

/**
 * `GET /metrics` for Prometheus. Public, like most exporters: it shows only counts and
 * timings, never content, addresses or ids. Operators who want it private restrict the path at
 * their reverse proxy (see docs/delivery.md).
 */
export function metricsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/metrics',
      {
        schema: {
          tags: ['System'],
          summary: 'Delivery, HTTP and process metrics in the Prometheus text format',
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) => {
        const text = await ctx.metrics.render();
        return reply.type(ctx.metrics.contentType).send(text);
      },
    );
  };
}
