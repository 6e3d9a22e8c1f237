import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.ts';
import { invalid, notFound } from '../../../domain/errors.ts';
import { isUuid } from '../../../domain/ids.ts';
import {
  getPreferences,
  isNotifierPaused,
  resolveUserParam,
  sendCustomNotification,
  sendTestNotification,
  setNotifierPaused,
  setPreferences,
} from '../../../services/inbox.service.ts';
import { toInboxItem } from '../../../services/inbox-item.ts';
import { enabledChannelTypes } from '../../../store/channel-config.repository.ts';
import {
  countUnread,
  getInboxItem,
  type InboxFilter,
  listInbox,
  markAllRead,
  notificationCursor,
  setReadAt,
} from '../../../store/inbox.repository.ts';
import { listTemplates, type TemplateRow } from '../../../store/template.repository.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
import { errorResponses, Nullable } from '../../schemas/common.schema.ts';

/** The inbox family (`/api/v2`, the Coder notifications API). */
export const INBOX_PAGE_SIZE = 25;

export const InboxItemSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    user_id: Type.String(),
    template_id: Type.String(),
    targets: Type.Array(Type.String()),
    title: Type.String(),
    content: Type.String(),
    icon: Type.String(),
    actions: Type.Array(Type.Object({ label: Type.String(), url: Type.String() })),
    read_at: Nullable(Type.String()),
    created_at: Type.String(),
  },
  { $id: 'InboxNotification' },
);

export const InboxFilterQuery = {
  targets: Type.Optional(
    Type.String({ description: 'Comma-separated target ids (bucket, message or entity)' }),
  ),
  templates: Type.Optional(Type.String({ description: 'Comma-separated template ids' })),
  read_status: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('unread'), Type.Literal('all')])),
};

const csv = (s: string | undefined): string[] | undefined =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

export function filterOf(q: {
  targets?: string;
  templates?: string;
  read_status?: 'read' | 'unread' | 'all';
}): InboxFilter {
  return { targets: csv(q.targets), templates: csv(q.templates), readStatus: q.read_status ?? 'all' };
}

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

const toTemplateView = (t: TemplateRow) => ({
  id: t.id,
  name: t.name,
  title_template: t.title_template,
  body_template: t.body_template,
  actions: t.actions,
  group: t.group_name,
  method: t.method ?? '',
  kind: t.kind,
  enabled_by_default: t.enabled_by_default === 1,
});

const PreferenceList = Type.Array(
  Type.Object({ id: Type.String(), disabled: Type.Boolean(), updated_at: Type.String() }),
);

const read = { scope: 'inbox:read' } as const;
const write = { scope: 'inbox:write' } as const;

export function inboxRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/notifications/inbox',
      {
        config: { access: read },
        schema: {
          tags: ['Notifications'],
          summary: 'List inbox notifications, newest first, 25 per page',
          querystring: Type.Object({
            ...InboxFilterQuery,
            starting_before: Type.Optional(
              Type.String({ description: 'Id of the last notification of the previous page' }),
            ),
          }),
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
        const p = principalOf(request);
        const q = request.query;
        let before: { createdAt: number; id: string } | undefined;
        if (q.starting_before) {
          if (!isUuid(q.starting_before))
            throw invalid('starting_before', 'must be a notification id (uuid)');
          before = await notificationCursor(ctx.store.db, p.userId, q.starting_before);
          if (!before) throw invalid('starting_before', 'no such notification in your inbox');
        }
        const [rows, unread] = await Promise.all([
          listInbox(ctx.store.db, p.userId, filterOf(q), { limit: INBOX_PAGE_SIZE, before }),
          countUnread(ctx.store.db, p.userId),
        ]);
        return { notifications: rows.map((r) => toInboxItem(r)), unread_count: unread };
      },
    );

    app.put(
      '/notifications/inbox/mark-all-as-read',
      {
        config: { access: write },
        schema: {
          tags: ['Notifications'],
          summary: 'Mark all unread notifications as read',
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        const p = principalOf(request);
        await ctx.store.writer.run((tx) => markAllRead(tx, p.userId, ctx.clock.now()));
        return reply.code(204).send(null);
      },
    );

    app.put(
      '/notifications/inbox/:id/read-status',
      {
        config: { access: write },
        schema: {
          tags: ['Notifications'],
          summary: 'Mark one notification read or unread',
          params: Type.Object({ id: Type.String() }),
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
        const p = principalOf(request);
        const { id } = request.params;
        if (!isUuid(id)) throw notFound('Notification');
        const isRead = request.body.is_read;
        const ok = await ctx.store.writer.run((tx) =>
          setReadAt(tx, p.userId, id, isRead ? ctx.clock.now() : null),
        );
        if (!ok) throw notFound('Notification');
        const [row, unread] = await Promise.all([
          getInboxItem(ctx.store.db, p.userId, id),
          countUnread(ctx.store.db, p.userId),
        ]);
        return {
          message: isRead ? 'Notification marked as read.' : 'Notification marked as unread.',
          detail: '',
          validations: [],
          notification: toInboxItem(row!),
          unread_count: unread,
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
        async () => (await listTemplates(ctx.store.db, kind)).map(toTemplateView),
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
              title: Type.Optional(Type.String({ maxLength: 500 })),
              message: Type.Optional(Type.String({ maxLength: 5000 })),
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

    app.post(
      '/notifications/test',
      {
        config: { access: write },
        schema: {
          tags: ['Notifications'],
          summary: 'Send a test notification to yourself',
          response: { 200: Type.Null() },
        },
      },
      async (request, reply) => {
        await sendTestNotification(ctx, principalOf(request));
        return reply.code(200).send(null);
      },
    );

    app.get(
      '/notifications/dispatch-methods',
      {
        config: { access: read },
        schema: {
          tags: ['Notifications'],
          summary: 'Delivery methods configured on this server',
          response: {
            200: Type.Array(Type.Object({ available: Type.Array(Type.String()), default: Type.String() })),
          },
        },
      },
      async () => [
        { available: ['inbox', ...[...(await enabledChannelTypes(ctx.store.db))].sort()], default: 'inbox' },
      ],
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
