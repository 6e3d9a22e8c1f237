import type { AppContext } from '../context.ts';
import { AppError, conflict, forbidden, notFound } from '../domain/errors.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import {
  deleteGotifyApplication,
  findGotifyApplicationByBucket,
  type GotifyApplicationView,
  getGotifyApplicationForUser,
  insertGotifyApplication,
  listGotifyApplicationsForUser,
  setGotifyDefaultPriority,
} from '../store/gotify-application.repository.ts';
import { createAccessToken, revokeToken } from './access-token.service.ts';
import {
  type BucketAccess,
  createBucket,
  patchBucket,
  removeBucket,
  requireBucket,
  resolveBucket,
} from './bucket.service.ts';
import { requireMintingCredential } from './gotify-minting.ts';

/**
 * Gotify applications. An application is a Herald bucket seen through Gotify plus one
 * send-only access token for it (scope `messages:create`, restricted to the bucket). Its name
 * and description are the bucket's. Creating an application named like a bucket the caller
 * already belongs to (and may write to) opens that bucket to Gotify; any other name creates a
 * bucket owned by the caller, deleted again with the application.
 */

/** The Gotify `Application` model. */
export interface GotifyApplication {
  id: number;
  /** Only in the answer that creates the application: Herald keeps the hash alone. */
  token?: string;
  name: string;
  description: string;
  internal: boolean;
  image: string;
  defaultPriority: number;
  createdAt: string;
  lastUsed: string | null;
  sortKey: string;
}

/** Where Gotify serves an application without an image of its own; Herald does not (docs). */
const DEFAULT_IMAGE = 'static/defaultapp.png';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const toGotifyApplication = (a: GotifyApplicationView, token?: string): GotifyApplication => ({
  id: a.id,
  ...(token ? { token } : {}),
  name: a.name,
  description: a.description ?? '',
  internal: false,
  image: a.icon ?? DEFAULT_IMAGE,
  defaultPriority: a.default_priority,
  createdAt: new Date(a.created_at).toISOString(),
  lastUsed: iso(a.last_used_at),
  // Fixed-width, so clients that order by sort key keep creation order.
  sortKey: `a${a.id.toString(36).padStart(8, '0')}`,
});

export interface GotifyApplicationInput {
  name: string;
  description?: string;
  defaultPriority?: number;
}

const visible = (principal: Principal, a: GotifyApplicationView): boolean =>
  principal.bucketIds === null || principal.bucketIds.includes(a.bucket_id);

/** The application if the caller may see it (a member of its bucket), else 404 as in Gotify. */
export async function requireGotifyApplication(
  ctx: AppContext,
  principal: Principal,
  id: number,
): Promise<GotifyApplicationView> {
  const app = await getGotifyApplicationForUser(ctx.store.db, id, principal.userId);
  if (!app || !visible(principal, app)) throw notFound(`Application ${id}`);
  return app;
}

export async function listGotifyApplications(
  ctx: AppContext,
  principal: Principal,
): Promise<GotifyApplication[]> {
  await ctx.tokenUsage.flush();
  const rows = await listGotifyApplicationsForUser(ctx.store.db, principal.userId);
  return rows.filter((a) => visible(principal, a)).map((a) => toGotifyApplication(a));
}

/** A bucket the caller already belongs to under that name (or id), if any. */
async function existingBucket(
  ctx: AppContext,
  principal: Principal,
  name: string,
): Promise<BucketAccess | undefined> {
  try {
    const access = await resolveBucket(ctx, principal, name, 'name');
    // An administrator finds anyone's uniquely named bucket; that is not theirs to open.
    return access.permission === null ? undefined : access;
  } catch (err) {
    if (err instanceof AppError && err.code === 'notFound') return undefined;
    throw err;
  }
}

export async function createGotifyApplication(
  ctx: AppContext,
  principal: Principal,
  input: GotifyApplicationInput,
): Promise<GotifyApplication> {
  await requireMintingCredential(ctx, principal);
  const name = input.name.trim();
  let bucketId: string;
  let ownsBucket: boolean;
  const existing = await existingBucket(ctx, principal, name);
  if (existing) {
    requireBucket(principal, existing, 'write');
    const taken = await findGotifyApplicationByBucket(ctx.store.db, existing.bucket.id);
    if (taken) {
      throw conflict(
        `The bucket "${existing.bucket.name}" already is Gotify application ${taken.id}.`,
        'name',
      );
    }
    bucketId = existing.bucket.id;
    ownsBucket = false;
  } else {
    const created = await createBucket(ctx, principal, {
      name,
      ...(input.description ? { description: input.description } : {}),
    });
    bucketId = created.id;
    ownsBucket = true;
  }
  // Three writes through three services: undo the earlier ones if a later one fails.
  let tokenId: string | undefined;
  try {
    const token = await createAccessToken(ctx, principal, {
      name: `Gotify application: ${name}`.slice(0, 200),
      scopes: ['messages:create'],
      bucketIds: [bucketId],
    });
    tokenId = token.id;
    const now = ctx.clock.now();
    const id = await ctx.store.writer.run((tx) =>
      insertGotifyApplication(tx, {
        bucket_id: bucketId,
        token_id: token.id,
        user_id: principal.userId,
        default_priority: input.defaultPriority ?? 0,
        owns_bucket: ownsBucket ? 1 : 0,
        created_at: now,
      }),
    );
    return toGotifyApplication(
      (await getGotifyApplicationForUser(ctx.store.db, id, principal.userId))!,
      token.token,
    );
  } catch (err) {
    if (tokenId) await revokeToken(ctx, principal.userId, tokenId).catch(() => {});
    if (ownsBucket) await removeBucket(ctx, principal, bucketId).catch(() => {});
    throw err;
  }
}

/** Renames the bucket, sets its description and the default priority; needs bucket admin. */
export async function updateGotifyApplication(
  ctx: AppContext,
  principal: Principal,
  id: number,
  input: GotifyApplicationInput,
): Promise<GotifyApplication> {
  const app = await requireGotifyApplication(ctx, principal, id);
  requireBucket(principal, await resolveBucket(ctx, principal, app.bucket_id, 'id'), 'admin');
  const name = input.name.trim();
  const description = input.description ? input.description : null;
  if (name !== app.name || description !== app.description) {
    await patchBucket(ctx, principal, app.bucket_id, { name, description });
  }
  const priority = input.defaultPriority ?? 0;
  if (priority !== app.default_priority) {
    await ctx.store.writer.run((tx) => setGotifyDefaultPriority(tx, id, priority));
  }
  return toGotifyApplication(await requireGotifyApplication(ctx, principal, id));
}

/**
 * Revokes the application's token and forgets it; a bucket made with the application goes
 * with it (messages included, as in Gotify), a bucket opened to Gotify stays.
 */
export async function deleteGotifyApplicationOf(
  ctx: AppContext,
  principal: Principal,
  id: number,
): Promise<void> {
  const app = await requireGotifyApplication(ctx, principal, id);
  const mayDelete =
    isAdmin(principal) || app.user_id === principal.userId || app.owner_id === principal.userId;
  if (!mayDelete) throw forbidden('Only who created the application or owns its bucket can delete it.');
  if (app.owns_bucket === 1) await removeBucket(ctx, principal, app.bucket_id);
  else await ctx.store.writer.run((tx) => deleteGotifyApplication(tx, id));
  await revokeToken(ctx, app.user_id, app.token_id).catch((err) => {
    // Already revoked through /api/v1/access-tokens: nothing left to do.
    if (!(err instanceof AppError && err.code === 'notFound')) throw err;
  });
}
