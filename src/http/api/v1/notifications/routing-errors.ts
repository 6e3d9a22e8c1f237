import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { toErrorBody } from '../../../plugins/app/error-handler.plugin.ts';
import { ErrorBody } from '../../../schemas/common.schema.ts';

/**
 * Errors of the routing family: the shared error body plus `error`, one sentence a settings
 * page can show as it is (Gatwy's pages show `error` and nothing else). It is the message,
 * with the detail or the invalid fields when the message alone does not say them.
 */
export const RoutingErrorBody = Type.Object(
  {
    ...ErrorBody.properties,
    error: Type.String({ description: 'The whole problem in one line, for a page to show as it is' }),
  },
  { description: 'The shared error body, plus `error` for pages that show one line' },
);

export const routingErrorResponses = (...codes: number[]): Record<number, unknown> =>
  Object.fromEntries(codes.map((c) => [c, RoutingErrorBody]));

export function errorLine(body: { message: string; detail: string }): string {
  if (!body.detail || body.message.includes(body.detail)) return body.message;
  return `${body.message} (${body.detail})`;
}

export function installRoutingErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply) => {
    const { status, body, headers } = toErrorBody(err, request);
    void reply
      .code(status)
      .headers(headers)
      .send({ ...body, error: errorLine(body) });
  });
}
