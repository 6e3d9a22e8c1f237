import type { Executor } from './database.ts';

export interface RecipientUserRow {
  id: string;
  username: string | null;
  email: string | null;
  displayName: string | null;
  roleIds: string[];
}

/** Accounts a rule may address, by username, each with its role ids. */
export async function listRecipientDirectory(db: Executor): Promise<RecipientUserRow[]> {
  const [users, memberships] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'username', 'email', 'display_name'])
      .where('kind', '=', 'account')
      .orderBy('username')
      .execute(),
    db
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .select(['user_roles.user_id', 'user_roles.role_id'])
      .where('users.kind', '=', 'account')
      .orderBy('user_roles.role_id')
      .execute(),
  ]);
  const roles = new Map<string, string[]>();
  for (const m of memberships) roles.set(m.user_id, [...(roles.get(m.user_id) ?? []), m.role_id]);
  return users.map((u) => ({
    id: u.id,
    username: u.username,
    email: u.email,
    displayName: u.display_name,
    roleIds: roles.get(u.id) ?? [],
  }));
}
