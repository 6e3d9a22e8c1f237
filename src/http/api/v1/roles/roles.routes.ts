import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { PERMISSIONS } from '../../../../domain/principal.ts';
import {
  createRole,
  getRoleView,
  listRoleViews,
  patchRole,
  removeRole,
} from '../../../../services/role.service.ts';
import { errorResponses, IdParams } from '../../../schemas/common.schema.ts';

export const RoleSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Type.String(),
    permissions: Type.Array(Type.String()),
    builtin: Type.Boolean(),
    createdAt: Type.String(),
  },
  { $id: 'Role' },
);

const Permission = Type.Union(PERMISSIONS.map((p) => Type.Literal(p)));

/** Reading accounts needs users.manage; changing them needs full admin, since whoever can grant roles can grant admin. */
const viewer = { scope: 'admin', permission: 'users.manage' } as const;
const admin = { scope: 'admin', permission: 'admin' } as const;

export function rolesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/',
      {
        config: { access: viewer },
        schema: {
          tags: ['Roles'],
          summary: 'List roles',
          response: { 200: Type.Object({ roles: Type.Array(Type.Ref('Role')) }) },
        },
      },
      async () => ({ roles: await listRoleViews(ctx) }),
    );

    app.get(
      '/:id',
      {
        config: { access: viewer },
        schema: {
          tags: ['Roles'],
          summary: 'Get a role by id or name',
          params: IdParams,
          response: { 200: Type.Ref('Role'), ...errorResponses(404) },
        },
      },
      async (request) => getRoleView(ctx, request.params.id),
    );

    app.post(
      '/',
      {
        config: { access: admin },
        schema: {
          tags: ['Roles'],
          summary: 'Create a role',
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' }),
            description: Type.Optional(Type.String({ maxLength: 500 })),
            permissions: Type.Array(Permission, { maxItems: PERMISSIONS.length }),
          }),
          response: { 201: Type.Ref('Role'), ...errorResponses(400, 409) },
        },
      },
      async (request, reply) => reply.code(201).send(await createRole(ctx, request.body)),
    );

    app.patch(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['Roles'],
          summary: "Update a role's description or permissions",
          params: IdParams,
          body: Type.Object(
            {
              description: Type.Optional(Type.String({ maxLength: 500 })),
              permissions: Type.Optional(Type.Array(Permission, { maxItems: PERMISSIONS.length })),
            },
            { minProperties: 1 },
          ),
          response: { 200: Type.Ref('Role'), ...errorResponses(400, 403, 404) },
        },
      },
      async (request) => patchRole(ctx, request.params.id, request.body),
    );

    app.delete(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['Roles'],
          summary: 'Delete a custom role',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        await removeRole(ctx, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
