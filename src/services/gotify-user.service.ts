import type { AppContext } from '../context.ts';
import { unauthorized } from '../domain/errors.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import { findGotifyClientByToken } from '../store/gotify-client.repository.ts';
import { findGotifyUserId, insertGotifyUser } from '../store/gotify-user.repository.ts';
import { getUserById } from '../store/user.repository.ts';

/** The Gotify `CurrentUser` model. */
export interface GotifyCurrentUser {
  id: number;
  name: string;
  admin: boolean;
  createdAt: string;
  clientId?: number;
}

/** The user's Gotify number, handed out on first use and stable afterwards. */
async function gotifyUserNumber(ctx: AppContext, userId: string): Promise<number> {
  const known = await findGotifyUserId(ctx.store.db, userId);
  if (known !== undefined) return known;
  await ctx.store.writer.run((tx) => insertGotifyUser(tx, userId));
  return (await findGotifyUserId(ctx.store.db, userId))!;
}

export async function gotifyCurrentUser(ctx: AppContext, principal: Principal): Promise<GotifyCurrentUser> {
  const user = await getUserById(ctx.store.db, principal.userId);
  if (!user) throw unauthorized('The account no longer exists.');
  const client = principal.tokenId
    ? await findGotifyClientByToken(ctx.store.db, principal.tokenId)
    : undefined;
  return {
    id: await gotifyUserNumber(ctx, user.id),
    name: user.username ?? user.email ?? user.id,
    admin: isAdmin(principal),
    createdAt: new Date(user.created_at).toISOString(),
    ...(client ? { clientId: Number(client.id) } : {}),
  };
}
