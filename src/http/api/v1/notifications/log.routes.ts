import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  listLog,
  removeLogEntries,
  removeLogEntry,
  retryDelivery,
} from '../../../../services/delivery-log.service.ts';
import { errorResponses, IdParams, Nullable, Ok } from '../../../schemas/common.schema.ts';
import { notificationsAccess } from './notifications-access.ts';

const LogEntry = Type.Object({
  id: Type.String(),
  ruleId: Nullable(Type.String()),
  ruleName: Nullable(Type.String()),
  channel: Type.String(),
  status: Type.Union([Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed')]),
  sentAt: Nullable(Type.String()),
  error: Nullable(Type.String()),
  attempts: Type.Integer(),
  createdAt: Type.String(),
});

const Status = Type.Union([Type.Literal('sent'), Type.Literal('failed'), Type.Literal('pending')], {
  description: '`pending` includes deliveries being sent right now',
});

/** Most entries one page may hold. */
const MAX_LIMIT = 200;
const DEFAULT_LIMIT = 25;

export function logRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/log',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'Delivery history, newest first',
          querystring: Type.Object({
            status: Type.Optional(Status),
            rule_id: Type.Optional(Type.String({ maxLength: 200 })),
            page: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT })),
          }),
          response: {
            200: Type.Object({
              entries: Type.Array(LogEntry),
              total: Type.Integer(),
              page: Type.Integer(),
              limit: Type.Integer(),
            }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const { status, rule_id, page = 1, limit = DEFAULT_LIMIT } = request.query;
        const { entries, total } = await listLog(ctx, { status, ruleId: rule_id }, page, limit);
        return { entries, total, page, limit };
      },
    );

    app.post(
      '/log/:id/retry',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'Send a failed delivery again, now, with a fresh attempt budget',
          params: IdParams,
          response: { 200: Ok, ...errorResponses(401, 403, 404, 409) },
        },
      },
      async (request) => {
        await retryDelivery(ctx, request.params.id);
        return { ok: true };
      },
    );

    app.delete(
      '/log/:id',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'Delete one log entry (a pending one is not sent)',
          params: IdParams,
          response: { 200: Ok, ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => {
        await removeLogEntry(ctx, request.params.id);
        return { ok: true };
      },
    );

    app.delete(
      '/log',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'Delete every log entry matching all given filters (none given: all entries)',
          querystring: Type.Object({
            status: Type.Optional(Status),
            rule_id: Type.Optional(Type.String({ maxLength: 200 })),
            before: Type.Optional(
              Type.String({ format: 'date-time', description: 'ISO 8601; entries created before it' }),
            ),
          }),
          response: {
            200: Type.Object({ ok: Type.Boolean(), deleted: Type.Integer() }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const { status, rule_id, before } = request.query;
        const deleted = await removeLogEntries(ctx, {
          status,
          ruleId: rule_id,
          before: before === undefined ? undefined : Date.parse(before),
        });
        return { ok: true, deleted };
      },
    );
  };
}
