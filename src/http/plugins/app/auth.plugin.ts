import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../context.ts';
import { AppError, forbidden, invalid, unauthorized } from '../../../domain/errors.ts';
import { looksLikeMagicCode } from '../../../domain/magic-code.ts';
import {
  hasPermission,
  hasScope,
  type Permission,
  type Principal,
  type Scope,
} from '../../../domain/principal.ts';
import { resolvePrincipal } from '../../../services/auth.service.ts';
import { authenticateByCode, type CodeField } from '../../../services/magic-code.service.ts';
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
      /**
       * A bucket magic code may stand in for the credential (Zentik's sends). The code can sit in
       * the body, so the check waits for it: the route's preValidation calls
       * {@link authenticateSend}, and a route that forgets to is refused before its handler.
       */
      magicCode?: boolean;
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

/** Where a send may carry its magic code. */
export interface CodeCandidates {
  /** `magicCode` as sent, from the first source that has one (any JSON type; checked here). */
  magicCode?: unknown;
  /** The bucket the send names: a value shaped like a code is tried as one (as Zentik does). */
  bucketRef?: unknown;
}

/** A code as text, or undefined when none was given; a list or number is a 400 naming it. */
function codeText(value: unknown, field: CodeField): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(field, 'must be a single string');
  const code = value.trim();
  return code === '' ? undefined : code;
}

/**
 * Authenticates a send on a `magicCode: true` route. A `magicCode` authenticates as its member,
 * whatever Authorization header came with it (404 when unknown). Without one, a bucket ref
 * shaped like a code (8 hex characters) is tried as a code: found, it wins too; not found, the
 * request is answered 404 unless it carries a credential, in which case the ref is an ordinary
 * bucket name. Otherwise the route's usual credential check runs. Returns the code's bucket
 * id, which replaces the send's bucket, or null when no code was used.
 */
export async function authenticateSend(
  ctx: AppContext,
  request: FastifyRequest,
  access: RouteAccess,
  found: CodeCandidates,
): Promise<string | null> {
  if ('public' in access) return null;
  const explicit = codeText(found.magicCode, 'magicCode');
  const ref = typeof found.bucketRef === 'string' ? found.bucketRef.trim() : '';
  const lookup = explicit
    ? { code: explicit, field: 'magicCode' as const, required: true }
    : looksLikeMagicCode(ref)
      ? {
          code: ref,
          field: 'bucketId' as const,
          required: !credentialOf(request, access.queryToken === true),
        }
      : undefined;
  const sender = lookup ? await authenticateByCode(ctx, { ...lookup, client: request.ip }) : null;
  if (!sender) {
    await authenticate(ctx, request, access);
    return null;
  }
  if (!hasScope(sender.principal, access.scope)) {
    throw forbidden('A magic code cannot be used for this; it only sends messages to its bucket.');
  }
  request.principal = { ...sender.principal, sessionId: null };
  return sender.bucketId;
}

const defersToCode = (access: RouteAccess | undefined): boolean =>
  access !== undefined && 'scope' in access && access.magicCode === true;

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
    if (access && !defersToCode(access)) await authenticate(ctx, request, access);
  });
  // The net under routes that authenticate late: no handler runs unauthenticated.
  app.addHook('preHandler', async (request) => {
    const access = request.routeOptions.config?.access;
    if (defersToCode(access) && !request.principal) {
      throw new AppError('internal', `Route ${request.routeOptions.url} never called authenticateSend.`);
    }
  });
}
