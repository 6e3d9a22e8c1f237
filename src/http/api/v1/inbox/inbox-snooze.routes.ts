import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { listSnoozedItems, snoozeInboxItem } from '../../../../services/inbox-snooze.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, Nullable } from '../../../schemas/common.schema.ts';

const SnoozeResult = Type.Object({
  snoozed_until: Nullable(Type.String({ format: 'date-time' })),
  unread_count: Type.Integer({ description: 'Unread items now in the inbox (snoozed ones not counted)' }),
});
const Params = Type.Object({ id: Type.String({ description: 'Notification id (uuid)' }) });

/** `/api/v1/inbox`: snoozing inbox items (a Herald extension beside the Coder-shape inbox). */
export function inboxSnoozeRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.put(
      '/:id/snooze',
      {
        config: { access: { scope: 'inbox:write' } },
        schema: {
          tags: ['Notifications'],
          summary: 'Snooze an inbox item until a time',
          description:
            'The item leaves `GET /api/v2/notifications/inbox` and the unread count until `until`, then comes back as it was (read or unread). Snoozing again moves the time; at most one year ahead.',
          params: Params,
          body: Type.Object({ until: Type.String({ format: 'date-time' }) }, { additionalProperties: false }),
          response: { 200: SnoozeResult, ...errorResponses(400, 401, 404) },
        },
      },
      async (request) =>
        snoozeInboxItem(ctx, principalOf(request).userId, request.params.id, request.body.until),
    );

    app.delete(
      '/:id/snooze',
      {
        config: { access: { scope: 'inbox:write' } },
        schema: {
          tags: ['Notifications'],
          summary: 'Wake a snoozed inbox item now',
          params: Params,
          response: { 200: SnoozeResult, ...errorResponses(401, 404) },
        },
      },
      async (request) => snoozeInboxItem(ctx, principalOf(request).userId, request.params.id, null),
    );

    app.get(
      '/snoozed',
      {
        config: { access: { scope: 'inbox:read' } },
        schema: {
          tags: ['Notifications'],
          summary: 'Your snoozed inbox items, soonest back first (at most 200)',
          response: {
            200: Type.Object({
              snoozed: Type.Array(
                Type.Object({
                  notification: Type.Ref('InboxNotification'),
                  snoozed_until: Type.String({ format: 'date-time' }),
                }),
              ),
            }),
            ...errorResponses(401),
          },
        },
      },
      async (request) => ({ snoozed: await listSnoozedItems(ctx, principalOf(request).userId) }),
    );
  };
}
