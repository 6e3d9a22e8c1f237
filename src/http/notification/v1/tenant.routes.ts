import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.ts';
import type { FieldError } from '../../../domain/errors.ts';
import {
  countForTenant,
  createTenantNotification,
  listForTenant,
  readerOf,
  sinceOf,
  type TimePeriod,
  toggleStatus,
} from '../../../services/tenant-notification.service.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
import { routeNotFound, toErrorBody } from '../../plugins/app/error-handler.plugin.ts';
import { Nullable } from '../../schemas/common.schema.ts';

/**
 * The tenant family (`/notification/v1`): every answer, errors included, is wrapped in
 * `{statusCode, timestamp, message, data}`. Errors carry `message` and, under `errors`, each
 * invalid field.
 */
const Uuid = Type.String({ format: 'uuid' });

const NotificationData = Type.Object({
  id: Type.String(),
  tenantId: Nullable(Type.String()),
  templateKey: Nullable(Type.String()),
  category: Nullable(Type.String()),
  title: Type.String(),
  message: Type.String(),
  isActionable: Type.Boolean(),
  status: Type.Union([Type.Literal('READ'), Type.Literal('UNREAD')]),
  createdAt: Type.String(),
  readAt: Nullable(Type.String()),
  userId: Type.String(),
  entityType: Nullable(Type.String()),
  entityId: Nullable(Type.String()),
  actionUrl: Nullable(Type.String()),
  payload: Nullable(Type.Record(Type.String(), Type.Unknown())),
  relativeTime: Type.String(),
});

const envelope = <T extends import('typebox').TSchema>(data: T) =>
  Type.Object({ statusCode: Type.Integer(), timestamp: Type.String(), message: Type.String(), data });

const ErrorEnvelope = Type.Object({
  statusCode: Type.Integer(),
  timestamp: Type.String(),
  message: Type.String(),
  data: Type.Null(),
  errors: Type.Array(Type.Object({ field: Type.String(), detail: Type.String() })),
});

const errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope };

const Period = Type.Union([Type.Literal('1m'), Type.Literal('3m'), Type.Literal('6m'), Type.Literal('all')], {
  default: 'all',
});

function ok(reply: FastifyReply, ctx: AppContext, status: number, data: unknown) {
  return reply.code(status).send({
    statusCode: status,
    timestamp: new Date(ctx.clock.now()).toISOString(),
    message: 'Success',
    data,
  });
}

function errorEnvelope(ctx: AppContext, status: number, message: string, errors: FieldError[]) {
  return {
    statusCode: status,
    timestamp: new Date(ctx.clock.now()).toISOString(),
    message,
    data: null,
    errors,
  };
}

export function tenantRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.setErrorHandler((err, request, reply) => {
      const { status, body, headers } = toErrorBody(err, request);
      const message =
        body.validations.length > 0 ? `${body.message} ${body.detail}` : body.detail || body.message;
      void reply
        .code(status)
        .headers(headers)
        .send(errorEnvelope(ctx, status, message, body.validations));
    });
    // Unknown paths under the prefix answer in this family's envelope too.
    app.setNotFoundHandler((request) => {
      throw routeNotFound(request);
    });

    app.post(
      '/notifications',
      {
        config: { access: { scope: 'notifications:create' } },
        schema: {
          tags: ['tenant notifications'],
          summary: 'Create a notification for a tenant user from a template',
          body: Type.Object({
            templateKey: Type.String({ minLength: 1, maxLength: 100 }),
            userId: Uuid,
            tenantId: Uuid,
            entityType: Type.String({ minLength: 1, maxLength: 100 }),
            entityId: Type.String({ minLength: 1, maxLength: 200 }),
            placeholders: Type.Record(Type.String(), Type.Unknown()),
            actionUrl: Type.Optional(Type.String({ maxLength: 2048, format: 'uri' })),
            payload: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
          }),
          response: { 201: envelope(NotificationData), ...errors },
        },
      },
      async (request, reply) =>
        ok(reply, ctx, 201, await createTenantNotification(ctx, principalOf(request), request.body)),
    );

    app.get(
      '/notifications',
      {
        config: { access: { scope: 'notifications:read' } },
        schema: {
          tags: ['tenant notifications'],
          summary: 'List your notifications in a tenant, newest first',
          querystring: Type.Object({
            tenantId: Uuid,
            userId: Type.Optional(
              Type.String({
                format: 'uuid',
                description: 'Admins (and tokens they bind to this tenant): read for this user',
              }),
            ),
            page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
            status: Type.Optional(Type.Union([Type.Literal('READ'), Type.Literal('UNREAD')])),
            templateKey: Type.Optional(Type.String({ maxLength: 100 })),
            category: Type.Optional(Type.String({ maxLength: 100 })),
            entityType: Type.Optional(Type.String({ maxLength: 100 })),
            timePeriod: Period,
          }),
          response: {
            200: envelope(
              Type.Object({
                page: Type.Integer(),
                limit: Type.Integer(),
                total: Type.Integer(),
                data: Type.Array(NotificationData),
              }),
            ),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const filter = {
          ...readerOf(principalOf(request), q.tenantId, q.userId),
          status: q.status,
          templateKey: q.templateKey,
          category: q.category,
          entityType: q.entityType,
          since: sinceOf(q.timePeriod as TimePeriod, ctx.clock.now()),
        };
        return ok(reply, ctx, 200, await listForTenant(ctx, filter, q.page, q.limit));
      },
    );

    app.get(
      '/notifications/count',
      {
        config: { access: { scope: 'notifications:read' } },
        schema: {
          tags: ['tenant notifications'],
          summary: 'Count your read and unread notifications in a tenant',
          querystring: Type.Object({
            tenantId: Uuid,
            userId: Type.Optional(Type.String({ format: 'uuid' })),
            timePeriod: Period,
          }),
          response: {
            200: envelope(
              Type.Object({
                unread: Type.Integer(),
                read: Type.Integer(),
                total: Type.Integer(),
                timePeriod: Type.String(),
              }),
            ),
            ...errors,
          },
        },
      },
      async (request, reply) => {
        const q = request.query;
        const period = q.timePeriod as TimePeriod;
        const filter = {
          ...readerOf(principalOf(request), q.tenantId, q.userId),
          since: sinceOf(period, ctx.clock.now()),
        };
        return ok(reply, ctx, 200, await countForTenant(ctx, filter, period));
      },
    );

    app.patch(
      '/notifications/:id/toggle-status',
      {
        config: { access: { scope: 'notifications:read' } },
        schema: {
          tags: ['tenant notifications'],
          summary: 'Set a notification READ or UNREAD',
          params: Type.Object({ id: Uuid }),
          body: Type.Object({ status: Type.Union([Type.Literal('READ'), Type.Literal('UNREAD')]) }),
          response: { 200: envelope(NotificationData), ...errors },
        },
      },
      async (request, reply) =>
        ok(
          reply,
          ctx,
          200,
          await toggleStatus(ctx, principalOf(request), request.params.id, request.body.status),
        ),
    );
  };
}
