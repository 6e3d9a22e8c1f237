import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { notFound } from '../../domain/errors.ts';
import {
  deleteGotifyMessageOf,
  deleteGotifyMessagesOf,
  type GotifyPage,
  listGotifyMessagesOf,
  sendGotifyMessage,
} from '../../services/gotify-message.service.ts';
import { principalOf } from '../plugins/app/auth.plugin.ts';
import { CreateMessageBody, Deleted, GotifyIdParams, gotifyErrors, PagingQuery } from './gotify.schema.ts';

const TAGS = ['Gotify'];

/** Gotify's paged answer; `next` is the relative link to the following page. */
function paged(request: FastifyRequest, page: GotifyPage, limit: number) {
  const path = request.url.split('?')[0];
  return {
    messages: page.messages,
    paging: {
      size: page.messages.length,
      since: page.since,
      limit,
      ...(page.since > 0
        ? { next: `${path}?${new URLSearchParams({ limit: String(limit), since: String(page.since) })}` }
        : {}),
    },
  };
}

export function gotifyMessageRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/message',
      {
        config: { gotify: { scope: 'messages:create' } },
        schema: {
          tags: TAGS,
          summary: 'Create a message (application token; or a client with `appid`)',
          description:
            'JSON, urlencoded or multipart fields. `extras.client::display.contentType = "text/markdown"` marks the body as markdown (else plain text); `extras.client::notification.click.url` becomes the tap action.',
          body: CreateMessageBody,
          response: { 200: Type.Ref('GotifyMessage'), ...gotifyErrors(400, 401, 403) },
        },
      },
      async (request) => {
        const { title, priority, extras, ...rest } = request.body;
        const key = request.headers['idempotency-key'];
        return sendGotifyMessage(
          ctx,
          principalOf(request),
          {
            ...rest,
            ...(title != null ? { title } : {}),
            ...(priority != null ? { priority } : {}),
            ...(extras != null ? { extras } : {}),
          },
          typeof key === 'string' && key ? key : undefined,
        );
      },
    );

    app.get(
      '/message',
      {
        config: { gotify: { scope: 'inbox:read' } },
        schema: {
          tags: TAGS,
          summary: 'Your messages, newest first (since: ids below it)',
          querystring: PagingQuery,
          response: { 200: Type.Ref('GotifyPagedMessages'), ...gotifyErrors(400, 401, 403) },
        },
      },
      async (request) => {
        const { limit, since } = request.query;
        return paged(request, await listGotifyMessagesOf(ctx, principalOf(request), { limit, since }), limit);
      },
    );

    app.get(
      '/application/:id/message',
      {
        config: { gotify: { scope: 'inbox:read' } },
        schema: {
          tags: TAGS,
          summary: "One application's messages, newest first",
          params: GotifyIdParams,
          querystring: PagingQuery,
          response: { 200: Type.Ref('GotifyPagedMessages'), ...gotifyErrors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const { limit, since } = request.query;
        const page = await listGotifyMessagesOf(ctx, principalOf(request), {
          limit,
          since,
          appId: request.params.id,
        });
        return paged(request, page, limit);
      },
    );

    app.delete(
      '/message',
      {
        config: { gotify: { scope: 'inbox:write' } },
        schema: {
          tags: TAGS,
          summary: 'Delete all your messages',
          response: { 200: Deleted, ...gotifyErrors(401, 403) },
        },
      },
      async (request, reply) => {
        await deleteGotifyMessagesOf(ctx, principalOf(request));
        return reply.code(200).send(null);
      },
    );

    app.delete(
      '/message/:id',
      {
        config: { gotify: { scope: 'inbox:write' } },
        schema: {
          tags: TAGS,
          summary: 'Delete one of your messages',
          params: GotifyIdParams,
          response: { 200: Deleted, ...gotifyErrors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        if (!(await deleteGotifyMessageOf(ctx, principalOf(request), request.params.id))) {
          throw notFound(`Message ${request.params.id}`);
        }
        return reply.code(200).send(null);
      },
    );

    app.delete(
      '/application/:id/message',
      {
        config: { gotify: { scope: 'inbox:write' } },
        schema: {
          tags: TAGS,
          summary: "Delete one application's messages",
          params: GotifyIdParams,
          response: { 200: Deleted, ...gotifyErrors(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await deleteGotifyMessagesOf(ctx, principalOf(request), request.params.id);
        return reply.code(200).send(null);
      },
    );
  };
}
