import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { channels } from '../../../../channels/channel-registry.ts';
import type { AppContext } from '../../../../context.ts';
import { invalidMany, notFound } from '../../../../domain/errors.ts';
import { newId } from '../../../../domain/ids.ts';
import { recordEvent } from '../../../../ingest/event-input.ts';
import type { Rule } from '../../../../rules/rule.types.ts';
import { validateRuleInput } from '../../../../rules/rule-validation.ts';
import { listRoles } from '../../../../store/role.repository.ts';
import {
  deleteRule,
  getRule,
  insertRule,
  listRules,
  type RuleRow,
  ruleColumns,
  ruleFromRow,
  updateRule,
} from '../../../../store/rule.repository.ts';
import { errorResponses, IdParams, Nullable, Ok } from '../../../schemas/common.schema.ts';

/** Rules and recipients of the routing family (`/api/v1/notifications`), and event intake. */
const RULE_CHANNELS = ['inbox', ...Object.keys(channels)];

const RuleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  events: Type.Array(Type.String()),
  conditionLogic: Type.String(),
  conditions: Type.Array(
    Type.Object({ field: Type.String(), operator: Type.String(), value: Type.Optional(Type.Unknown()) }),
  ),
  cadence: Type.Unknown({
    description: '"instant", {type:"throttle", minutes} or {type:"digest", every:"hour"|"day"}',
  }),
  actions: Type.Array(Type.Object({ channel: Type.String(), recipients: Type.Array(Type.String()) })),
  createdAt: Type.String(),
  lastTriggeredAt: Nullable(Type.String()),
});

/** Instant cadence is shown as the spec shows it, the string "instant". */
const toView = (r: Rule) => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled,
  events: r.events,
  conditionLogic: r.conditionLogic,
  conditions: r.conditions,
  cadence: r.cadence.type === 'instant' ? 'instant' : r.cadence,
  actions: r.actions,
  createdAt: r.createdAt.toISOString(),
  lastTriggeredAt: r.lastTriggeredAt?.toISOString() ?? null,
});

const RuleBody = Type.Record(Type.String(), Type.Unknown(), {
  description: 'name, enabled, events, conditionLogic, conditions, cadence, actions',
});

const manage = { scope: 'admin', permission: 'settings.notifications' } as const;

export function rulesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/rules',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'List rules',
          response: { 200: Type.Object({ rules: Type.Array(RuleSchema) }) },
        },
      },
      async () => ({ rules: (await listRules(ctx.store.db)).map((r) => toView(ruleFromRow(r))) }),
    );

    app.post(
      '/rules',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'Create a rule',
          body: RuleBody,
          response: { 201: Type.Object({ rule: RuleSchema }), ...errorResponses(400, 403) },
        },
      },
      async (request, reply) => {
        const v = validateRuleInput(request.body, { channels: RULE_CHANNELS });
        if (!v.ok) throw invalidMany(v.errors);
        const now = ctx.clock.now();
        const row = {
          id: newId(now),
          created_at: now,
          updated_at: now,
          last_triggered_at: null,
          ...ruleColumns(v.value),
        } as RuleRow;
        await ctx.store.writer.run((tx) => insertRule(tx, row));
        return reply.code(201).send({ rule: toView(ruleFromRow(row)) });
      },
    );

    app.put(
      '/rules/:id',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'Update a rule (every field optional)',
          params: IdParams,
          body: RuleBody,
          response: { 200: Type.Object({ rule: RuleSchema }), ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const existing = await getRule(ctx.store.db, request.params.id);
        if (!existing) throw notFound('Rule');
        const v = validateRuleInput(request.body, { channels: RULE_CHANNELS, partial: true });
        if (!v.ok) throw invalidMany(v.errors);
        await ctx.store.writer.run((tx) =>
          updateRule(tx, existing.id, { ...ruleColumns(v.value), updated_at: ctx.clock.now() }),
        );
        return { rule: toView(ruleFromRow((await getRule(ctx.store.db, existing.id))!)) };
      },
    );

    app.patch(
      '/rules/:id/toggle',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'Turn a rule on or off',
          params: IdParams,
          response: {
            200: Type.Object({ ok: Type.Boolean(), enabled: Type.Boolean() }),
            ...errorResponses(404),
          },
        },
      },
      async (request) => {
        const existing = await getRule(ctx.store.db, request.params.id);
        if (!existing) throw notFound('Rule');
        const enabled = existing.enabled !== 1;
        await ctx.store.writer.run((tx) =>
          updateRule(tx, existing.id, { enabled: enabled ? 1 : 0, updated_at: ctx.clock.now() }),
        );
        return { ok: true, enabled };
      },
    );

    app.delete(
      '/rules/:id',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'Delete a rule',
          params: IdParams,
          response: { 200: Ok, ...errorResponses(404) },
        },
      },
      async (request) => {
        const ok = await ctx.store.writer.run((tx) => deleteRule(tx, request.params.id));
        if (!ok) throw notFound('Rule');
        return { ok: true };
      },
    );

    app.get(
      '/recipients',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'Users and roles available as rule recipients',
          response: {
            200: Type.Object({
              users: Type.Array(
                Type.Object({
                  id: Type.String(),
                  username: Nullable(Type.String()),
                  email: Nullable(Type.String()),
                }),
              ),
              roles: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
            }),
          },
        },
      },
      async () => {
        const [users, roles] = await Promise.all([
          ctx.store.db
            .selectFrom('users')
            .select(['id', 'username', 'email'])
            .where('kind', '=', 'account')
            .orderBy('username')
            .execute(),
          listRoles(ctx.store.db),
        ]);
        return { users, roles: roles.map((r) => ({ id: r.id, name: r.name })) };
      },
    );
  };
}

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
