import type { AppContext } from '../context.ts';
import { forbidden } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { findGotifyClientByToken } from '../store/gotify-client.repository.ts';

/**
 * Creating a Gotify client or application mints a token. As on /api/v1/access-tokens, a token
 * must not mint one that sheds its own limits (bucket, tenant, expiry): only a user's own
 * credentials (Basic, a login session) and Gotify client tokens (unrestricted, never
 * expiring, as in Gotify) may.
 */
export async function requireMintingCredential(ctx: AppContext, principal: Principal): Promise<void> {
  if (principal.tokenId === null) return;
  if (await findGotifyClientByToken(ctx.store.db, principal.tokenId)) return;
  throw forbidden(
    'Creating clients and applications needs a Gotify client token, Basic credentials or a login.',
  );
}
