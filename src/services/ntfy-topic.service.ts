import type { AppContext } from '../context.ts';
import { forbidden, invalid, notFound, unauthorized } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { hasPermission, hasScope, isAdmin, type Principal } from '../domain/principal.ts';
import {
  type BucketRow,
  findBucketsByName,
  getBucketForUser,
  insertBucket,
} from '../store/bucket.repository.ts';
import {
  getNtfyTopics,
  insertNtfyTopic,
  type NtfyTopicRow,
  setNtfyTopicAccess,
} from '../store/ntfy-topic.repository.ts';
import { requireBucket, requireTokenBucket } from './bucket.service.ts';
import { TOPIC_RE } from './ntfy-format.ts';
import { isUniqueViolation } from './user.service.ts';

/**
 * Topics are buckets under a global ntfy name. A topic that does not exist yet is created,
 * with a bucket of the same name owned by the caller, the first time a user who may create
 * buckets publishes or subscribes to it; a bucket of the caller's with that name is taken
 * instead of making a second one. Herald's own top-level paths are never topic names.
 */
export interface NtfyTopic {
  name: string;
  bucketId: string;
  ownerId: string;
  /** The caller's permission on the bucket; null for a non-member (admin or anonymous). */
  permission: string | null;
}

export type NtfyNeed = 'read' | 'write';

/** Anyone who sent no credentials; only topics that allow anonymous access let them in. */
export type NtfyCaller = Principal | null;

const NO_CREDENTIAL = 'this topic needs credentials: send Basic user:password or a Bearer token';

export function checkTopicName(name: string, reserved: ReadonlySet<string>, field = 'topic'): void {
  if (!TOPIC_RE.test(name)) throw invalid(field, 'must be 1-64 letters, digits, - or _');
  if (reserved.has(name.toLowerCase())) throw invalid(field, `"${name}" is one of Herald's own paths`);
}

async function permissionOn(ctx: AppContext, bucketId: string, userId: string): Promise<string | null> {
  return (await getBucketForUser(ctx.store.db, bucketId, userId))?.permission ?? null;
}

function requireAccess(caller: NtfyCaller, topic: NtfyTopicRow, permission: string | null, need: NtfyNeed) {
  if (caller === null) {
    if ((need === 'read' ? topic.anonymous_read : topic.anonymous_write) === 1) return;
    throw unauthorized(NO_CREDENTIAL);
  }
  const scopeOk =
    need === 'write'
      ? hasScope(caller, 'messages:create')
      : hasScope(caller, 'messages:read') || hasScope(caller, 'inbox:read');
  if (!scopeOk) throw forbidden(`the token lacks the scope to ${need === 'write' ? 'publish' : 'subscribe'}`);
  requireTokenBucket(caller, topic.bucket_id);
  // Anonymous access is for everyone, credentials or not.
  if ((need === 'read' ? topic.anonymous_read : topic.anonymous_write) === 1) return;
  requireBucket(caller, { bucket: { id: topic.bucket_id } as BucketRow, permission }, need);
}

async function createTopic(ctx: AppContext, caller: Principal, name: string): Promise<NtfyTopicRow> {
  if (!hasPermission(caller, 'buckets.create')) {
    throw forbidden(`topic "${name}" does not exist and you may not create buckets`);
  }
  const now = ctx.clock.now();
  const own = (await findBucketsByName(ctx.store.db, name, caller.userId)).filter(
    (b) => b.owner_id === caller.userId,
  );
  const bucket: BucketRow = own[0] ?? {
    id: newId(now),
    owner_id: caller.userId,
    name,
    description: 'ntfy topic',
    icon: null,
    color: null,
    created_at: now,
    updated_at: now,
  };
  requireTokenBucket(caller, bucket.id);
  const row = { name, bucket_id: bucket.id, anonymous_read: 0, anonymous_write: 0, created_at: now };
  try {
    await ctx.store.writer.run(async (tx) => {
      if (!own[0]) await insertBucket(tx, bucket, 'owner');
      await insertNtfyTopic(tx, row);
    });
  } catch (err) {
    if (!isUniqueViolation(err)) throw err;
    // Someone created it at the same moment (or the bucket is already another topic's).
    const again = (await getNtfyTopics(ctx.store.db, [name]))[0];
    if (again) return again;
    throw invalid('topic', `your bucket "${name}" is already reachable under another topic name`);
  }
  return { ...row, owner_id: bucket.owner_id };
}

/**
 * The topics named, each checked for `need`; missing ones are created for callers who may
 * create buckets, refused for everyone else.
 */
export async function resolveTopics(
  ctx: AppContext,
  caller: NtfyCaller,
  names: readonly string[],
  need: NtfyNeed,
  reserved: ReadonlySet<string>,
): Promise<NtfyTopic[]> {
  const unique = [...new Set(names)];
  for (const n of unique) checkTopicName(n, reserved);
  const found = new Map((await getNtfyTopics(ctx.store.db, unique)).map((t) => [t.name, t]));
  const out: NtfyTopic[] = [];
  for (const name of unique) {
    let topic = found.get(name);
    if (!topic) {
      if (caller === null) throw unauthorized(NO_CREDENTIAL);
      topic = await createTopic(ctx, caller, name);
    }
    const permission = caller ? await permissionOn(ctx, topic.bucket_id, caller.userId) : null;
    requireAccess(caller, topic, permission, need);
    out.push({ name, bucketId: topic.bucket_id, ownerId: topic.owner_id, permission });
  }
  return out;
}

export interface NtfyTopicAccessView {
  topic: string;
  bucketId: string;
  anonymousRead: boolean;
  anonymousWrite: boolean;
}

const accessView = (t: NtfyTopicRow): NtfyTopicAccessView => ({
  topic: t.name,
  bucketId: t.bucket_id,
  anonymousRead: t.anonymous_read === 1,
  anonymousWrite: t.anonymous_write === 1,
});

async function adminTopic(ctx: AppContext, caller: Principal, name: string): Promise<NtfyTopicRow> {
  const topic = (await getNtfyTopics(ctx.store.db, [name]))[0];
  if (!topic) throw notFound(`Topic "${name}"`);
  requireTokenBucket(caller, topic.bucket_id);
  if (!isAdmin(caller)) {
    const permission = await permissionOn(ctx, topic.bucket_id, caller.userId);
    requireBucket(caller, { bucket: { id: topic.bucket_id } as BucketRow, permission }, 'admin');
  }
  return topic;
}

export async function getTopicAccess(ctx: AppContext, caller: Principal, name: string) {
  return accessView(await adminTopic(ctx, caller, name));
}

/** Turns anonymous reading and publishing on or off for one topic (bucket admins). */
export async function setTopicAccess(
  ctx: AppContext,
  caller: Principal,
  name: string,
  patch: { anonymousRead?: boolean; anonymousWrite?: boolean },
): Promise<NtfyTopicAccessView> {
  const topic = await adminTopic(ctx, caller, name);
  const next = {
    anonymous_read: patch.anonymousRead === undefined ? topic.anonymous_read : patch.anonymousRead ? 1 : 0,
    anonymous_write:
      patch.anonymousWrite === undefined ? topic.anonymous_write : patch.anonymousWrite ? 1 : 0,
  };
  await ctx.store.writer.run((tx) => setNtfyTopicAccess(tx, name, next));
  return accessView({ ...topic, ...next });
}
