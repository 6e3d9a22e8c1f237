import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  createUser,
  getUserView,
  listUserViews,
  patchUser,
  removeUser,
  setPassword,
} from '../../../../services/user.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams, Nullable } from '../../../schemas/common.schema.ts';

export const UserSchema = Type.Object(
  {
    id: Type.String(),
    email: Nullable(Type.String()),
    username: Nullable(Type.String()),
    displayName: Nullable(Type.String()),
    kind: Type.String(),
    roles: Type.Array(Type.String()),
    lockedUntil: Nullable(Type.String()),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'User' },
);

/** Reading accounts needs users.manage; changing them needs full admin, since whoever can grant roles can grant admin. */
const viewer = { scope: 'admin', permission: 'users.manage' } as const;
const admin = { scope: 'admin', permission: 'admin' } as const;

export function usersRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/',
      {
        config: { access: admin },
        schema: {
          tags: ['Users'],
          summary: 'Create a user',
          body: Type.Object({
            email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
            password: Type.Optional(Type.String({ minLength: 8, maxLength: 1024 })),
            displayName: Type.Optional(Type.String({ maxLength: 200 })),
            roles: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
          }),
          response: { 201: Type.Ref('User'), ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(await createUser(ctx, request.body)),
    );

    app.get(
      '/',
      {
        config: { access: viewer },
        schema: {
          tags: ['Users'],
          summary: 'List users',
          querystring: Type.Object({
            page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
            limit: Type.Integer({ minimum: 1, maximum: 200, default: 50 }),
          }),
          response: {
            200: Type.Object({
              users: Type.Array(Type.Ref('User')),
              total: Type.Integer(),
              page: Type.Integer(),
              limit: Type.Integer(),
            }),
          },
        },
      },
      async (request) => {
        const { page, limit } = request.query;
        const { users, total } = await listUserViews(ctx, page, limit);
        return { users, total, page, limit };
      },
    );

    app.get(
      '/:id',
      {
        config: { access: viewer },
        schema: {
          tags: ['Users'],
          summary: 'Get a user',
          params: IdParams,
          response: { 200: Type.Ref('User'), ...errorResponses(404) },
        },
      },
      async (request) => getUserView(ctx, request.params.id),
    );

    app.patch(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['Users'],
          summary: 'Update a user',
          params: IdParams,
          body: Type.Object({
            email: Type.Optional(Type.String({ format: 'email', maxLength: 320 })),
            username: Type.Optional(
              Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
            ),
            displayName: Type.Optional(Nullable(Type.String({ maxLength: 200 }))),
            roles: Type.Optional(Type.Array(Type.String(), { maxItems: 50 })),
            unlock: Type.Optional(Type.Boolean()),
          }),
          response: { 200: Type.Ref('User'), ...errorResponses(400, 404, 409) },
        },
      },
      async (request) => patchUser(ctx, principalOf(request).userId, request.params.id, request.body),
    );

    app.put(
      '/:id/password',
      {
        config: { access: admin },
        schema: {
          tags: ['Users'],
          summary: "Set a user's password (also unlocks the account)",
          params: IdParams,
          body: Type.Object({ password: Type.String({ minLength: 8, maxLength: 1024 }) }),
          response: { 204: Type.Null(), ...errorResponses(400, 404) },
        },
      },
      async (request, reply) => {
        await setPassword(ctx, request.params.id, request.body.password);
        return reply.code(204).send(null);
      },
    );

    app.delete(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['Users'],
          summary: 'Delete a user',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        await removeUser(ctx, principalOf(request).userId, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
