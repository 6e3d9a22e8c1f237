import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { recordEvent } from '../../../../ingest/event-input.ts';
import { errorResponses } from '../../../schemas/common.schema.ts';

/** Event intake for the rules engine (`/api/v1/events`). */
export function eventsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/',
      {
        config: { access: { scope: 'events:create' } },
        schema: {
          tags: ['events'],
          summary: 'Record an event for the rules engine (committed before the 202)',
          body: Type.Object(
            {
              name: Type.String({ minLength: 1, maxLength: 200 }),
              occurredAt: Type.Optional(Type.String({ format: 'date-time' })),
            },
            { additionalProperties: true },
          ),
          response: {
            202: Type.Object({ id: Type.String(), name: Type.String(), occurredAt: Type.String() }),
            ...errorResponses(400, 403),
          },
        },
      },
      async (request, reply) => {
        const { name, occurredAt, ...fields } = request.body as {
          name: string;
          occurredAt?: string;
        } & Record<string, unknown>;
        return reply.code(202).send(await recordEvent(ctx, { name, occurredAt, fields }));
      },
    );
  };
}
