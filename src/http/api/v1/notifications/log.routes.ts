import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { conflict, notFound } from '../../../../domain/errors.ts';
import { wakeDispatchers } from '../../../../queue/enqueue.ts';
import {
  countDeliveries,
  type DeliveryRow,
  deleteDeliveries,
  deleteDelivery,
  getDelivery,
  type LogFilter,
  listDeliveries,
  requeueFailed,
} from '../../../../store/delivery.repository.ts';
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

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const toEntry = (r: DeliveryRow) => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  channel: r.channel,
  status: (r.status === 'sending' ? 'pending' : r.status) as 'pending' | 'sent' | 'failed',
  sentAt: iso(r.sent_at),
  error: r.last_error,
  attempts: r.attempts,
  createdAt: new Date(r.created_at).toISOString(),
});

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
        const filter: LogFilter = { status, ruleId: rule_id };
        const [rows, total] = await Promise.all([
          listDeliveries(ctx.store.db, filter, { offset: (page - 1) * limit, limit }),
          countDeliveries(ctx.store.db, filter),
        ]);
        return { entries: rows.map(toEntry), total, page, limit };
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
        const id = request.params.id;
        const now = ctx.clock.now();
        const requeued = await ctx.store.writer.run((tx) => requeueFailed(tx, id, now));
        if (!requeued) {
          const row = await getDelivery(ctx.store.db, id);
          if (!row) throw notFound('Log entry');
          throw conflict(`Only failed deliveries can be retried; this one is ${toEntry(row).status}.`);
        }
        wakeDispatchers(ctx);
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
        const deleted = await ctx.store.writer.run((tx) => deleteDelivery(tx, request.params.id));
        if (!deleted) throw notFound('Log entry');
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
        const filter: LogFilter = {
          status,
          ruleId: rule_id,
          before: before === undefined ? undefined : Date.parse(before),
        };
        const deleted = await ctx.store.writer.run((tx) => deleteDeliveries(tx, filter));
        return { ok: true, deleted };
      },
    );
  };
}
