import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.ts';
import {
  CUSTOM_MESSAGE_MAX,
  CUSTOM_TITLE_MAX,
  dispatchMethods,
  getPreferences,
  isNotifierPaused,
  listInboxPage,
  markAllInboxRead,
  resolveUserParam,
  sendCustomNotification,
  sendTestNotification,
  setInboxReadStatus,
  setNotifierPaused,
  setPreferences,
} from '../../../services/inbox.service.ts';
import { listInboxTemplates } from '../../../services/template.service.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
import { errorResponses } from '../../schemas/common.schema.ts';
import { filterOf, InboxFilterQuery } from '../../schemas/inbox.schema.ts';

const TemplateSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  title_template: Type.String(),
  body_template: Type.String(),
  actions: Type.String(),
  group: Type.String(),
  method: Type.String(),
  kind: Type.String(),
  enabled_by_default: Type.Boolean(),
});

const PreferenceList = Type.Array(
  Type.Object({ id: Type.String(), disabled: Type.Boolean(), updated_at: Type.String() }),
);

const read = { scope: 'inbox:read' } as const;
const write = { scope: 'inbox:write' } as const;

/** The inbox family (`/api/v2`, the Coder notifications API). */
export function inboxRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/notifications/inbox',
      {
        config: { access: read },
        schema: {
          tags: ['Notifications'],
          summary: 'List inbox notifications, newest first, 25 per page',
          querystring: Type.Object(
            {
              ...InboxFilterQuery,
              starting_before: Type.Optional(
                Type.String({
                  format: 'coder-uuid',
                  description:
                    'Id of the last notification of the previous page; an id not in your inbox gives the first page',
                }),
              ),
            },
            // As coderd: a parameter it does not know is refused by name, not ignored.
            { additionalProperties: false },
          ),
          response: {
            200: Type.Object({
              notifications: Type.Array(Type.Ref('InboxNotification')),
              unread_count: Type.Integer(),
            }),
            ...errorResponses(400, 401),
          },
        },
      },
      async (request) => {
        const q = request.query;
        return listInboxPage(ctx, principalOf(request).userId, filterOf(q), q.starting_before);
      },
    );

    // Calls that take no body ignore whatever body and content type come with one: Node clients
    // send an empty form-encoded body, and coderd never reads it either.
    await app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, _body, done) =>
        done(null, undefined),
      );
      scope.put(
        '/notifications/inbox/mark-all-as-read',
        {
          config: { access: write },
          schema: {
            tags: ['Notifications'],
            summary: 'Mark all unread notifications as read',
            response: { 204: Type.Null(), ...errorResponses(401) },
          },
        },
        async (request, reply) => {
          await markAllInboxRead(ctx, principalOf(request).userId);
          return reply.code(204).send(null);
        },
      );

      scope.post(
        '/notifications/test',
        {
          config: { access: write },
          schema: {
            tags: ['Notifications'],
            summary: 'Send a test notification to yourself',
            response: { 204: Type.Null(), ...errorResponses(401) },
          },
        },
        async (request, reply) => {
          await sendTestNotification(ctx, principalOf(request));
          return reply.code(204).send(null);
        },
      );
    });

    app.put(
      '/notifications/inbox/:id/read-status',
      {
        config: { access: write },
        schema: {
          tags: ['Notifications'],
          summary: 'Mark one notification read or unread',
          params: Type.Object({
            id: Type.String({ format: 'coder-uuid', description: 'Notification id (uuid)' }),
          }),
          body: Type.Object({ is_read: Type.Boolean() }),
          response: {
            200: Type.Object({
              message: Type.String(),
              detail: Type.String(),
              validations: Type.Array(Type.Object({ field: Type.String(), detail: Type.String() })),
              notification: Type.Ref('InboxNotification'),
              unread_count: Type.Integer(),
            }),
            ...errorResponses(400, 404),
          },
        },
      },
      async (request) => {
        const isRead = request.body.is_read;
        const changed = await setInboxReadStatus(ctx, principalOf(request).userId, request.params.id, isRead);
        return {
          message: isRead ? 'Notification marked as read.' : 'Notification marked as unread.',
          detail: '',
          validations: [],
          ...changed,
        };
      },
    );

    for (const kind of ['system', 'custom'] as const) {
      app.get(
        `/notifications/templates/${kind}`,
        {
          config: { access: read },
          schema: {
            tags: ['Notifications'],
            summary: `Get ${kind} notification templates`,
            response: { 200: Type.Array(TemplateSchema) },
          },
        },
        async () => listInboxTemplates(ctx, kind),
      );
    }

    app.post(
      '/notifications/custom',
      {
        config: { access: write },
        schema: {
          tags: ['Notifications'],
          summary: 'Send a custom notification to yourself',
          body: Type.Object({
            content: Type.Object({
              // coderd's limits; both must be non-empty (checked after trimming, in the service).
              title: Type.Optional(Type.String({ maxLength: CUSTOM_TITLE_MAX })),
              message: Type.Optional(Type.String({ maxLength: CUSTOM_MESSAGE_MAX })),
            }),
          }),
          response: { 204: Type.Null(), ...errorResponses(400) },
        },
      },
      async (request, reply) => {
        const { title = '', message = '' } = request.body.content;
        await sendCustomNotification(ctx, principalOf(request), title, message);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/notifications/dispatch-methods',
      {
        config: { access: read },
        schema: {
          tags: ['Notifications'],
          summary: 'Delivery methods configured on this server',
          description:
            'One object, as coderd answers and the Coder SDK decodes (its API document says an array).',
          response: {
            200: Type.Object({ available: Type.Array(Type.String()), default: Type.String() }),
          },
        },
      },
      async () => dispatchMethods(ctx),
    );

    app.get(
      '/notifications/settings',
      {
        config: { access: read },
        schema: {
          tags: ['Notifications'],
          summary: 'Notification settings',
          response: { 200: Type.Object({ notifier_paused: Type.Boolean() }) },
        },
      },
      async () => ({ notifier_paused: await isNotifierPaused(ctx) }),
    );

    app.put(
      '/notifications/settings',
      {
        config: { access: { scope: 'admin', permission: 'settings.notifications' } },
        schema: {
          tags: ['Notifications'],
          summary: 'Pause or resume outside deliveries (held while paused, sent on resume)',
          body: Type.Object({ notifier_paused: Type.Boolean() }),
          response: {
            200: Type.Object({ notifier_paused: Type.Boolean() }),
            304: Type.Null(),
            ...errorResponses(400, 403),
          },
        },
      },
      async (request, reply) => {
        const changed = await setNotifierPaused(ctx, request.body.notifier_paused);
        if (!changed) return reply.code(304).send(null);
        return { notifier_paused: request.body.notifier_paused };
      },
    );

    app.get(
      '/users/:user/notifications/preferences',
      {
        config: { access: read },
        schema: {
          tags: ['Notifications'],
          summary: "A user's notification preferences (id, username or me)",
          params: Type.Object({ user: Type.String() }),
          response: { 200: PreferenceList, ...errorResponses(403, 404) },
        },
      },
      async (request) => {
        const user = await resolveUserParam(ctx, principalOf(request), request.params.user);
        return getPreferences(ctx, user.id);
      },
    );

    app.put(
      '/users/:user/notifications/preferences',
      {
        config: { access: write },
        schema: {
          tags: ['Notifications'],
          summary: "Update a user's notification preferences",
          params: Type.Object({ user: Type.String() }),
          body: Type.Object({
            template_disabled_map: Type.Record(Type.String(), Type.Boolean(), { maxProperties: 500 }),
          }),
          response: { 200: PreferenceList, ...errorResponses(400, 403, 404) },
        },
      },
      async (request) => {
        const user = await resolveUserParam(ctx, principalOf(request), request.params.user);
        return setPreferences(ctx, user.id, request.body.template_disabled_map);
      },
    );
  };
}
