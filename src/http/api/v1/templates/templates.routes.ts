import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { conflict, forbidden, invalid, notFound } from '../../../../domain/errors.ts';
import { isUuid, newId } from '../../../../domain/ids.ts';
import { isUniqueViolation } from '../../../../services/user.service.ts';
import {
  deleteTemplate,
  getTemplate,
  insertTemplate,
  listTemplates,
  type TemplateRow,
  updateTemplate,
} from '../../../../store/template.repository.ts';
import { errorResponses, IdParams, Nullable } from '../../../schemas/common.schema.ts';

/** Admin management of the one template store the inbox and tenant families read. */
const TemplateView = Type.Object({
  id: Type.String(),
  templateKey: Type.String(),
  kind: Type.String(),
  name: Type.String(),
  category: Type.String(),
  titleTemplate: Type.String(),
  messageTemplate: Type.String(),
  actions: Type.Array(Type.Object({ label: Type.String(), url: Type.String() })),
  isActionable: Type.Boolean(),
  enabledByDefault: Type.Boolean(),
  method: Nullable(Type.String()),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const toView = (t: TemplateRow) => ({
  id: t.id,
  templateKey: t.key,
  kind: t.kind,
  name: t.name,
  category: t.group_name,
  titleTemplate: t.title_template,
  messageTemplate: t.body_template,
  actions: JSON.parse(t.actions) as Array<{ label: string; url: string }>,
  isActionable: t.is_actionable === 1,
  enabledByDefault: t.enabled_by_default === 1,
  method: t.method,
  createdAt: new Date(t.created_at).toISOString(),
  updatedAt: new Date(t.updated_at).toISOString(),
});

const Action = Type.Object({
  label: Type.String({ minLength: 1, maxLength: 100 }),
  url: Type.String({ minLength: 1, maxLength: 2048 }),
});
const fields = {
  name: Type.String({ minLength: 1, maxLength: 200 }),
  category: Type.String({ maxLength: 100 }),
  titleTemplate: Type.String({ minLength: 1, maxLength: 500 }),
  messageTemplate: Type.String({ maxLength: 5000 }),
  actions: Type.Array(Action, { maxItems: 10 }),
  isActionable: Type.Boolean(),
  enabledByDefault: Type.Boolean(),
  method: Nullable(Type.String({ maxLength: 50 })),
};

const admin = { scope: 'admin', permission: 'templates.manage' } as const;

export function templatesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        config: { access: admin },
        schema: {
          tags: ['templates'],
          summary: 'List templates',
          querystring: Type.Object({
            kind: Type.Optional(Type.Union([Type.Literal('system'), Type.Literal('custom')])),
          }),
          response: { 200: Type.Array(TemplateView) },
        },
      },
      async (request) => (await listTemplates(ctx.store.db, request.query.kind)).map(toView),
    );

    app.get(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['templates'],
          summary: 'Get a template by id or key',
          params: IdParams,
          response: { 200: TemplateView, ...errorResponses(404) },
        },
      },
      async (request) => {
        const t = await getTemplate(ctx.store.db, request.params.id);
        if (!t) throw notFound('Template');
        return toView(t);
      },
    );

    app.post(
      '/',
      {
        config: { access: admin },
        schema: {
          tags: ['templates'],
          summary: 'Create a custom template (markdown with {{placeholders}})',
          body: Type.Object({
            templateKey: Type.String({
              minLength: 1,
              maxLength: 100,
              pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
            }),
            ...fields,
            category: Type.Optional(fields.category),
            messageTemplate: fields.messageTemplate,
            actions: Type.Optional(fields.actions),
            isActionable: Type.Optional(fields.isActionable),
            enabledByDefault: Type.Optional(fields.enabledByDefault),
            method: Type.Optional(fields.method),
          }),
          response: { 201: TemplateView, ...errorResponses(400, 403, 409) },
        },
      },
      async (request, reply) => {
        const b = request.body;
        // Templates are addressed by id or key on one path; a uuid-shaped key could name another
        // template's id and make every lookup ambiguous.
        if (isUuid(b.templateKey)) {
          throw invalid('templateKey', 'must not be a uuid (ids and keys share one lookup)');
        }
        const now = ctx.clock.now();
        const row: TemplateRow = {
          id: newId(now),
          key: b.templateKey,
          kind: 'custom',
          name: b.name,
          group_name: b.category ?? '',
          title_template: b.titleTemplate,
          body_template: b.messageTemplate,
          actions: JSON.stringify(b.actions ?? []),
          enabled_by_default: b.enabledByDefault === false ? 0 : 1,
          method: b.method ?? null,
          is_actionable: b.isActionable ? 1 : 0,
          created_at: now,
          updated_at: now,
        };
        try {
          await ctx.store.writer.run((tx) => insertTemplate(tx, row));
        } catch (err) {
          if (isUniqueViolation(err))
            throw conflict(`A template with key "${b.templateKey}" exists.`, 'templateKey');
          throw err;
        }
        return reply.code(201).send(toView(row));
      },
    );

    app.patch(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['templates'],
          summary: 'Update a template (a system template keeps its name and category)',
          params: IdParams,
          body: Type.Partial(Type.Object(fields)),
          response: { 200: TemplateView, ...errorResponses(400, 403, 404) },
        },
      },
      async (request) => {
        const t = await getTemplate(ctx.store.db, request.params.id);
        if (!t) throw notFound('Template');
        const b = request.body;
        // Clients find system templates by name and group them by category; text, actions and
        // delivery settings are the operator's to change. Resending the current value is fine.
        if (t.kind === 'system') {
          const fixed = [
            ...(b.name !== undefined && b.name !== t.name ? ['name'] : []),
            ...(b.category !== undefined && b.category !== t.group_name ? ['category'] : []),
          ];
          if (fixed.length > 0) {
            throw forbidden(`A system template's ${fixed.join(' and ')} cannot be changed.`);
          }
        }
        await ctx.store.writer.run((tx) =>
          updateTemplate(tx, t.id, {
            ...(b.name !== undefined ? { name: b.name } : {}),
            ...(b.category !== undefined ? { group_name: b.category } : {}),
            ...(b.titleTemplate !== undefined ? { title_template: b.titleTemplate } : {}),
            ...(b.messageTemplate !== undefined ? { body_template: b.messageTemplate } : {}),
            ...(b.actions !== undefined ? { actions: JSON.stringify(b.actions) } : {}),
            ...(b.isActionable !== undefined ? { is_actionable: b.isActionable ? 1 : 0 } : {}),
            ...(b.enabledByDefault !== undefined ? { enabled_by_default: b.enabledByDefault ? 1 : 0 } : {}),
            ...(b.method !== undefined ? { method: b.method } : {}),
            updated_at: ctx.clock.now(),
          }),
        );
        return toView((await getTemplate(ctx.store.db, t.id))!);
      },
    );

    app.delete(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['templates'],
          summary: 'Delete a custom template',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        const t = await getTemplate(ctx.store.db, request.params.id);
        if (!t) throw notFound('Template');
        if (t.kind === 'system') throw forbidden('System templates cannot be deleted.');
        await ctx.store.writer.run((tx) => deleteTemplate(tx, t.id));
        return reply.code(204).send(null);
      },
    );
  };
}
