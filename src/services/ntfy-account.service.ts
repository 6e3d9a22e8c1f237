import type { AppContext } from '../context.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { createAccessToken } from './access-token.service.ts';

/** ntfy's default lifetime of a token issued at login. */
export const NTFY_TOKEN_TTL_MS = 72 * 60 * 60 * 1000;

export interface NtfyTokenView {
  token: string;
  label?: string;
  last_access: number;
  last_origin: string;
  expires: number;
}

/**
 * `POST /v1/account/token`: a Herald access token for an ntfy client that logged in. Only a
 * user's own credentials may ask (Basic or a login session), as with every token minting: a
 * token could otherwise mint one that sheds its own limits.
 */
export async function issueNtfyToken(
  ctx: AppContext,
  principal: Principal,
  input: { label?: string; expires?: number },
  origin: string,
): Promise<NtfyTokenView> {
  if (principal.tokenId !== null) throw forbidden('Issuing a token needs Basic credentials or a login.');
  const now = ctx.clock.now();
  const expires = input.expires ? input.expires * 1000 : now + NTFY_TOKEN_TTL_MS;
  if (expires <= now) throw invalid('expires', 'must be in the future');
  const made = await createAccessToken(ctx, principal, {
    name: input.label?.trim() || 'ntfy',
    scopes: ['messages:create', 'messages:read'],
    expiresAt: new Date(expires).toISOString(),
  });
  return {
    token: made.token,
    ...(input.label ? { label: input.label } : {}),
    last_access: Math.floor(now / 1000),
    last_origin: origin,
    expires: Math.floor(expires / 1000),
  };
}
