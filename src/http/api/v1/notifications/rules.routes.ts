import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { operatorCatalogue } from '../../../../rules/condition-validation.ts';
import type { Rule, RuleDefinition } from '../../../../rules/rule.types.ts';
import { RuleBodySchema, RulePatchSchema, validateRuleInput } from '../../../../rules/rule-validation.ts';
import {
  type ClientShape,
  createRule,
  deleteRuleById,
  listAllRules,
  ruleClientShapes,
  ruleRecipients,
  toggleRuleById,
  updateRuleById,
} from '../../../../services/rule.service.ts';
import { checkedBy } from '../../../schemas/checked-by.ts';
import { IdParams, Nullable, Ok } from '../../../schemas/common.schema.ts';
import {
  fromGatwyRule,
  GATWY_RULE_DIALECT,
  type GatwyRuleShape,
  isGatwyRule,
  toGatwyRule,
} from './gatwy-rule-vocabulary.ts';
import { routingErrorResponses as errorResponses, installRoutingErrors } from './routing-errors.ts';

/** Rules and recipients of the routing family (`/api/v1/notifications`). */

const RuleSchema = Type.Object({
  id: Type.String(),
  name: Type.String(),
  enabled: Type.Boolean(),
  events: Type.Array(Type.String()),
  conditionLogic: Type.String(),
  conditions: Type.Array(
    Type.Object(
      { field: Type.String(), operator: Type.String(), value: Type.Optional(Type.Unknown()) },
      { additionalProperties: true, description: 'As written: Gatwy’s editor also reads value2' },
    ),
  ),
  cadence: Type.Unknown({
    description:
      '"instant", {type:"throttle", minutes} or {type:"digest", every:"hour"|"day"}; {type:"always"} for a rule written so',
  }),
  actions: Type.Array(
    Type.Object(
      {
        channel: Type.String(),
        recipients: Type.Optional(Type.Array(Type.String())),
        fallback: Type.Optional(
          Type.Object(
            {
              channel: Type.String(),
              recipients: Type.Optional(Type.Array(Type.String())),
              afterSeconds: Type.Optional(Type.Integer()),
            },
            {
              description:
                'Where the action’s deliveries go when they fail for good, or (afterSeconds) when the inbox item is still unread',
            },
          ),
        ),
      },
      {
        additionalProperties: true,
        description:
          'As written: `recipients`, or the editor’s to, to_users, to_roles, chat_id, url, template',
      },
    ),
  ),
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

/** What the handlers receive: the checked definition and how the client wrote it. */
interface CheckedRule<T> {
  definition: T;
  /** The editor's shapes to read back (Gatwy), or null for a body in the documented terms. */
  gatwy: GatwyRuleShape | null;
}

/** Fields whose written shape the core does not keep as written. */
const SHAPED_FIELDS = ['conditionLogic', 'cadence', 'conditions', 'actions'];

/**
 * Gatwy's editor bodies are turned into the documented shape first (gatwy-rule-vocabulary.ts);
 * `conditionLogic` is taken in any case from everyone.
 */
function translated(input: unknown): { body: unknown; gatwy: GatwyRuleShape | null } {
  if (typeof input !== 'object' || input === null || Array.isArray(input))
    return { body: input, gatwy: null };
  let body = input as Record<string, unknown>;
  let gatwy: GatwyRuleShape | null = null;
  if (isGatwyRule(body)) ({ body, shape: gatwy } = fromGatwyRule(body));
  if (typeof body.conditionLogic === 'string')
    body = { ...body, conditionLogic: body.conditionLogic.toLowerCase() };
  return { body, gatwy };
}

// The body schemas are checked with the rules a schema cannot express (safe regexes, ordered
// bounds), all problems at once; the handler receives the normalised definition.
const createBody = checkedBy({
  body: (input) => {
    const { body, gatwy } = translated(input);
    const result = validateRuleInput(body);
    return result.ok ? { ok: true, value: { definition: result.value, gatwy } } : result;
  },
});
const patchBody = checkedBy({
  body: (input) => {
    const { body, gatwy } = translated(input);
    const result = validateRuleInput(body, { partial: true });
    return result.ok ? { ok: true, value: { definition: result.value, gatwy } } : result;
  },
});

const shapeOf = (gatwy: GatwyRuleShape): ClientShape => ({
  dialect: GATWY_RULE_DIALECT,
  shape: gatwy as Record<string, unknown>,
});

async function viewsOf(ctx: AppContext, rules: Rule[]) {
  const shapes = await ruleClientShapes(ctx);
  return rules.map((r) => {
    const shape = shapes.get(r.id);
    return shape?.dialect === GATWY_RULE_DIALECT ? toGatwyRule(toView(r), shape.shape) : toView(r);
  });
}

const manage = { scope: 'admin', permission: 'settings.notifications' } as const;

export function rulesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    installRoutingErrors(app);
    app.get(
      '/rules/operators',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'The condition operators a rule accepts, with what each takes as its value',
          description:
            '`value`: `value` one string, number or boolean; `list` an array (IP fields take CIDR ranges); `pair` a two-element [low, high]; `boolean` true or false (or omitted).',
          response: {
            200: Type.Object({
              operators: Type.Array(
                Type.Object({
                  operator: Type.String(),
                  value: Type.Union([
                    Type.Literal('value'),
                    Type.Literal('list'),
                    Type.Literal('pair'),
                    Type.Literal('boolean'),
                  ]),
                  description: Type.String(),
                }),
              ),
            }),
            ...errorResponses(401, 403),
          },
        },
      },
      async () => ({ operators: operatorCatalogue() }),
    );

    app.get(
      '/rules',
      {
        config: { access: manage },
        schema: {
          tags: ['rules'],
          summary: 'List rules',
          response: {
            200: Type.Object({ rules: Type.Array(RuleSchema) }),
            ...errorResponses(401, 403),
          },
        },
      },
      async () => ({ rules: await viewsOf(ctx, await listAllRules(ctx)) }),
    );

    app.post(
      '/rules',
      {
        config: { access: manage },
        validatorCompiler: createBody,
        schema: {
          tags: ['rules'],
          summary: 'Create a rule',
          description:
            'The documented body, or the one Gatwy’s rule editor sends (cadence {type:"always"}, actions with to / to_users / to_roles / chat_id, conditions on event / user / ip / time / date / custom with value2); a rule reads back as it was written.',
          body: RuleBodySchema,
          response: { 201: Type.Object({ rule: RuleSchema }), ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => {
        const { definition, gatwy } = request.body as unknown as CheckedRule<RuleDefinition>;
        const rule = await createRule(ctx, definition, { clientShape: gatwy ? shapeOf(gatwy) : null });
        return reply.code(201).send({ rule: (await viewsOf(ctx, [rule]))[0] });
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
          response: { 200: Type.Object({ rule: RuleSchema }), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { definition, gatwy } = request.body as unknown as CheckedRule<Partial<RuleDefinition>>;
        // A documented body that rewrites a shaped field makes the rule read in documented terms.
        const rewritesShape = SHAPED_FIELDS.some((k) => Object.hasOwn(definition, k));
        const clientShape = gatwy ? shapeOf(gatwy) : rewritesShape ? null : undefined;
        const rule = await updateRuleById(ctx, request.params.id, definition, { clientShape });
        return { rule: (await viewsOf(ctx, [rule]))[0] };
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
            ...errorResponses(401, 403, 404),
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
          response: { 200: Ok, ...errorResponses(401, 403, 404) },
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
                  displayName: Nullable(Type.String()),
                  hasEmail: Type.Boolean({ description: 'Whether email actions can reach this user' }),
                  role: Nullable(Type.String({ description: 'The first of `roles` (Gatwy users have one)' })),
                  roles: Type.Array(Type.String(), { description: 'Role ids' }),
                }),
              ),
              roles: Type.Array(Type.Object({ id: Type.String(), name: Type.String() })),
            }),
            ...errorResponses(401, 403),
          },
        },
      },
      async () => {
        const { users, roles } = await ruleRecipients(ctx);
        return {
          users: users.map((u) => ({
            id: u.id,
            username: u.username,
            email: u.email,
            displayName: u.displayName,
            hasEmail: !!u.email,
            role: u.roleIds[0] ?? null,
            roles: u.roleIds,
          })),
          roles,
        };
      },
    );
  };
}
