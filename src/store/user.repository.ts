import type { Insertable, Selectable, Updateable } from 'kysely';
import { sql } from 'kysely';
import type { Executor } from './database.ts';
import type { UserTable } from './user.table.ts';

export type UserRow = Selectable<UserTable>;

export async function findUserByLogin(db: Executor, identifier: string): Promise<UserRow | undefined> {
  const lowered = identifier.toLowerCase();
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('email', '=', lowered), eb('username', '=', identifier)]))
    .where('kind', '=', 'account')
    .executeTakeFirst();
}

export async function getUserById(db: Executor, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Finds a user by id, username or email, in that order. */
export async function findUserByRef(db: Executor, ref: string): Promise<UserRow | undefined> {
  return db
    .selectFrom('users')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', ref), eb('username', '=', ref), eb('email', '=', ref.toLowerCase())]))
    .orderBy(sql`case when id = ${ref} then 0 when username = ${ref} then 1 else 2 end`)
    .executeTakeFirst();
}

export async function countAccounts(db: Executor): Promise<number> {
  const row = await db
    .selectFrom('users')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('kind', '=', 'account')
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function listUsers(
  db: Executor,
  opts: { limit: number; offset: number; kind?: string },
): Promise<{ rows: UserRow[]; total: number }> {
  let q = db.selectFrom('users');
  if (opts.kind) q = q.where('kind', '=', opts.kind);
  const [rows, total] = await Promise.all([
    q.selectAll().orderBy('created_at').orderBy('id').limit(opts.limit).offset(opts.offset).execute(),
    q.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { rows, total: Number(total.n) };
}

export async function insertUser(db: Executor, row: Insertable<UserTable>): Promise<void> {
  await db.insertInto('users').values(row).execute();
}

export async function updateUser(db: Executor, id: string, patch: Updateable<UserTable>): Promise<boolean> {
  const res = await db.updateTable('users').set(patch).where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deleteUser(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom('users').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** Role names per user, for many users in one query. */
export async function roleNamesOf(db: Executor, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (userIds.length === 0) return out;
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select(['user_roles.user_id', 'roles.name'])
    .where('user_roles.user_id', 'in', userIds)
    .orderBy('roles.name')
    .execute();
  for (const r of rows) {
    const list = out.get(r.user_id) ?? [];
    list.push(r.name);
    out.set(r.user_id, list);
  }
  return out;
}

export async function permissionsOf(db: Executor, userId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('user_roles')
    .innerJoin('roles', 'roles.id', 'user_roles.role_id')
    .select('roles.permissions')
    .where('user_roles.user_id', '=', userId)
    .execute();
  const perms = new Set<string>();
  for (const r of rows) for (const p of JSON.parse(r.permissions) as string[]) perms.add(p);
  return perms;
}

export async function setUserRoles(db: Executor, userId: string, roleIds: readonly string[]): Promise<void> {
  await db.deleteFrom('user_roles').where('user_id', '=', userId).execute();
  if (roleIds.length > 0) {
    await db
      .insertInto('user_roles')
      .values(roleIds.map((role_id) => ({ user_id: userId, role_id })))
      .execute();
  }
}

export async function recordFailedLogin(
  db: Executor,
  id: string,
  lockAt: number,
  lockedUntil: number,
  now: number,
): Promise<{ failedLogins: number; locked: boolean }> {
  const row = await db
    .updateTable('users')
    .set((eb) => ({ failed_logins: eb('failed_logins', '+', 1), updated_at: now }))
    .where('id', '=', id)
    .returning('failed_logins')
    .executeTakeFirstOrThrow();
  const locked = row.failed_logins >= lockAt;
  if (locked) {
    await db
      .updateTable('users')
      .set({ locked_until: lockedUntil, failed_logins: 0 })
      .where('id', '=', id)
      .execute();
  }
  return { failedLogins: row.failed_logins, locked };
}
