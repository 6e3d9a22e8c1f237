import type { AppContext } from '../context.ts';
import { AppError, notFound } from '../domain/errors.ts';
import type { Principal, Scope } from '../domain/principal.ts';
import {
  deleteGotifyClient,
  type GotifyClientRow,
  getGotifyClient,
  insertGotifyClient,
  listGotifyClients,
  renameGotifyClient,
} from '../store/gotify-client.repository.ts';
import { createAccessToken, revokeToken } from './access-token.service.ts';
import { requireMintingCredential } from './gotify-minting.ts';

/**
 * Gotify clients: devices that read (the phone app, a desktop notifier). A client is an access
 * token of its user with the scopes a Gotify client needs: read and delete the inbox, manage
 * applications (buckets and their send tokens) and other clients.
 */
export const GOTIFY_CLIENT_SCOPES: readonly Scope[] = [
  'messages:create',
  'messages:read',
  'buckets:read',
  'buckets:write',
  'inbox:read',
  'inbox:write',
  'account',
];

/** The Gotify `Client` model. */
export interface GotifyClient {
  id: number;
  /** Only in the answer that creates the client. */
  token?: string;
  name: string;
  createdAt: string;
  lastUsed: string | null;
}

const toGotifyClient = (c: GotifyClientRow, token?: string): GotifyClient => ({
  id: c.id,
  ...(token ? { token } : {}),
  name: c.name,
  createdAt: new Date(c.created_at).toISOString(),
  lastUsed: c.last_used_at === null ? null : new Date(c.last_used_at).toISOString(),
});

async function requireClient(ctx: AppContext, principal: Principal, id: number): Promise<GotifyClientRow> {
  const client = await getGotifyClient(ctx.store.db, id, principal.userId);
  if (!client) throw notFound(`Client ${id}`);
  return client;
}

export async function createGotifyClient(
  ctx: AppContext,
  principal: Principal,
  name: string,
): Promise<GotifyClient> {
  await requireMintingCredential(ctx, principal);
  const token = await createAccessToken(ctx, principal, {
    name: `Gotify client: ${name}`.slice(0, 200),
    scopes: [...GOTIFY_CLIENT_SCOPES],
  });
  try {
    const now = ctx.clock.now();
    const id = await ctx.store.writer.run((tx) =>
      insertGotifyClient(tx, { token_id: token.id, user_id: principal.userId, name, created_at: now }),
    );
    return toGotifyClient(
      { id, token_id: token.id, user_id: principal.userId, name, created_at: now, last_used_at: null },
      token.token,
    );
  } catch (err) {
    await revokeToken(ctx, principal.userId, token.id).catch(() => {});
    throw err;
  }
}

export async function listGotifyClientsOf(ctx: AppContext, principal: Principal): Promise<GotifyClient[]> {
  await ctx.tokenUsage.flush();
  return (await listGotifyClients(ctx.store.db, principal.userId)).map((c) => toGotifyClient(c));
}

export async function renameGotifyClientOf(
  ctx: AppContext,
  principal: Principal,
  id: number,
  name: string,
): Promise<GotifyClient> {
  const client = await requireClient(ctx, principal, id);
  await ctx.store.writer.run((tx) => renameGotifyClient(tx, id, name));
  return toGotifyClient({ ...client, name });
}

/** Revokes the client's token; its open streams notice at their next frame or keep-alive. */
export async function deleteGotifyClientOf(ctx: AppContext, principal: Principal, id: number): Promise<void> {
  const client = await requireClient(ctx, principal, id);
  await ctx.store.writer.run((tx) => deleteGotifyClient(tx, id));
  await revokeToken(ctx, principal.userId, client.token_id).catch((err) => {
    if (!(err instanceof AppError && err.code === 'notFound')) throw err;
  });
}
