import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { createAccessToken, listTokens, revokeToken } from '../../../../services/access-token.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams, Nullable } from '../../../schemas/common.schema.ts';

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
            scopes: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { minItems: 1, maxItems: 32 }),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
            bucketIds: Type.Optional(
              Type.Array(Type.String({ minLength: 1, maxLength: 200 }), { maxItems: 100 }),
            ),
            tenantId: Type.Optional(Type.String({ format: 'uuid' })),
          }),
          response: {
            201: Type.Intersect([Type.Ref('AccessToken'), Type.Object({ token: Type.String() })]),
            ...errorResponses(400, 401, 403),
          },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createAccessToken(ctx, principalOf(request), request.body)),
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
