import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { createAccessToken, listTokens, revokeToken } from '../../../../services/access-token.service.ts';
import type { AuthedPrincipal } from '../../../plugins/app/auth.plugin.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams, Nullable } from '../../../schemas/common.schema.ts';
import { fromZentikScopes } from './zentik-scopes.ts';

export const TokenSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    scopes: Type.Array(Type.String()),
    bucketIds: Nullable(Type.Array(Type.String())),
    tenantId: Nullable(Type.String()),
    expiresAt: Nullable(Type.String()),
    lastUsedAt: Nullable(Type.String()),
    createdAt: Type.String(),
  },
  { $id: 'AccessToken' },
);

const NewTokenSchema = Type.Intersect([
  Type.Ref('AccessToken'),
  Type.Object({
    token: Type.String({ description: 'The secret, shown only in this response' }),
    tokenStored: Type.Boolean({ description: 'Always false: Herald stores only a hash' }),
  }),
]);

async function createZentikToken(
  ctx: AppContext,
  principal: AuthedPrincipal,
  input: { name: string; scopes?: string[]; expiresAt?: string; bucketIds?: string[]; tenantId?: string },
) {
  const { scopes, bucketIds } = fromZentikScopes(input.scopes, input.bucketIds);
  const created = await createAccessToken(ctx, principal, {
    ...input,
    scopes,
    ...(bucketIds ? { bucketIds } : {}),
  });
  return { ...created, tokenStored: false };
}

export function accessTokensRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/',
      {
        // A token minting tokens could shed its own bucket, tenant and expiry limits.
        config: { access: { scope: 'account', jwtOnly: true } },
        schema: {
          tags: ['access-tokens'],
          summary:
            'Create an access token (the secret is shown only in this response; needs a login session)',
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 100 }),
            scopes: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 264 }), {
                maxItems: 32,
                description:
                  'Empty or absent: your full access (as in Zentik). `message-bucket-creation:<bucketId>`: ' +
                  'may only create messages in that bucket (and see it).',
              }),
            ),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
            bucketIds: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 }),
            ),
            tenantId: Type.Optional(Type.String({ format: 'uuid' })),
            storeToken: Type.Optional(
              Type.Boolean({
                description:
                  "Zentik's option to keep the secret readable; Herald keeps only its hash (tokenStored is false)",
              }),
            ),
          }),
          response: {
            201: NewTokenSchema,
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request, reply) => {
        const { storeToken: _unused, ...body } = request.body;
        return reply.code(201).send(await createZentikToken(ctx, principalOf(request), body));
      },
    );

    app.post(
      '/bucket/:bucketId',
      {
        config: { access: { scope: 'account', jwtOnly: true } },
        schema: {
          tags: ['access-tokens'],
          summary: 'Create a token that may only create messages in this bucket (Zentik)',
          description: 'The token carries the scope `message-bucket-creation:<bucketId>`.',
          params: Type.Object({ bucketId: Type.String({ minLength: 1, maxLength: 200 }) }),
          body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 100 }) }),
          response: { 201: NewTokenSchema, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(
          await createZentikToken(ctx, principalOf(request), {
            name: request.body.name,
            scopes: [`message-bucket-creation:${request.params.bucketId}`],
          }),
        ),
    );

    app.get(
      '/',
      {
        config: { access: { scope: 'account' } },
        schema: {
          tags: ['access-tokens'],
          summary: 'List your active access tokens (never the secrets)',
          response: { 200: Type.Array(Type.Ref('AccessToken')) },
        },
      },
      async (request) => listTokens(ctx, principalOf(request).userId),
    );

    app.delete(
      '/:id',
      {
        config: { access: { scope: 'account' } },
        schema: {
          tags: ['access-tokens'],
          summary: 'Revoke an access token',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(404) },
        },
      },
      async (request, reply) => {
        await revokeToken(ctx, principalOf(request).userId, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
