import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  listLog,
  removeLogEntries,
  removeLogEntry,
  retryDelivery,
} from '../../../../services/delivery-log.service.ts';
import { IdParams, Nullable } from '../../../schemas/common.schema.ts';
import { notificationsAccess } from './notifications-access.ts';
import { routingErrorResponses as errorResponses } from './routing-errors.ts';

const LogEntry = Type.Object({
  id: Type.String(),
  ruleId: Nullable(Type.String()),
  ruleName: Nullable(Type.String()),
  channel: Type.String(),
  status: Type.Union(
    [Type.Literal('pending'), Type.Literal('sent'), Type.Literal('failed'), Type.Literal('skipped')],
    { description: '`skipped`: a fallback not sent because its inbox item was read in time (see `reason`)' },
  ),
  sentAt: Type.String({
    description: 'When it was sent; else its last attempt; else when it was created. Always a time.',
  }),
  error: Nullable(Type.String({ description: 'The last attempt’s failure, also while it waits to retry' })),
  attempts: Type.Integer(),
  createdAt: Type.String(),
  payload: Type.Record(Type.String(), Type.Unknown(), {
    description: 'What was sent: `to` (the recipient) and the rendered content (title, text, data, ...)',
  }),
  retryOf: Nullable(Type.String({ description: 'The failed entry this one retried' })),
  fallbackOf: Nullable(
    Type.String({
      description:
        'The entry this one is the fallback of: it failed for good, or its inbox item stayed unread',
    }),
  ),
  fallbackIds: Type.Array(Type.String(), {
    description: 'This entry’s fallbacks, oldest first (each names this entry in `fallbackOf`)',
  }),
  reason: Nullable(
    Type.String({ description: 'Why a skipped entry was not sent (`read in time`); null otherwise' }),
  ),
  test: Type.Boolean({ description: 'A channel test rather than a rule or message delivery' }),
});
const Ok = Type.Object({ ok: Type.Boolean() });

/** The filters listing and bulk delete share; all given must hold. */
const LogFilterQuery = {
  status: Type.Optional(
    Type.Union(
      [Type.Literal('sent'), Type.Literal('failed'), Type.Literal('pending'), Type.Literal('skipped')],
      {
        description:
          '`pending` includes deliveries being sent right now; `skipped` fallbacks whose inbox item was read in time',
      },
    ),
  ),
  rule_id: Type.Optional(Type.String({ maxLength: 200 })),
  channel: Type.Optional(
    Type.String({ maxLength: 64, pattern: '^[a-z0-9_-]+$', description: 'Channel type, e.g. `webhook`' }),
  ),
  since: Type.Optional(
    Type.String({ format: 'date-time', description: 'ISO 8601; entries created at or after it' }),
  ),
  before: Type.Optional(
    Type.String({ format: 'date-time', description: 'ISO 8601; entries created before it' }),
  ),
};

const ms = (t: string | undefined) => (t === undefined ? undefined : Date.parse(t));
const logQueryOf = (q: {
  status?: 'sent' | 'failed' | 'pending' | 'skipped';
  rule_id?: string;
  channel?: string;
  since?: string;
  before?: string;
}) => ({ status: q.status, ruleId: q.rule_id, channel: q.channel, since: ms(q.since), before: ms(q.before) });

/** Most entries one page may hold. */
const MAX_LIMIT = 200;
/** Gatwy's history page and server both use pages of 50. */
const DEFAULT_LIMIT = 50;

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
            ...LogFilterQuery,
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
        const { page = 1, limit = DEFAULT_LIMIT } = request.query;
        const { entries, total } = await listLog(ctx, logQueryOf(request.query), page, limit);
        return { entries, total, page, limit };
      },
    );

    app.post(
      '/log/:id/retry',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification log'],
          summary: 'Send a failed delivery again, now, and answer with the outcome',
          description:
            'One attempt, made before the answer (up to the send timeout). The failed entry keeps its record; the retry is a new entry with `retryOf` naming it, returned here when it was sent. A failed retry answers 502 with the receiver’s answer in `error`.',
          params: IdParams,
          response: {
            200: Type.Object({ ok: Type.Boolean(), entry: LogEntry }),
            ...errorResponses(401, 403, 404, 409, 502),
          },
        },
      },
      async (request) => ({ ok: true, entry: await retryDelivery(ctx, request.params.id) }),
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
          querystring: Type.Object(LogFilterQuery),
          response: {
            200: Type.Object({ ok: Type.Boolean(), deleted: Type.Integer() }),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request) => {
        const deleted = await removeLogEntries(ctx, logQueryOf(request.query));
        return { ok: true, deleted };
      },
    );
  };
}
