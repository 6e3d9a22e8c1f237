import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import contentDisposition from 'content-disposition';
import type { AppContext } from '../../../../context.ts';
import { attachmentFor } from '../../../../services/attachment.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams } from '../../../schemas/common.schema.ts';

/** Stored attachments of the messages family (`/api/v1/attachments`). */
export function attachmentsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/:id',
      {
        config: { access: { scope: 'messages:read' } },
        schema: {
          tags: ['messages'],
          summary: 'Download a stored attachment (its recipients and sender only)',
          params: IdParams,
          response: { ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        const att = await attachmentFor(ctx, principalOf(request), request.params.id);
        return reply
          .header('content-type', att.contentType)
          .header('content-length', String(att.size))
          .header('content-disposition', contentDisposition(att.filename, { type: 'inline' }))
          .header('x-content-type-options', 'nosniff')
          .send(att.open());
      },
    );
  };
}
