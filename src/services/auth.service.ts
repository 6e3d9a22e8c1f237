import type { AppContext } from '../context.ts';
import { AppError, unauthorized } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Principal } from '../domain/principal.ts';
import { randomToken, sha256Hex } from '../domain/secrets.ts';
import { findAccessTokenByHash } from '../store/access-token.repository.ts';
import type { Tx } from '../store/database.ts';
import { insertEvents } from '../store/event.repository.ts';
import {
  findRefreshToken,
  insertRefreshToken,
  insertSession,
  isSessionActive,
  revokeSession,
  spendRefreshToken,
} from '../store/session.repository.ts';
import {
  findUserByLogin,
  getUserById,
  permissionsOf,
  recordFailedLogin,
  updateUser,
} from '../store/user.repository.ts';
import { verifyPassword } from './password.ts';

export interface LoginInput {
  identifier: string;
  password: string;
  ipAddress: string;
  userAgent: string;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  user: { id: string; email: string | null; username: string | null };
}

const REFRESH_PREFIX = 'hrt_';
export const ACCESS_TOKEN_PREFIX = 'zat_';

async function issueRefreshToken(ctx: AppContext, tx: Tx, sessionId: string, now: number): Promise<string> {
  const token = randomToken(REFRESH_PREFIX);
  await insertRefreshToken(tx, {
    id: newId(now),
    session_id: sessionId,
    token_hash: sha256Hex(token),
    created_at: now,
    expires_at: now + ctx.config.refreshTokenTtlDays * 86_400_000,
    used_at: null,
  });
  return token;
}

/**
 * Checks the password; on failure counts it, locks the account after too many in a row, and
 * records `auth.login_failed` / `auth.account_locked` events for the rules engine.
 */
export async function login(ctx: AppContext, input: LoginInput): Promise<TokenPair> {
  const now = ctx.clock.now();
  const user = await findUserByLogin(ctx.store.db, input.identifier.trim());
  const locked = user?.locked_until != null && user.locked_until > now;
  const ok = !locked && (await verifyPassword(user?.password_hash ?? null, input.password));
  const who = {
    email: user?.email ?? input.identifier,
    ipAddress: input.ipAddress,
    userAgent: input.userAgent,
  };

  if (!ok) {
    const lockedNow = await ctx.store.writer.run(async (tx) => {
      const events = [
        {
          id: newId(now),
          name: 'auth.login_failed',
          fields: {
            ...who,
            userId: user?.id ?? null,
            reason: locked ? 'account_locked' : 'invalid_credentials',
          },
          occurredAt: now,
        },
      ];
      let justLocked = false;
      if (user && !locked) {
        const lockedUntil = now + ctx.config.loginLockMinutes * 60_000;
        const res = await recordFailedLogin(tx, user.id, ctx.config.loginMaxAttempts, lockedUntil, now);
        if (res.locked) {
          justLocked = true;
          events.push({
            id: newId(now),
            name: 'auth.account_locked',
            fields: {
              ...who,
              userId: user.id,
              reason: 'too_many_failed_logins',
              lockedUntil: new Date(lockedUntil).toISOString(),
            } as never,
            occurredAt: now,
          });
        }
      }
      await insertEvents(tx, events, now);
      return justLocked;
    });
    ctx.signals.eventsCommitted.emit({ count: lockedNow ? 2 : 1 });
    if (locked || lockedNow) {
      const until = lockedNow ? now + ctx.config.loginLockMinutes * 60_000 : (user?.locked_until ?? now);
      throw new AppError('locked', `Try again after ${new Date(until).toISOString()}.`, [], undefined, {
        'retry-after': String(Math.max(1, Math.ceil((until - now) / 1000))),
      });
    }
    throw unauthorized('Invalid email, username or password.');
  }

  const u = user!;
  const sessionId = newId(now);
  const refreshToken = await ctx.store.writer.run(async (tx) => {
    await updateUser(tx, u.id, { failed_logins: 0, locked_until: null });
    await insertSession(tx, {
      id: sessionId,
      user_id: u.id,
      user_agent: input.userAgent.slice(0, 500),
      ip_address: input.ipAddress,
      created_at: now,
      revoked_at: null,
    });
    await insertEvents(
      tx,
      [{ id: newId(now), name: 'auth.login_success', fields: { ...who, userId: u.id }, occurredAt: now }],
      now,
    );
    return issueRefreshToken(ctx, tx, sessionId, now);
  });
  return {
    accessToken: await ctx.jwt.sign({ userId: u.id, sessionId }, now),
    refreshToken,
    user: { id: u.id, email: u.email, username: u.username },
  };
}

/**
 * Rotates a refresh token: the presented one is spent and a new pair issued in the same
 * session. Presenting an already spent token means it leaked, so the whole session is revoked.
 */
export async function refresh(ctx: AppContext, presented: string): Promise<TokenPair> {
  const now = ctx.clock.now();
  const row = await findRefreshToken(ctx.store.db, sha256Hex(presented));
  if (!row || row.revoked_at !== null || row.expires_at <= now) {
    throw unauthorized('The refresh token is invalid, expired or revoked; log in again.');
  }
  const result = await ctx.store.writer.run(async (tx) => {
    if (row.used_at !== null || !(await spendRefreshToken(tx, row.id, now))) {
      await revokeSession(tx, row.session_id, now);
      await ctx.inboxEvents.revokeInTx(tx, [{ kind: 'session', sessionId: row.session_id }]);
      return null;
    }
    return issueRefreshToken(ctx, tx, row.session_id, now);
  });
  if (result === null) {
    ctx.inboxEvents.revoked([{ kind: 'session', sessionId: row.session_id }]);
    throw unauthorized('The refresh token was already used; the session has been revoked. Log in again.');
  }
  const user = await getUserById(ctx.store.db, row.user_id);
  if (!user) throw unauthorized('The account no longer exists.');
  return {
    accessToken: await ctx.jwt.sign({ userId: user.id, sessionId: row.session_id }, now),
    refreshToken: result,
    user: { id: user.id, email: user.email, username: user.username },
  };
}

/** The browser session cookie's value and lifetime: a session JWT as long-lived as a refresh token. */
export interface SessionCookie {
  value: string;
  maxAgeSeconds: number;
}

export async function issueSessionCookie(
  ctx: AppContext,
  userId: string,
  sessionId: string,
): Promise<SessionCookie> {
  const maxAgeSeconds = ctx.config.refreshTokenTtlDays * 86_400;
  const value = await ctx.jwt.sign({ userId, sessionId }, ctx.clock.now(), 'session', maxAgeSeconds);
  return { value, maxAgeSeconds };
}

/**
 * Refresh for a browser that holds only the session cookie: while its session is active, a
 * new token pair in the same session and a fresh cookie (so an active browser stays logged in).
 */
export async function refreshWithCookie(
  ctx: AppContext,
  cookie: string,
): Promise<TokenPair & { sessionCookie: SessionCookie }> {
  const principal = await resolvePrincipal(ctx, cookie, 'cookie');
  if (!principal?.sessionId)
    throw unauthorized('The session cookie is invalid, expired or revoked; log in again.');
  const now = ctx.clock.now();
  const sessionId = principal.sessionId;
  const refreshToken = await ctx.store.writer.run((tx) => issueRefreshToken(ctx, tx, sessionId, now));
  return {
    accessToken: await ctx.jwt.sign({ userId: principal.userId, sessionId }, now),
    refreshToken,
    user: { id: principal.userId, email: principal.email, username: principal.username },
    sessionCookie: await issueSessionCookie(ctx, principal.userId, sessionId),
  };
}

/** The session a token pair belongs to, read back from its access JWT. */
export async function sessionOfPair(ctx: AppContext, pair: TokenPair): Promise<string> {
  const claims = await ctx.jwt.verify(pair.accessToken, ctx.clock.now());
  if (!claims) throw new AppError('internal', 'A freshly signed access token did not verify.');
  return claims.sessionId;
}

export async function logout(
  ctx: AppContext,
  sessionId: string | null,
  refreshToken?: string,
): Promise<void> {
  const now = ctx.clock.now();
  let sid = sessionId;
  if (refreshToken) {
    const row = await findRefreshToken(ctx.store.db, sha256Hex(refreshToken));
    if (row) sid = row.session_id;
  }
  if (sid) {
    const revocations = [{ kind: 'session' as const, sessionId: sid }];
    await ctx.store.writer.run(async (tx) => {
      await revokeSession(tx, revocations[0]!.sessionId, now);
      await ctx.inboxEvents.revokeInTx(tx, revocations);
    });
    ctx.inboxEvents.revoked(revocations);
  }
}

/**
 * Who is calling: from a bearer credential (a `zat_` access token or an access JWT), or from
 * the browser session cookie (a session JWT, accepted from the cookie only).
 */
export async function resolvePrincipal(
  ctx: AppContext,
  credential: string,
  via: 'bearer' | 'cookie' = 'bearer',
): Promise<(Principal & { sessionId: string | null }) | null> {
  const now = ctx.clock.now();
  if (via === 'bearer' && credential.startsWith(ACCESS_TOKEN_PREFIX)) {
    const hash = sha256Hex(credential);
    const cached = ctx.principals.get(hash, now);
    if (cached) {
      ctx.tokenUsage.touch(cached.tokenId!, now);
      return { ...cached, sessionId: null };
    }
    const row = await findAccessTokenByHash(ctx.store.db, hash);
    if (!row || row.revoked_at !== null || (row.expires_at !== null && row.expires_at <= now)) return null;
    ctx.tokenUsage.touch(row.id, now);
    const principal: Principal = {
      userId: row.user_id,
      email: row.email,
      username: row.username,
      permissions: await permissionsOf(ctx.store.db, row.user_id),
      scopes: new Set(JSON.parse(row.scopes) as string[]),
      tokenId: row.id,
      bucketIds: row.bucket_ids ? (JSON.parse(row.bucket_ids) as string[]) : null,
      tenantId: row.tenant_id,
    };
    ctx.principals.set(hash, principal, now, row.expires_at);
    return { ...principal, sessionId: null };
  }
  const claims = await ctx.jwt.verify(credential, now, via === 'cookie' ? 'session' : 'access');
  if (!claims) return null;
  const [user, active, permissions] = await Promise.all([
    getUserById(ctx.store.db, claims.userId),
    isSessionActive(ctx.store.db, claims.sessionId),
    permissionsOf(ctx.store.db, claims.userId),
  ]);
  if (!user || !active) return null;
  return {
    userId: user.id,
    email: user.email,
    username: user.username,
    permissions,
    scopes: null,
    tokenId: null,
    bucketIds: null,
    tenantId: null,
    sessionId: claims.sessionId,
  };
}
