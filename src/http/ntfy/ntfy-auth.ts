import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppContext } from '../../context.ts';
import { unauthorized } from '../../domain/errors.ts';
import type { Principal } from '../../domain/principal.ts';
import { resolvePrincipal } from '../../services/auth.service.ts';
import { basicPrincipal } from '../../services/gotify-auth.service.ts';
import type { NtfyCaller } from '../../services/ntfy-topic.service.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Marks an ntfy route: credentials are read the ntfy way, and none means anonymous. */
    ntfy?: true;
  }
  interface FastifyRequest {
    ntfyCaller: Principal | null;
  }
}

const BAD_CREDENTIAL = 'the credentials are wrong, expired or revoked';

/**
 * The Authorization value as ntfy reads it: the `auth` (or `authorization`) query parameter, a
 * base64 of the whole header value that browsers' WebSocket cannot send, wins over the header.
 */
function authorizationOf(request: FastifyRequest): string | undefined {
  const q = request.query as Record<string, unknown> | undefined;
  const param = [q?.auth, q?.authorization].find((v) => typeof v === 'string' && v !== '') as
    | string
    | undefined;
  if (param) return Buffer.from(param, 'base64').toString('utf8').trim();
  const header = request.headers.authorization?.trim();
  return header || undefined;
}

/**
 * Who is calling an ntfy route: Basic with a Herald login and password (an empty user name
 * means the password is a token, as ntfy's clients send tokens over Basic), Bearer with any
 * Herald access token or login JWT, or nobody (null: anonymous). Credentials that are sent
 * but wrong are refused, even on a topic open to anonymous callers, as ntfy does.
 */
export async function ntfyCallerOf(ctx: AppContext, request: FastifyRequest): Promise<NtfyCaller> {
  const value = authorizationOf(request);
  if (!value || !/^(basic|bearer)\s/i.test(value)) return null;
  const bearer = /^Bearer\s+(.+)$/i.exec(value);
  let token = bearer?.[1].trim();
  if (!bearer) {
    const decoded = Buffer.from(value.replace(/^Basic\s+/i, '').trim(), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw unauthorized(BAD_CREDENTIAL);
    const login = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    if (login === '') token = password;
    else {
      const user = await basicPrincipal(ctx, login, password, {
        ipAddress: request.ip,
        userAgent: request.headers['user-agent'] ?? '',
        via: 'ntfy-basic',
      });
      if (!user) throw unauthorized(BAD_CREDENTIAL);
      return user;
    }
  }
  const principal = token ? await resolvePrincipal(ctx, token) : null;
  if (!principal) throw unauthorized(BAD_CREDENTIAL);
  return principal;
}

export function installNtfyAuth(app: FastifyInstance, ctx: AppContext): void {
  app.decorateRequest('ntfyCaller', null);
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.config?.ntfy) return;
    request.ntfyCaller = await ntfyCallerOf(ctx, request);
  });
}
