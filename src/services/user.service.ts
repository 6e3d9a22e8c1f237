import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '../config/defaults.ts';
import type { AppContext } from '../context.ts';
import { conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { BUILTIN_ROLES } from '../domain/principal.ts';
import { insertEvents } from '../store/event.repository.ts';
import { getRolesByRefs, insertRole, listRoles } from '../store/role.repository.ts';
import { getSetting, putSetting } from '../store/setting.repository.ts';
import {
  countAccounts,
  deleteUser,
  findUserByRef,
  getUserById,
  insertUser,
  listUsers,
  roleNamesOf,
  setUserRoles,
  type UserRow,
  updateUser,
} from '../store/user.repository.ts';
import { ensureSystemTemplates } from '../templates/system-templates.ts';
import { hashPassword } from './password.ts';

export interface UserView {
  id: string;
  email: string | null;
  username: string | null;
  displayName: string | null;
  kind: string;
  roles: string[];
  lockedUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export const toUserView = (row: UserRow, roles: string[]): UserView => ({
  id: row.id,
  email: row.email,
  username: row.username,
  displayName: row.display_name,
  kind: row.kind,
  roles,
  lockedUntil: row.locked_until ? new Date(row.locked_until).toISOString() : null,
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

async function viewUsers(ctx: AppContext, rows: UserRow[]): Promise<UserView[]> {
  const roles = await roleNamesOf(
    ctx.store.db,
    rows.map((r) => r.id),
  );
  return rows.map((r) => toUserView(r, roles.get(r.id) ?? []));
}

export async function getUserView(ctx: AppContext, id: string): Promise<UserView> {
  const row = await getUserById(ctx.store.db, id);
  if (!row) throw notFound('User');
  return (await viewUsers(ctx, [row]))[0];
}

/** One page of users; `page` counts from 1. */
export async function listUserViews(
  ctx: AppContext,
  page: number,
  limit: number,
): Promise<{ users: UserView[]; total: number }> {
  const { rows, total } = await listUsers(ctx.store.db, { limit, offset: (page - 1) * limit });
  return { users: await viewUsers(ctx, rows), total };
}

/** Creates the built-in roles if they are missing. Idempotent. */
export async function ensureBuiltinRoles(ctx: AppContext): Promise<void> {
  const existing = new Set((await listRoles(ctx.store.db)).map((r) => r.name));
  const now = ctx.clock.now();
  for (const role of Object.values(BUILTIN_ROLES)) {
    if (existing.has(role.name)) continue;
    await insertRole(ctx.store.db, {
      id: newId(now),
      name: role.name,
      description: role.description,
      permissions: JSON.stringify(role.permissions),
      builtin: 1,
      created_at: now,
    }).catch(() => {}); // another process created it first
  }
}

export interface NewUserInput {
  email?: string;
  username?: string;
  password?: string;
  displayName?: string;
  roles?: string[];
}

const USERNAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export async function createUser(ctx: AppContext, input: NewUserInput): Promise<UserView> {
  const email = input.email?.trim().toLowerCase();
  const username =
    input.username?.trim() || (email ? email.split('@')[0].replace(/[^A-Za-z0-9._-]/g, '') : undefined);
  if (!email && !input.username) throw invalid('email', 'an email or a username is required');
  if (username !== undefined && !USERNAME_RE.test(username)) {
    throw invalid(
      'username',
      'must be 1-64 letters, digits, dots, dashes or underscores, starting with a letter or digit',
    );
  }
  if (input.password !== undefined && input.password.length < DEFAULTS.minPasswordLength) {
    throw invalid('password', `must be at least ${DEFAULTS.minPasswordLength} characters`);
  }
  const roleRefs = input.roles && input.roles.length > 0 ? input.roles : ['member'];
  const roles = await getRolesByRefs(ctx.store.db, roleRefs);
  const unknown = roleRefs.filter((r) => !roles.some((x) => x.id === r || x.name === r));
  if (unknown.length > 0) throw invalid('roles', `unknown role: ${unknown.join(', ')}`);
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  const now = ctx.clock.now();
  const id = newId(now);
  try {
    await ctx.store.writer.run(async (tx) => {
      await insertUser(tx, {
        id,
        email: email ?? null,
        username: username ?? null,
        password_hash: passwordHash,
        display_name: input.displayName ?? null,
        kind: 'account',
        tenant_id: null,
        created_at: now,
        updated_at: now,
      });
      await setUserRoles(
        tx,
        id,
        roles.map((r) => r.id),
      );
      await insertEvents(
        tx,
        [{ id: newId(now), name: 'user.created', fields: { userId: id, email, username }, occurredAt: now }],
        now,
      );
    });
  } catch (err) {
    if (isUniqueViolation(err)) {
      const taken = email && (await findUserByRef(ctx.store.db, email)) ? 'email' : 'username';
      throw conflict(`A user with that ${taken} already exists.`, taken);
    }
    throw err;
  }
  return getUserView(ctx, id);
}

export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string };
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

export interface UserPatch {
  email?: string;
  username?: string;
  displayName?: string | null;
  roles?: string[];
  /** Clears a lockout after failed logins. */
  unlock?: boolean;
}

/** `actorId` is the user making the change: nobody may take away their own admin role. */
export async function patchUser(
  ctx: AppContext,
  actorId: string,
  id: string,
  patch: UserPatch,
): Promise<UserView> {
  if (!(await getUserById(ctx.store.db, id))) throw notFound('User');
  let roleIds: string[] | undefined;
  if (patch.roles) {
    const refs = patch.roles;
    const roles = await getRolesByRefs(ctx.store.db, refs);
    const unknown = refs.filter((r) => !roles.some((x) => x.id === r || x.name === r));
    if (unknown.length > 0) throw invalid('roles', `unknown role: ${unknown.join(', ')}`);
    if (id === actorId && !roles.some((r) => r.name === 'admin')) {
      throw forbidden('You cannot remove your own admin role.');
    }
    roleIds = roles.map((r) => r.id);
  }
  try {
    await ctx.store.writer.run(async (tx) => {
      await updateUser(tx, id, {
        ...(patch.email !== undefined ? { email: patch.email.toLowerCase() } : {}),
        ...(patch.username !== undefined ? { username: patch.username } : {}),
        ...(patch.displayName !== undefined ? { display_name: patch.displayName } : {}),
        ...(patch.unlock ? { locked_until: null, failed_logins: 0 } : {}),
        updated_at: ctx.clock.now(),
      });
      if (roleIds) await setUserRoles(tx, id, roleIds);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw conflict('That email or username is taken.', patch.email ? 'email' : 'username');
    throw err;
  }
  // Cached principals carry the roles and lockout their user had when they were resolved.
  ctx.principals.clear();
  return getUserView(ctx, id);
}

/** Deletes an account (not the caller's own) and records a `user.deleted` event. */
export async function removeUser(ctx: AppContext, actorId: string, id: string): Promise<void> {
  if (id === actorId) throw forbidden('You cannot delete yourself.');
  const now = ctx.clock.now();
  const revocations = [{ kind: 'user' as const, userId: id }];
  const deleted = await ctx.store.writer.run(async (tx) => {
    const ok = await deleteUser(tx, id);
    if (ok) await ctx.inboxEvents.revokeInTx(tx, revocations);
    if (ok)
      await insertEvents(
        tx,
        [{ id: newId(now), name: 'user.deleted', fields: { userId: id }, occurredAt: now }],
        now,
      );
    return ok;
  });
  ctx.principals.clear();
  if (!deleted) throw notFound('User');
  ctx.inboxEvents.revoked(revocations);
}

export async function setPassword(ctx: AppContext, userId: string, password: string): Promise<void> {
  if (password.length < DEFAULTS.minPasswordLength) {
    throw invalid('password', `must be at least ${DEFAULTS.minPasswordLength} characters`);
  }
  const passwordHash = await hashPassword(password);
  const ok = await ctx.store.writer.run((tx) =>
    updateUser(tx, userId, {
      password_hash: passwordHash,
      failed_logins: 0,
      locked_until: null,
      updated_at: ctx.clock.now(),
    }),
  );
  ctx.principals.clear();
  if (!ok) throw notFound('User');
  if (await hasGeneratedPassword(ctx, userId)) {
    await putSetting(ctx.store.db, GENERATED_PASSWORD_KEY, null, ctx.clock.now());
  }
}

/** Settings key naming the account whose password Herald generated and nobody has changed yet. */
const GENERATED_PASSWORD_KEY = 'auth.generated_password_user';

/** True while `userId` still has the password generated at first start (the app asks for a new one). */
export async function hasGeneratedPassword(ctx: AppContext, userId: string): Promise<boolean> {
  return (await getSetting<string | null>(ctx.store.db, GENERATED_PASSWORD_KEY)) === userId;
}

/**
 * First start: with no account at all, create the admin from HERALD_ADMIN_EMAIL/PASSWORD,
 * or generate a password and log it once.
 */
export async function bootstrapAdmin(ctx: AppContext): Promise<{ email: string; password: string } | null> {
  await ensureBuiltinRoles(ctx);
  await ensureSystemTemplates(ctx);
  if ((await countAccounts(ctx.store.db)) > 0) return null;
  const email = ctx.config.adminEmail ?? 'admin@localhost';
  const generated = ctx.config.adminPassword === undefined;
  const password = ctx.config.adminPassword ?? randomBytes(12).toString('base64url');
  try {
    const admin = await createUser(ctx, { email, username: 'admin', password, roles: ['admin'] });
    if (generated) await putSetting(ctx.store.db, GENERATED_PASSWORD_KEY, admin.id, ctx.clock.now());
  } catch (err) {
    if ((err as { code?: string }).code === 'conflict') return null; // another process won the race
    throw err;
  }
  if (generated) {
    ctx.log.warn(
      { email },
      `Created the first admin: email ${email}, password ${password} — this password is shown only once; change it after logging in.`,
    );
  } else {
    ctx.log.info({ email }, 'Created the first admin from HERALD_ADMIN_EMAIL');
  }
  return generated ? { email, password } : null;
}

/**
 * The generated first password as a plain block of text: a log line can be filtered out by the
 * log level or buried in JSON, and this is the only time the password is ever shown.
 */
export function firstAdminBanner(admin: { email: string; password: string }): string {
  const rule = '='.repeat(64);
  return [
    rule,
    '  Herald created the first admin account.',
    `  Email:    ${admin.email}`,
    `  Password: ${admin.password}`,
    '  This password is shown only once. Log in and change it.',
    rule,
    '',
  ].join('\n');
}
