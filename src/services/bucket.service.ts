import type { AppContext } from '../context.ts';
import { AppError, conflict, forbidden, invalid, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { hasPermission, isAdmin, type Principal } from '../domain/principal.ts';
import {
  type BucketRow,
  deleteBucket,
  deleteInvite,
  findBucketsByName,
  findBucketsByNameAny,
  getBucket,
  getBucketForUser,
  getInvite,
  type InviteWithBucket,
  insertBucket,
  listAllBuckets,
  listBucketsForUser,
  listInvitesForBucket,
  listInvitesForUser,
  listMembers,
  memberPermission,
  removeMember,
  updateBucket,
  upsertInvite,
  upsertMember,
} from '../store/bucket.repository.ts';
import { findUserByRef } from '../store/user.repository.ts';
import { isUniqueViolation } from './user.service.ts';

/**
 * Bucket permission levels, lowest to highest. `read` sees messages, `write` also sends,
 * `admin` also manages members and settings, `owner` is the creator and cannot be removed.
 */
export const BUCKET_PERMISSIONS = ['read', 'write', 'admin', 'owner'] as const;
export type BucketPermission = (typeof BUCKET_PERMISSIONS)[number];

const rank = (p: string | null): number =>
  p === null ? -1 : BUCKET_PERMISSIONS.indexOf(p as BucketPermission);

export interface BucketView {
  id: string;
  name: string;
  description: string | null;
  icon: string | null;
  color: string | null;
  ownerId: string;
  permission: string | null;
  createdAt: string;
  updatedAt: string;
}

export const toBucketView = (b: BucketRow, permission: string | null): BucketView => ({
  id: b.id,
  name: b.name,
  description: b.description,
  icon: b.icon,
  color: b.color,
  ownerId: b.owner_id,
  permission,
  createdAt: new Date(b.created_at).toISOString(),
  updatedAt: new Date(b.updated_at).toISOString(),
});

export interface BucketAccess {
  bucket: BucketRow;
  permission: string | null;
}

/**
 * Finds a bucket by id, or by name among the caller's buckets (their own first). Server
 * admins may also name any bucket whose name is unique on the server.
 */
export async function resolveBucket(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  field = 'bucketId',
): Promise<BucketAccess> {
  const access = await findBucket(ctx, principal, ref, field);
  // Every bucket operation goes through here, so a bucket-restricted token is held to its buckets.
  requireTokenBucket(principal, access.bucket.id);
  return access;
}

async function findBucket(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  field: string,
): Promise<BucketAccess> {
  const db = ctx.store.db;
  // Ask by id first (one query with the caller's permission); names are the fallback.
  const byId = await getBucketForUser(db, ref, principal.userId);
  if (byId) {
    const { permission, ...bucket } = byId;
    return { bucket, permission };
  }
  const named = await findBucketsByName(db, ref, principal.userId);
  const own = named.filter((b) => b.owner_id === principal.userId);
  const pick = own.length === 1 ? own[0] : named.length === 1 ? named[0] : undefined;
  if (pick) return { bucket: pick, permission: pick.permission };
  if (named.length > 1) throw invalid(field, `"${ref}" names several of your buckets; use the bucket id`);
  if (isAdmin(principal)) {
    const any = await findBucketsByNameAny(db, ref);
    if (any.length === 1) return { bucket: any[0], permission: null };
  }
  throw new AppError('notFound', `Bucket "${ref}" was not found.`, [{ field, detail: 'no such bucket' }]);
}

/** Throws unless the caller holds at least `needed` on the bucket (server admins pass). */
export function requireBucket(principal: Principal, access: BucketAccess, needed: BucketPermission): void {
  if (isAdmin(principal)) return;
  if (access.permission === null) throw forbidden('You are not a member of this bucket.');
  if (rank(access.permission) < rank(needed)) {
    throw forbidden(`This needs "${needed}" permission on the bucket; you have "${access.permission}".`);
  }
}

/** A bucket-restricted access token may only touch its own buckets. */
export function requireTokenBucket(principal: Principal, bucketId: string): void {
  if (principal.bucketIds !== null && !principal.bucketIds.includes(bucketId)) {
    throw forbidden('This access token is restricted to other buckets.');
  }
}

/** `ref` is a bucket id or name; the caller needs read permission on it. */
export async function getBucketView(ctx: AppContext, principal: Principal, ref: string): Promise<BucketView> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireTokenBucket(principal, access.bucket.id);
  requireBucket(principal, access, 'read');
  return toBucketView(access.bucket, access.permission);
}

/**
 * The buckets an access token is restricted to, as ids: the creator must be able to send to
 * each one, so a token never reaches further than its creator.
 */
export async function resolveTokenBuckets(
  ctx: AppContext,
  principal: Principal,
  refs: readonly string[],
): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, ref] of refs.entries()) {
    const access = await resolveBucket(ctx, principal, ref, `bucketIds[${i}]`);
    requireBucket(principal, access, 'write');
    ids.push(access.bucket.id);
  }
  return [...new Set(ids)];
}

export async function createBucket(
  ctx: AppContext,
  principal: Principal,
  input: { name: string; description?: string; icon?: string; color?: string },
): Promise<BucketView> {
  if (!hasPermission(principal, 'buckets.create')) throw forbidden('You may not create buckets.');
  const name = input.name.trim();
  if (!name) throw invalid('name', 'must not be empty');
  const now = ctx.clock.now();
  const row: BucketRow = {
    id: newId(now),
    owner_id: principal.userId,
    name,
    description: input.description ?? null,
    icon: input.icon ?? null,
    color: input.color ?? null,
    created_at: now,
    updated_at: now,
  };
  try {
    await ctx.store.writer.run((tx) => insertBucket(tx, row, 'owner'));
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`You already have a bucket named "${name}".`, 'name');
    throw err;
  }
  return toBucketView(row, 'owner');
}

export async function listBuckets(
  ctx: AppContext,
  principal: Principal,
  all: boolean,
): Promise<BucketView[]> {
  if (all && isAdmin(principal)) {
    const mine = new Map(
      (await listBucketsForUser(ctx.store.db, principal.userId)).map((b) => [b.id, b.permission]),
    );
    return (await listAllBuckets(ctx.store.db)).map((b) => toBucketView(b, mine.get(b.id) ?? null));
  }
  const rows = await listBucketsForUser(ctx.store.db, principal.userId);
  const visible = principal.bucketIds ? rows.filter((b) => principal.bucketIds!.includes(b.id)) : rows;
  return visible.map((b) => toBucketView(b, b.permission));
}

export async function patchBucket(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  patch: { name?: string; description?: string | null; icon?: string | null; color?: string | null },
): Promise<BucketView> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'admin');
  const name = patch.name?.trim();
  if (patch.name !== undefined && !name) throw invalid('name', 'must not be empty');
  try {
    await ctx.store.writer.run((tx) =>
      updateBucket(tx, access.bucket.id, {
        ...(name !== undefined ? { name } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.icon !== undefined ? { icon: patch.icon } : {}),
        ...(patch.color !== undefined ? { color: patch.color } : {}),
        updated_at: ctx.clock.now(),
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`The owner already has a bucket named "${name}".`, 'name');
    throw err;
  }
  return toBucketView((await getBucket(ctx.store.db, access.bucket.id))!, access.permission);
}

export async function removeBucket(ctx: AppContext, principal: Principal, ref: string): Promise<void> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  if (!isAdmin(principal) && access.bucket.owner_id !== principal.userId) {
    throw forbidden('Only the owner or an administrator can delete a bucket.');
  }
  await ctx.store.writer.run((tx) => deleteBucket(tx, access.bucket.id));
}

export interface MemberView {
  userId: string;
  username: string | null;
  email: string | null;
  permission: string;
  createdAt: string;
}

export async function bucketMembers(
  ctx: AppContext,
  principal: Principal,
  ref: string,
): Promise<MemberView[]> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'read');
  return (await listMembers(ctx.store.db, access.bucket.id)).map((m) => ({
    userId: m.user_id,
    username: m.username,
    email: m.email,
    permission: m.permission,
    createdAt: new Date(m.created_at).toISOString(),
  }));
}

/** How long an invite can be accepted. */
export const INVITE_TTL_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * Adds a member or changes their permission. A server admin adds directly; anyone else with
 * admin on the bucket invites the user, who becomes a member only on accepting. For a non-admin
 * the answer is the same whether or not the user exists (no account-existence leak): the
 * current member list, unchanged until the invitee accepts.
 */
export async function setMember(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  userRef: string,
  permission: Exclude<BucketPermission, 'owner'>,
): Promise<MemberView[]> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'admin');
  const bucketId = access.bucket.id;
  const user = await findUserByRef(ctx.store.db, userRef);
  if (isAdmin(principal)) {
    if (!user) throw invalid('userId', `no user "${userRef}"`);
    if (user.id === access.bucket.owner_id) throw invalid('userId', "the owner's permission cannot change");
    await ctx.store.writer.run((tx) => upsertMember(tx, bucketId, user.id, permission, ctx.clock.now()));
    return bucketMembers(ctx, principal, bucketId);
  }
  if (user && user.id === access.bucket.owner_id) {
    throw invalid('userId', "the owner's permission cannot change");
  }
  const now = ctx.clock.now();
  // Unknown users take the same path (a write transaction) so the answer and its timing match.
  await ctx.store.writer.run(async (tx) => {
    if (!user) return;
    // An existing member's permission changes in place; everyone else gets an invite.
    if ((await memberPermission(tx, bucketId, user.id)) !== null) {
      await upsertMember(tx, bucketId, user.id, permission, now);
      return;
    }
    await upsertInvite(tx, {
      id: newId(now),
      bucket_id: bucketId,
      user_id: user.id,
      permission,
      invited_by: principal.userId,
      created_at: now,
      expires_at: now + INVITE_TTL_MS,
    });
  });
  return bucketMembers(ctx, principal, bucketId);
}

export interface InviteView {
  id: string;
  bucketId: string;
  bucketName: string;
  userId: string;
  permission: string;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
}

const toInviteView = (i: InviteWithBucket): InviteView => ({
  id: i.id,
  bucketId: i.bucket_id,
  bucketName: i.bucket_name,
  userId: i.user_id,
  permission: i.permission,
  invitedBy: i.invited_by,
  createdAt: new Date(Number(i.created_at)).toISOString(),
  expiresAt: new Date(Number(i.expires_at)).toISOString(),
});

/** The caller's own pending (unexpired) invites. */
export async function myInvites(ctx: AppContext, principal: Principal): Promise<InviteView[]> {
  return (await listInvitesForUser(ctx.store.db, principal.userId, ctx.clock.now())).map(toInviteView);
}

/** A bucket's pending invites (bucket admins). */
export async function bucketInvites(
  ctx: AppContext,
  principal: Principal,
  ref: string,
): Promise<InviteView[]> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'admin');
  return (await listInvitesForBucket(ctx.store.db, access.bucket.id, ctx.clock.now())).map(toInviteView);
}

/** Accepts (membership at the invited permission) or declines the caller's own invite. */
export async function answerInvite(
  ctx: AppContext,
  principal: Principal,
  inviteId: string,
  accept: boolean,
): Promise<void> {
  const now = ctx.clock.now();
  const found = await ctx.store.writer.run(async (tx) => {
    const invite = await getInvite(tx, inviteId);
    // Someone else's invite answers exactly like a missing one.
    if (!invite || invite.user_id !== principal.userId) return 'missing' as const;
    await deleteInvite(tx, invite.id);
    if (Number(invite.expires_at) <= now) return 'expired' as const;
    if (accept && (await memberPermission(tx, invite.bucket_id, invite.user_id)) === null) {
      await upsertMember(tx, invite.bucket_id, invite.user_id, invite.permission, now);
    }
    return 'ok' as const;
  });
  if (found === 'missing') throw notFound('Invite');
  if (found === 'expired')
    throw new AppError('notFound', 'This invite has expired.', [{ field: 'inviteId', detail: 'expired' }]);
}

/** Withdraws a pending invite (bucket admins). */
export async function revokeInvite(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  inviteId: string,
): Promise<void> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'admin');
  const removed = await ctx.store.writer.run(async (tx) => {
    const invite = await getInvite(tx, inviteId);
    if (!invite || invite.bucket_id !== access.bucket.id) return false;
    return deleteInvite(tx, invite.id);
  });
  if (!removed) throw notFound('Invite');
}

export async function dropMember(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  userRef: string,
): Promise<void> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  const user = await findUserByRef(ctx.store.db, userRef);
  // Members may always leave; removing someone else needs admin on the bucket.
  if (user?.id !== principal.userId) requireBucket(principal, access, 'admin');
  if (!user) throw notFound('Member');
  if (user.id === access.bucket.owner_id) throw forbidden('The owner cannot be removed from their bucket.');
  // Their live streams stop showing this bucket, in every process.
  const revocations = [{ kind: 'membership' as const, userId: user.id, bucketId: access.bucket.id }];
  const removed = await ctx.store.writer.run(async (tx) => {
    const ok = await removeMember(tx, access.bucket.id, user.id);
    if (ok) await ctx.inboxEvents.revokeInTx(tx, revocations);
    return ok;
  });
  if (!removed) throw notFound('Member');
  ctx.inboxEvents.revoked(revocations);
}
