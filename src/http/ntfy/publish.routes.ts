import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { parseActions } from '../../services/ntfy-format.ts';
import { type NtfyPublishInput, publishNtfyMessage } from '../../services/ntfy-publish.service.ts';
import { ntfyErrors, PublishJsonBody, PublishQuery, TopicParams } from './ntfy.schema.ts';
import { jsonBodyOf, publishInputOf, type RawBody } from './ntfy-body.ts';

const TAGS = ['ntfy'];
const ANSWER = { 200: Type.Ref('NtfyMessage'), ...ntfyErrors(400, 401, 403, 413) };
const BODY_DOC =
  'The body is the message (up to 4096 bytes of UTF-8); with `X-Filename`, or a longer or binary body, it is stored as an attachment. Every parameter may come as a header (X-Title, Title, t, …) or a query parameter; see docs/ntfy.md.';

export interface NtfyRouteOptions {
  reserved: ReadonlySet<string>;
  /** The download link of a stored attachment, for the client of this request. */
  attachmentUrl: (request: FastifyRequest) => (id: string) => string;
}

export function ntfyPublishRoutes(ctx: AppContext, opts: NtfyRouteOptions): FastifyPluginAsyncTypebox {
  const publish = (request: FastifyRequest, input: NtfyPublishInput) =>
    publishNtfyMessage(ctx, request.ntfyCaller, input, opts.reserved, opts.attachmentUrl(request));

  return async (app) => {
    for (const method of ['PUT', 'POST'] as const) {
      app.route({
        method,
        url: '/:topic',
        bodyLimit: ctx.config.maxUploadBytes,
        config: { ntfy: true },
        schema: {
          tags: TAGS,
          operationId: `ntfyPublish${method === 'PUT' ? 'Put' : 'Post'}`,
          summary: 'Publish a message to a topic',
          description: BODY_DOC,
          params: TopicParams,
          querystring: PublishQuery,
          response: ANSWER,
        },
        handler: async (request) =>
          publish(
            request,
            publishInputOf(request, request.params.topic, request.body as RawBody | undefined),
          ),
      });
    }

    for (const verb of ['publish', 'send', 'trigger'] as const) {
      app.get(
        `/:topic/${verb}`,
        {
          config: { ntfy: true },
          schema: {
            tags: TAGS,
            operationId: `ntfyPublishGet${verb[0].toUpperCase()}${verb.slice(1)}`,
            summary: `Publish with GET (/${verb})`,
            description:
              'The message comes from `message` (or `m`, `X-Message`); everything else as for PUT.',
            params: TopicParams,
            querystring: PublishQuery,
            response: ANSWER,
          },
        },
        async (request) => publish(request, publishInputOf(request, request.params.topic)),
      );
    }

    for (const method of ['PUT', 'POST'] as const) {
      app.route({
        method,
        url: '/',
        config: { ntfy: true },
        // ntfy reads the body as JSON whatever its Content-Type (`curl -d '{…}'` sends a form type).
        preValidation: async (request) => {
          request.body = jsonBodyOf(request.body as unknown as RawBody | undefined) as never;
        },
        schema: {
          tags: TAGS,
          operationId: `ntfyPublishJson${method === 'PUT' ? 'Put' : 'Post'}`,
          summary: 'Publish a message as JSON (the topic is in the body)',
          body: PublishJsonBody,
          response: ANSWER,
        },
        handler: async (request) => {
          const b = request.body;
          const base = publishInputOf(request, b.topic);
          const input: NtfyPublishInput = {
            ...base,
            ...(b.message !== undefined ? { message: b.message } : {}),
            ...(b.title ? { title: b.title } : {}),
            ...(b.priority ? { priority: b.priority } : {}),
            ...(b.tags && b.tags.length > 0 ? { tags: b.tags } : {}),
            ...(b.click ? { click: b.click } : {}),
            ...(b.icon ? { icon: b.icon } : {}),
            ...(b.attach ? { attach: b.attach } : {}),
            ...(b.filename ? { filename: b.filename } : {}),
            ...(b.actions && b.actions.length > 0 ? { actions: parseActions(b.actions) } : {}),
            ...(b.markdown ? { markdown: true } : {}),
            ...(b.delay ? { delay: b.delay } : {}),
            ...(b.email ? { email: b.email } : {}),
          };
          return publish(request, input);
        },
      });
    }
  };
}
