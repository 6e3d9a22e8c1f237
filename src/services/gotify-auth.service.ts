import type { AppContext } from '../context.ts';
import { newId } from '../domain/ids.ts';
import type { Principal } from '../domain/principal.ts';
import { insertEvents, type NewEvent } from '../store/event.repository.ts';
import {
  findUserByLogin,
  permissionsOf,
  recordFailedLogin,
  type UserRow,
  updateUser,
} from '../store/user.repository.ts';
import { verifyPassword } from './password.ts';

export interface BasicCaller {
  ipAddress: string;
  userAgent: string;
  /** Which door the credentials came through, recorded on a failure (default gotify-basic). */
  via?: string;
}

/**
 * A Herald user from HTTP Basic credentials, as Gotify clients send them (the Android app and
 * the CLI log in this way to create their client token). It is held to the same rules as a
 * login: a locked account is refused, and each failure counts towards the lock and is recorded
 * as `auth.login_failed` (and `auth.account_locked`) for the rules engine. No session is made.
 */
export async function basicPrincipal(
  ctx: AppContext,
  login: string,
  password: string,
  caller: BasicCaller,
): Promise<Principal | null> {
  const now = ctx.clock.now();
  const user = await findUserByLogin(ctx.store.db, login.trim());
  const locked = user?.locked_until != null && user.locked_until > now;
  const ok = !locked && (await verifyPassword(user?.password_hash ?? null, password));
  if (!ok) {
    await recordFailure(ctx, user, locked, login, caller, now);
    return null;
  }
  const u = user!;
  if (u.failed_logins > 0) {
    await ctx.store.writer.run((tx) => updateUser(tx, u.id, { failed_logins: 0, locked_until: null }));
  }
  return {
    userId: u.id,
    email: u.email,
    username: u.username,
    permissions: await permissionsOf(ctx.store.db, u.id),
    scopes: null,
    tokenId: null,
    bucketIds: null,
    tenantId: null,
  };
}

async function recordFailure(
  ctx: AppContext,
  user: UserRow | undefined,
  locked: boolean,
  login: string,
  caller: BasicCaller,
  now: number,
): Promise<void> {
  const who = { email: user?.email ?? login, ipAddress: caller.ipAddress, userAgent: caller.userAgent };
  const count = await ctx.store.writer.run(async (tx) => {
    const events: NewEvent[] = [
      {
        id: newId(now),
        name: 'auth.login_failed',
        fields: {
          ...who,
          userId: user?.id ?? null,
          reason: locked ? 'account_locked' : 'invalid_credentials',
          via: caller.via ?? 'gotify-basic',
        },
        occurredAt: now,
      },
    ];
    if (user && !locked) {
      const lockedUntil = now + ctx.config.loginLockMinutes * 60_000;
      const res = await recordFailedLogin(tx, user.id, ctx.config.loginMaxAttempts, lockedUntil, now);
      if (res.locked) {
        events.push({
          id: newId(now),
          name: 'auth.account_locked',
          fields: {
            ...who,
            userId: user.id,
            reason: 'too_many_failed_logins',
            lockedUntil: new Date(lockedUntil).toISOString(),
          },
          occurredAt: now,
        });
      }
    }
    await insertEvents(tx, events, now);
    return events.length;
  });
  ctx.signals.eventsCommitted.emit({ count });
}
