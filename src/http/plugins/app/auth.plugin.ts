import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import { AppError, forbidden, unauthorized } from '../../../domain/errors.ts';
import {
  hasPermission,
  hasScope,
  type Permission,
  type Principal,
  type Scope,
} from '../../../domain/principal.ts';
import { resolvePrincipal } from '../../../services/auth.service.ts';
import { assertSameOrigin, sessionCookieOf } from './session-cookie.ts';

/**
 * Every API route declares who may call it in `config.access`: public, or a scope (checked
 * against `zat_` tokens; JWT logins carry every scope) plus an optional role permission.
 * Routes under the API prefixes without a declaration refuse to register, so no route can
 * forget its check.
 */
export type RouteAccess =
  | { public: true }
  | {
      scope: Scope;
      permission?: Permission;
      jwtOnly?: boolean;
      tokenOnly?: boolean;
      queryToken?: boolean;
      /** Any access token may call, whatever its scopes (Zentik lets every token list buckets). */
      anyToken?: boolean;
    };

export type AuthedPrincipal = Principal & { sessionId: string | null };

declare module 'fastify' {
  interface FastifyRequest {
    principal: AuthedPrincipal | null;
  }
  interface FastifyContextConfig {
    access?: RouteAccess;
  }
}

const GUARDED_PREFIXES = ['/api/', '/notification/'];

interface Credential {
  value: string;
  via: 'bearer' | 'cookie';
}

/** Headers first, then `?access_token` where the route allows it, then the session cookie. */
function credentialOf(request: FastifyRequest, allowQuery: boolean): Credential | undefined {
  const auth = request.headers.authorization;
  if (auth) {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    return m ? { value: m[1].trim(), via: 'bearer' } : undefined;
  }
  const coder = request.headers['coder-session-token'];
  if (typeof coder === 'string' && coder.length > 0) return { value: coder.trim(), via: 'bearer' };
  if (allowQuery) {
    const q = (request.query as Record<string, unknown> | undefined)?.access_token;
    if (typeof q === 'string' && q.length > 0) return { value: q, via: 'bearer' };
  }
  const cookie = sessionCookieOf(request);
  return cookie ? { value: cookie, via: 'cookie' } : undefined;
}

export function principalOf(request: FastifyRequest): AuthedPrincipal {
  if (!request.principal) throw unauthorized('Authentication required.');
  return request.principal;
}

export async function authenticate(
  ctx: AppContext,
  request: FastifyRequest,
  access: RouteAccess,
): Promise<void> {
  if ('public' in access) return;
  const credential = credentialOf(request, access.queryToken === true);
  if (!credential) {
    throw unauthorized(
      'Send a token as "Authorization: Bearer <token>" (an access JWT or a zat_ token), or log in for the session cookie.',
    );
  }
  // Before the credential is even looked at: a forged cross-site request learns nothing.
  if (credential.via === 'cookie') assertSameOrigin(ctx, request);
  const principal = await resolvePrincipal(ctx, credential.value, credential.via);
  if (!principal) {
    throw unauthorized(
      credential.via === 'cookie'
        ? 'The session cookie is invalid, expired or revoked; log in again.'
        : 'The token is invalid, expired or revoked.',
    );
  }
  if (access.jwtOnly && principal.tokenId !== null) {
    throw forbidden('This action needs a login session, not an access token.');
  }
  if (access.tokenOnly && principal.tokenId === null) {
    throw forbidden(
      'This endpoint needs an access token (Authorization: Bearer zat_…), not a login session.',
    );
  }
  if (!access.anyToken && !hasScope(principal, access.scope)) {
    throw forbidden(`This access token lacks the "${access.scope}" scope.`);
  }
  if (access.permission && !hasPermission(principal, access.permission)) {
    throw forbidden(`This needs the "${access.permission}" permission.`);
  }
  request.principal = principal;
}

export function installAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    const guarded = GUARDED_PREFIXES.some((p) => route.url.startsWith(p));
    if (guarded && !route.config?.access) {
      throw new AppError('internal', `Route ${route.method} ${route.url} declares no access rule.`);
    }
  });
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.access;
    if (access) await authenticate(ctx, request, access);
  });
}
