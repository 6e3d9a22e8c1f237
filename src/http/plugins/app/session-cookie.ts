import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import { AppError } from '../../../domain/errors.ts';
import type { SessionCookie } from '../../../services/auth.service.ts';

/**
 * Browser sessions by cookie. Browsers cannot put a header on a WebSocket or an EventSource,
 * and a token a page keeps in storage is readable by any script that runs in it; an HttpOnly
 * cookie is neither. Login with `"cookie": true` sets `herald_session` (HttpOnly, SameSite=Lax,
 * Secure when HERALD_BASE_URL is https); Coder's dashboard sends `coder_session_token`, read as
 * an alias. Because browsers attach cookies to requests other sites make, a cookie-authenticated
 * request that changes something, or opens a WebSocket, must come from this server's origin.
 */
export const SESSION_COOKIE = 'herald_session';
/** The name Coder's dashboard and coderd use for the same cookie. */
export const CODER_SESSION_COOKIE = 'coder_session_token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The session cookie's value, under Herald's name or Coder's. */
export function sessionCookieOf(request: FastifyRequest): string | undefined {
  const jar = request.cookies ?? {};
  const value = jar[SESSION_COOKIE] || jar[CODER_SESSION_COOKIE];
  return value ? value : undefined;
}

const cookieOptions = (ctx: AppContext) =>
  ({
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: ctx.config.baseUrl.startsWith('https://'),
  }) as const;

export function setSessionCookie(ctx: AppContext, reply: FastifyReply, cookie: SessionCookie): void {
  reply.setCookie(SESSION_COOKIE, cookie.value, { ...cookieOptions(ctx), maxAge: cookie.maxAgeSeconds });
}

/** Clears both names, so a browser that came with Coder's is logged out too. */
export function clearSessionCookies(ctx: AppContext, reply: FastifyReply): void {
  reply.clearCookie(SESSION_COOKIE, cookieOptions(ctx));
  reply.clearCookie(CODER_SESSION_COOKIE, cookieOptions(ctx));
}

function originOf(value: string | undefined): string | null {
  if (!value || value === 'null') return null;
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

/**
 * The CSRF check for cookie-authenticated requests: unsafe methods and WebSocket upgrades must
 * name this server as their `Origin` (or `Referer`, when a browser sent no Origin). "This
 * server" is HERALD_BASE_URL's origin, or the origin the request was addressed to (scheme and
 * Host), which another site cannot choose for a request that carries this server's cookie.
 */
export function assertSameOrigin(ctx: AppContext, request: FastifyRequest): void {
  if (SAFE_METHODS.has(request.method) && !request.headers.upgrade) return;
  const from = originOf(request.headers.origin) ?? originOf(request.headers.referer);
  const allowed = [originOf(ctx.config.baseUrl), originOf(`${request.protocol}://${request.host}`)];
  if (from !== null && allowed.includes(from)) return;
  throw new AppError(
    'crossSite',
    from === null
      ? 'The request carries the session cookie but neither an Origin nor a Referer header.'
      : `The request carries the session cookie but comes from ${from}.`,
  );
}
