import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { getRetentionDays, setRetentionDays } from '../../../../services/retention-settings.service.ts';
import { notificationsAccess } from './notifications-access.ts';
import { routingErrorResponses as errorResponses } from './routing-errors.ts';

/** days: ten years is the longest retention anyone asked for; longer is a typo. */
const MAX_RETENTION_DAYS = 3650;

export function settingsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/settings',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'How many days the log, messages and attachments are kept',
          response: { 200: Type.Object({ retentionDays: Type.Integer() }), ...errorResponses(401, 403) },
        },
      },
      async () => ({ retentionDays: await getRetentionDays(ctx) }),
    );

    app.put(
      '/settings',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'Change retention; the hourly retention job applies it',
          body: Type.Object({
            retentionDays: Type.Integer({ minimum: 1, maximum: MAX_RETENTION_DAYS }),
          }),
          response: {
            200: Type.Object({ ok: Type.Boolean(), retentionDays: Type.Integer() }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        await setRetentionDays(ctx, request.body.retentionDays);
        return { ok: true, retentionDays: request.body.retentionDays };
      },
    );
  };
}
