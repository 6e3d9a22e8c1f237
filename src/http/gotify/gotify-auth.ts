import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { forbidden, unauthorized } from '../../domain/errors.ts';
import { hasScope, type Scope } from '../../domain/principal.ts';
import { resolvePrincipal } from '../../services/auth.service.ts';
import { basicPrincipal } from '../../services/gotify-auth.service.ts';

/**
 * Who may call a Gotify route, declared in `config.gotify` like `config.access` elsewhere:
 * public, or a scope. Credentials are read as Gotify clients send them: a token in the `token`
 * query parameter, the `X-Gotify-Key` header or `Authorization: Bearer` (an application or
 * client token — both are Herald access tokens — or any Herald access token or login JWT),
 * or HTTP Basic with a Herald user's login and password.
 */
export type GotifyAccess = { public: true } | { scope: Scope };

declare module 'fastify' {
  interface FastifyContextConfig {
    gotify?: GotifyAccess;
  }
}

/** Gotify's own words for a missing or wrong credential. */
const NO_CREDENTIAL = 'you need to provide a valid access token or user credentials to access this api';

export function tokenOf(request: FastifyRequest): string | undefined {
  const query = (request.query as Record<string, unknown> | undefined)?.token;
  if (typeof query === 'string' && query) return query;
  const header = request.headers['x-gotify-key'];
  if (typeof header === 'string' && header) return header.trim();
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization?.trim() ?? '');
  return bearer ? bearer[1].trim() : undefined;
}

function basicOf(request: FastifyRequest): { login: string; password: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(request.headers.authorization?.trim() ?? '');
  if (!m) return undefined;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon < 0 ? undefined : { login: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export function installGotifyAuth(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', async (request) => {
    const access = request.routeOptions.config?.gotify;
    if (!access || 'public' in access) return;
    let principal = null;
    const token = tokenOf(request);
    if (token) principal = await resolvePrincipal(ctx, token);
    const basic = principal ? undefined : basicOf(request);
    if (basic) {
      const user = await basicPrincipal(ctx, basic.login, basic.password, {
        ipAddress: request.ip,
        userAgent: request.headers['user-agent'] ?? '',
      });
      if (user) principal = { ...user, sessionId: null };
    }
    if (!principal) throw unauthorized(NO_CREDENTIAL);
    if (!hasScope(principal, access.scope)) {
      throw forbidden(`you are not allowed to access this api: the token lacks the "${access.scope}" scope`);
    }
    request.principal = principal;
  });
}
