import type { AppContext } from '../context.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Permission } from '../domain/principal.ts';
import {
  deleteRole,
  getRole,
  insertRole,
  listRoles,
  type RoleRow,
  updateRole,
} from '../store/role.repository.ts';
import { isUniqueViolation } from './user.service.ts';

export interface RoleView {
  id: string;
  name: string;
  description: string;
  permissions: string[];
  builtin: boolean;
  createdAt: string;
}

export const toRoleView = (r: RoleRow): RoleView => ({
  id: r.id,
  name: r.name,
  description: r.description,
  permissions: JSON.parse(r.permissions) as string[],
  builtin: r.builtin === 1,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function listRoleViews(ctx: AppContext): Promise<RoleView[]> {
  return (await listRoles(ctx.store.db)).map(toRoleView);
}

/** `ref` is a role id or name. */
export async function getRoleView(ctx: AppContext, ref: string): Promise<RoleView> {
  const role = await getRole(ctx.store.db, ref);
  if (!role) throw notFound('Role');
  return toRoleView(role);
}

export interface NewRoleInput {
  name: string;
  description?: string;
  permissions: readonly Permission[];
}

export async function createRole(ctx: AppContext, input: NewRoleInput): Promise<RoleView> {
  const now = ctx.clock.now();
  const row: RoleRow = {
    id: newId(now),
    name: input.name,
    description: input.description ?? '',
    permissions: JSON.stringify([...new Set(input.permissions)]),
    builtin: 0,
    created_at: now,
  };
  try {
    await ctx.store.writer.run((tx) => insertRole(tx, row));
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict('A role with that name exists.', 'name');
    throw err;
  }
  ctx.principals.clear();
  return toRoleView(row);
}

export async function patchRole(
  ctx: AppContext,
  ref: string,
  patch: { description?: string; permissions?: readonly Permission[] },
): Promise<RoleView> {
  const role = await getRole(ctx.store.db, ref);
  if (!role) throw notFound('Role');
  if (role.builtin === 1 && patch.permissions) throw forbidden('Built-in roles keep their permissions.');
  if (patch.description === undefined && patch.permissions === undefined) {
    throw invalid('(body)', 'must set description or permissions');
  }
  await ctx.store.writer.run((tx) =>
    updateRole(tx, role.id, {
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.permissions ? { permissions: JSON.stringify([...new Set(patch.permissions)]) } : {}),
    }),
  );
  // Cached principals carry the permissions their roles had when they were resolved.
  ctx.principals.clear();
  return toRoleView((await getRole(ctx.store.db, role.id))!);
}

export async function removeRole(ctx: AppContext, ref: string): Promise<void> {
  const role = await getRole(ctx.store.db, ref);
  if (!role) throw notFound('Role');
  if (role.builtin === 1) throw forbidden('Built-in roles cannot be deleted.');
  await ctx.store.writer.run((tx) => deleteRole(tx, role.id));
  ctx.principals.clear();
}
