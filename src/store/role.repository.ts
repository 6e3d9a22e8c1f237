import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Executor } from './database.ts';
import type { RoleTable } from './user.table.ts';

export type RoleRow = Selectable<RoleTable>;

export async function listRoles(db: Executor): Promise<RoleRow[]> {
  return db.selectFrom('roles').selectAll().orderBy('name').execute();
}

export async function getRole(db: Executor, idOrName: string): Promise<RoleRow | undefined> {
  return db
    .selectFrom('roles')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
}

export async function getRolesByRefs(db: Executor, refs: readonly string[]): Promise<RoleRow[]> {
  if (refs.length === 0) return [];
  return db
    .selectFrom('roles')
    .selectAll()
    .where((eb) => eb.or([eb('id', 'in', refs), eb('name', 'in', refs)]))
    .execute();
}

export async function insertRole(db: Executor, row: Insertable<RoleTable>): Promise<void> {
  await db.insertInto('roles').values(row).execute();
}

export async function updateRole(db: Executor, id: string, patch: Updateable<RoleTable>): Promise<void> {
  await db.updateTable('roles').set(patch).where('id', '=', id).execute();
}

export async function deleteRole(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom('roles').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}
