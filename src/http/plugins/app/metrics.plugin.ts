import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../context.ts';

/** The route label of requests no route matched (404s), so probes of random URLs add no series. */
const UNMATCHED_ROUTE = '(unmatched)';

/**
 * Times every request into `herald_http_request_duration_seconds`, labelled with the route's
 * pattern (`/api/v1/messages/:id`), never the raw URL: ids and query strings would make a new
 * series per request.
 */
export function installMetrics(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? UNMATCHED_ROUTE;
    ctx.metrics.observeHttpRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });
}
