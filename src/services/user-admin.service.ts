import type { AppContext } from '../context.ts';
import { notFound } from '../domain/errors.ts';
import { findUserByRef, listUsers, roleNamesOf } from '../store/user.repository.ts';
import { getUserView, setPassword, toUserView, type UserView } from './user.service.ts';

/**
 * Account chores an operator does on the local store (`herald user passwd|list`), beside the
 * HTTP users API that needs an admin session.
 */

/** Sets a new password for the user named by id, email or username; also unlocks the account. */
export async function changePassword(ctx: AppContext, ref: string, password: string): Promise<UserView> {
  const row = await findUserByRef(ctx.store.db, ref.trim());
  if (row?.kind !== 'account') throw notFound('User');
  await setPassword(ctx, row.id, password);
  return getUserView(ctx, row.id);
}

/** Accounts (not recipient-only records), oldest first. */
export async function listAccounts(
  ctx: AppContext,
  page: { limit: number; offset: number },
): Promise<{ users: UserView[]; total: number }> {
  const { rows, total } = await listUsers(ctx.store.db, { ...page, kind: 'account' });
  const roles = await roleNamesOf(
    ctx.store.db,
    rows.map((r) => r.id),
  );
  return { users: rows.map((r) => toUserView(r, roles.get(r.id) ?? [])), total };
}
