import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  createTemplate,
  getTemplateView,
  listTemplateViews,
  patchTemplate,
  removeTemplate,
} from '../../../../services/template.service.ts';
import { previewTemplate } from '../../../../services/template-preview.service.ts';
import { errorResponses, IdParams, Nullable } from '../../../schemas/common.schema.ts';

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
      async (request) => listTemplateViews(ctx, request.query.kind),
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
      async (request) => getTemplateView(ctx, request.params.id),
    );

    app.post(
      '/preview',
      {
        config: { access: admin },
        schema: {
          tags: ['templates'],
          summary:
            'Render a template draft with sample values (markdown, HTML and plaintext); nothing is saved',
          body: Type.Object({
            titleTemplate: Type.String({ maxLength: 500 }),
            messageTemplate: fields.messageTemplate,
            values: Type.Optional(
              Type.Record(Type.String({ maxLength: 200 }), Type.Unknown(), {
                maxProperties: 200,
                description: 'Sample placeholder values; placeholders without one render as {{name}}',
              }),
            ),
          }),
          response: {
            200: Type.Object({
              title: Type.Object({ markdown: Type.String(), plaintext: Type.String() }),
              message: Type.Object({
                markdown: Type.String(),
                plaintext: Type.String(),
                html: Type.String(),
              }),
              placeholders: Type.Array(Type.String()),
              missing: Type.Array(Type.String()),
            }),
            ...errorResponses(400, 403),
          },
        },
      },
      async (request) => previewTemplate(request.body),
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
      async (request, reply) => reply.code(201).send(await createTemplate(ctx, request.body)),
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
      async (request) => patchTemplate(ctx, request.params.id, request.body),
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
        await removeTemplate(ctx, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
