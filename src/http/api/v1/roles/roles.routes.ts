import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { conflict, forbidden, notFound } from '../../../../domain/errors.ts';
import { newId } from '../../../../domain/ids.ts';
import { PERMISSIONS } from '../../../../domain/principal.ts';
import { isUniqueViolation } from '../../../../services/user.service.ts';
import {
  deleteRole,
  getRole,
  insertRole,
  listRoles,
  type RoleRow,
  updateRole,
} from '../../../../store/role.repository.ts';
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

const toRoleView = (r: RoleRow) => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: JSON.parse(r.permissions) as string[],
  builtin: r.builtin === 1,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Reading accounts needs users.manage; changing them needs full admin, since whoever can grant roles can grant admin. */
const viewer = { scope: 'admin', permission: 'users.manage' } as const;
const admin = { scope: 'admin', permission: 'admin' } as const;

export function rolesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Role and user changes alter what cached access tokens may do.
    app.addHook('onResponse', async (request) => {
      if (request.method !== 'GET') ctx.principals.clear();
    });
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
      async () => ({ roles: (await listRoles(ctx.store.db)).map(toRoleView) }),
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
      async (request) => {
        const role = await getRole(ctx.store.db, request.params.id);
        if (!role) throw notFound('Role');
        return toRoleView(role);
      },
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
      async (request, reply) => {
        const now = ctx.clock.now();
        const row: RoleRow = {
          id: newId(now),
          name: request.body.name,
          description: request.body.description ?? '',
          permissions: JSON.stringify([...new Set(request.body.permissions)]),
          builtin: 0,
          created_at: now,
        };
        try {
          await ctx.store.writer.run((tx) => insertRole(tx, row));
        } catch (err) {
          if (isUniqueViolation(err)) throw conflict('A role with that name exists.', 'name');
          throw err;
        }
        return reply.code(201).send(toRoleView(row));
      },
    );

    app.patch(
      '/:id',
      {
        config: { access: admin },
        schema: {
          tags: ['Roles'],
          summary: "Update a role's description or permissions",
          params: IdParams,
          body: Type.Object({
            description: Type.Optional(Type.String({ maxLength: 500 })),
            permissions: Type.Optional(Type.Array(Permission, { maxItems: PERMISSIONS.length })),
          }),
          response: { 200: Type.Ref('Role'), ...errorResponses(400, 403, 404) },
        },
      },
      async (request) => {
        const role = await getRole(ctx.store.db, request.params.id);
        if (!role) throw notFound('Role');
        if (role.builtin === 1 && request.body.permissions)
          throw forbidden('Built-in roles keep their permissions.');
        await ctx.store.writer.run((tx) =>
          updateRole(tx, role.id, {
            ...(request.body.description !== undefined ? { description: request.body.description } : {}),
            ...(request.body.permissions
              ? { permissions: JSON.stringify([...new Set(request.body.permissions)]) }
              : {}),
          }),
        );
        return toRoleView((await getRole(ctx.store.db, role.id))!);
      },
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
        const role = await getRole(ctx.store.db, request.params.id);
        if (!role) throw notFound('Role');
        if (role.builtin === 1) throw forbidden('Built-in roles cannot be deleted.');
        await ctx.store.writer.run((tx) => deleteRole(tx, role.id));
        return reply.code(204).send(null);
      },
    );
  };
}
