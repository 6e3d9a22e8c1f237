import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import type { Rule, RuleDefinition } from '../../../../rules/rule.types.ts';
import { RuleBodySchema, RulePatchSchema, validateRuleInput } from '../../../../rules/rule-validation.ts';
import {
  createRule,
  deleteRuleById,
  listAllRules,
  ruleRecipients,
  toggleRuleById,
  updateRuleById,
} from '../../../../services/rule.service.ts';
import { checkedBy } from '../../../schemas/checked-by.ts';
import { errorResponses, IdParams, Nullable, Ok } from '../../../schemas/common.schema.ts';

/** Rules and recipients of the routing family (`/api/v1/notifications`). */

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

// The body schemas are checked with the rules a schema cannot express (safe regexes, ordered
// bounds), all problems at once; the handler receives the normalised definition.
const createBody = checkedBy({ body: (body) => validateRuleInput(body) });
const patchBody = checkedBy({ body: (body) => validateRuleInput(body, { partial: true }) });

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
      async () => ({ rules: (await listAllRules(ctx)).map(toView) }),
    );

    app.post(
      '/rules',
      {
        config: { access: manage },
        validatorCompiler: createBody,
        schema: {
          tags: ['rules'],
          summary: 'Create a rule',
          body: RuleBodySchema,
          response: { 201: Type.Object({ rule: RuleSchema }), ...errorResponses(400, 403) },
        },
      },
      async (request, reply) => {
        const rule = await createRule(ctx, request.body as unknown as RuleDefinition);
        return reply.code(201).send({ rule: toView(rule) });
      },
    );

    app.put(
      '/rules/:id',
      {
        config: { access: manage },
        validatorCompiler: patchBody,
        schema: {
          tags: ['rules'],
          summary: 'Update a rule (every field optional)',
          params: IdParams,
          body: RulePatchSchema,
          response: { 200: Type.Object({ rule: RuleSchema }), ...errorResponses(400, 404) },
        },
      },
      async (request) => {
        const patch = request.body as unknown as Partial<RuleDefinition>;
        return { rule: toView(await updateRuleById(ctx, request.params.id, patch)) };
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
      async (request) => ({ ok: true, enabled: await toggleRuleById(ctx, request.params.id) }),
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
        await deleteRuleById(ctx, request.params.id);
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
      async () => ruleRecipients(ctx),
    );
  };
}
