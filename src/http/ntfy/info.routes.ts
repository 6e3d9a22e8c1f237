import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.ts';
import { unauthorized } from '../../domain/errors.ts';
import { isAdmin } from '../../domain/principal.ts';
import { issueNtfyToken } from '../../services/ntfy-account.service.ts';
import { splitList } from '../../services/ntfy-format.ts';
import { getTopicAccess, resolveTopics, setTopicAccess } from '../../services/ntfy-topic.service.ts';
import { ntfyErrors, TopicAccessBody, TopicAccessSchema, TopicParams, TopicsParams } from './ntfy.schema.ts';
import type { NtfyRouteOptions } from './publish.routes.ts';

const TAGS = ['ntfy'];

/** What ntfy's apps ask on connect: health, the web app's config, credentials, the account. */
export function ntfyInfoRoutes(ctx: AppContext, opts: NtfyRouteOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/v1/health',
      {
        config: { ntfy: true },
        schema: {
          tags: TAGS,
          operationId: 'ntfyHealth',
          summary: 'Health as ntfy answers it',
          response: { 200: Type.Object({ healthy: Type.Boolean() }) },
        },
      },
      async () => ({ healthy: true }),
    );

    app.get(
      '/config.js',
      {
        schema: {
          tags: TAGS,
          operationId: 'ntfyWebConfig',
          summary: "The ntfy web app's server configuration",
          response: { 200: Type.String() },
        },
      },
      async (_request, reply) => {
        const config = {
          base_url: '',
          app_root: '/',
          enable_login: true,
          enable_signup: false,
          enable_payments: false,
          enable_calls: false,
          enable_emails: false,
          enable_reservations: false,
          enable_web_push: false,
          billing_contact: '',
          web_push_public_key: '',
          disallowed_topics: [...opts.reserved].sort(),
        };
        return reply
          .type('text/javascript')
          .header('cache-control', 'no-cache')
          .send(`// Generated server configuration\nvar config = ${JSON.stringify(config, null, 2)};\n`);
      },
    );

    app.get(
      '/:topic/auth',
      {
        config: { ntfy: true },
        schema: {
          tags: TAGS,
          operationId: 'ntfyTopicAuth',
          summary: 'Check that the credentials may read the topics (the apps ask before subscribing)',
          params: TopicsParams,
          response: { 200: Type.Object({ success: Type.Boolean() }), ...ntfyErrors(400, 401, 403) },
        },
      },
      async (request) => {
        await resolveTopics(ctx, request.ntfyCaller, splitList(request.params.topic), 'read', opts.reserved);
        return { success: true };
      },
    );

    app.get(
      '/v1/account',
      {
        config: { ntfy: true },
        schema: {
          tags: TAGS,
          operationId: 'ntfyAccount',
          summary: 'The caller as an ntfy account (anonymous without credentials)',
          response: {
            200: Type.Object({
              username: Type.String(),
              role: Type.String(),
              language: Type.Optional(Type.String()),
              notification: Type.Object({}, { additionalProperties: true }),
              subscriptions: Type.Array(Type.Object({}, { additionalProperties: true })),
              reservations: Type.Array(Type.Object({}, { additionalProperties: true })),
              limits: Type.Object({}, { additionalProperties: true }),
              stats: Type.Object({}, { additionalProperties: true }),
            }),
            ...ntfyErrors(401),
          },
        },
      },
      async (request) => {
        const caller = request.ntfyCaller;
        return {
          username: caller ? (caller.username ?? caller.email ?? caller.userId) : '*',
          role: caller ? (isAdmin(caller) ? 'admin' : 'user') : 'anonymous',
          notification: {},
          subscriptions: [],
          reservations: [],
          limits: { basis: 'ip', messages: 0, attachment_file_size: ctx.config.maxUploadBytes },
          stats: { messages: 0 },
        };
      },
    );

    app.post(
      '/v1/account/token',
      {
        config: { ntfy: true },
        // ntfy's web app may send no body at all: that is the empty request.
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          tags: TAGS,
          operationId: 'ntfyAccountTokenCreate',
          summary: "Issue an access token from a login (ntfy's web app logs in this way)",
          description:
            'Basic credentials (or a login JWT) only. The token is a Herald access token (`zat_…`) with the scopes `messages:create messages:read`, expiring after `expires` (unix seconds) or 72 hours.',
          body: Type.Object({
            label: Type.Optional(Type.String({ maxLength: 200 })),
            expires: Type.Optional(Type.Integer({ minimum: 0 })),
          }),
          response: {
            200: Type.Object({
              token: Type.String(),
              label: Type.Optional(Type.String()),
              last_access: Type.Integer(),
              last_origin: Type.String(),
              expires: Type.Integer(),
            }),
            ...ntfyErrors(400, 401, 403),
          },
        },
      },
      async (request) => {
        if (!request.ntfyCaller) throw unauthorized('log in with Basic credentials');
        return issueNtfyToken(ctx, request.ntfyCaller, request.body ?? {}, request.ip);
      },
    );

    app.get(
      '/v1/topics/:topic/access',
      {
        config: { ntfy: true },
        schema: {
          tags: TAGS,
          operationId: 'ntfyTopicAccessGet',
          summary: "A topic's anonymous access (Herald's own; bucket admins)",
          params: TopicParams,
          response: { 200: TopicAccessSchema, ...ntfyErrors(401, 403, 404) },
        },
      },
      async (request) => {
        if (!request.ntfyCaller) throw unauthorized('send credentials of a bucket admin');
        return getTopicAccess(ctx, request.ntfyCaller, request.params.topic);
      },
    );

    app.put(
      '/v1/topics/:topic/access',
      {
        config: { ntfy: true },
        schema: {
          tags: TAGS,
          operationId: 'ntfyTopicAccessPut',
          summary:
            "Allow or refuse anonymous reading and publishing on a topic (Herald's own; bucket admins)",
          params: TopicParams,
          body: TopicAccessBody,
          response: { 200: TopicAccessSchema, ...ntfyErrors(400, 401, 403, 404) },
        },
      },
      async (request) => {
        if (!request.ntfyCaller) throw unauthorized('send credentials of a bucket admin');
        return setTopicAccess(ctx, request.ntfyCaller, request.params.topic, request.body);
      },
    );
  };
}
