import type { AppContext } from '../context.ts';
import { notFound } from '../domain/errors.ts';
import { findUserByRef, listUsers } from '../store/user.repository.ts';
import { getUserView, setPassword, type UserView, viewUsers } from './user.service.ts';

/**
 * Account chores an operator does on the local store (`herald user passwd|list`), beside the
 * HTTP users API that needs an admin session.
 */

/** Sets a new password for the user named by id, email or username; also unlocks the account. */
export async function changePassword(ctx: AppContext, ref: string, password: string): Promise<UserView> {
  const row = await findUserByRef(ctx.store.db, ref.trim());
  if (row?.kind !== 'account') throw notFound('User');
  await setPassword(ctx, row.id, password);
  ctx.principals.clear();
  return getUserView(ctx, row.id);
}

/** Accounts (not recipient-only records), oldest first. */
export async function listAccounts(
  ctx: AppContext,
  page: { limit: number; offset: number },
): Promise<{ users: UserView[]; total: number }> {
  const { rows, total } = await listUsers(ctx.store.db, { ...page, kind: 'account' });
  return { users: await viewUsers(ctx.store.db, rows), total };
}
