import type { AppContext } from '../context.ts';
import { type FieldError, invalidMany, notFound } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import {
  type BucketChannelRow,
  deleteBucketChannel,
  listBucketChannels,
  putBucketChannel,
} from '../store/bucket-channel.repository.ts';
import { lookupRecipients } from '../store/rule.repository.ts';
import { requireBucket, resolveBucket } from './bucket.service.ts';

/**
 * A bucket's default channels: every message to the bucket also goes out on each of them,
 * in the message's own transaction (ingest/commit-message.ts). Email and Web Push are not
 * among them: messages reach those already (rules/message-routing.ts).
 *
 * - without `recipients`: one delivery per message to the channel's own target (the Telegram
 *   chat, Slack channel, Discord channel or webhook the operator configured);
 * - with `recipients` (user ids, usernames, emails, role ids or names): one delivery per named
 *   member the message reached, to that user's own address on the channel (their profile's
 *   addresses); members without one there are skipped.
 *
 * Either way a message reaches a channel only if it reached someone's inbox, so members'
 * preferences hold, and the notifier's pause switch holds the deliveries like any other.
 */
export const BUCKET_CHANNELS = ['telegram', 'slack', 'discord', 'webhook'] as const;

export interface BucketChannelView {
  channel: string;
  /** Null: the channel's own target. */
  recipients: string[] | null;
  createdAt: string;
  updatedAt: string;
}

const toView = (r: BucketChannelRow): BucketChannelView => ({
  channel: r.channel,
  recipients: r.recipients ? (JSON.parse(r.recipients) as string[]) : null,
  createdAt: new Date(r.created_at).toISOString(),
  updatedAt: new Date(r.updated_at).toISOString(),
});

export async function bucketChannels(
  ctx: AppContext,
  principal: Principal,
  ref: string,
): Promise<BucketChannelView[]> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'read');
  return (await listBucketChannels(ctx.store.db, access.bucket.id)).map(toView);
}

/** Users and roles a recipient list names; every entry must name one. */
async function checkRefs(ctx: AppContext, refs: readonly string[]): Promise<FieldError[]> {
  const dir = await lookupRecipients(ctx.store.db, refs);
  const errors: FieldError[] = [];
  refs.forEach((ref, i) => {
    const user = dir.users.some((u) => u.id === ref || u.username === ref || u.email === ref.toLowerCase());
    const role = dir.roles.some((r) => r.id === ref || r.name === ref);
    if (!user && !role) errors.push({ field: `recipients[${i}]`, detail: `"${ref}" is no user or role` });
  });
  return errors;
}

/** Sets (adds or replaces) one default channel; the bucket's owner or a server admin only. */
export async function setBucketChannel(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  channel: string,
  input: { recipients?: string[] | null },
): Promise<BucketChannelView> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'owner');
  const refs = input.recipients?.length ? [...new Set(input.recipients)] : null;
  if (refs) {
    const errors = await checkRefs(ctx, refs);
    if (errors.length > 0) throw invalidMany(errors);
  }
  const now = ctx.clock.now();
  const existing = (await listBucketChannels(ctx.store.db, access.bucket.id)).find(
    (c) => c.channel === channel,
  );
  const row: BucketChannelRow = {
    bucket_id: access.bucket.id,
    channel,
    recipients: refs ? JSON.stringify(refs) : null,
    created_at: existing?.created_at ?? now,
    updated_at: now,
  };
  await ctx.store.writer.run((tx) => putBucketChannel(tx, row));
  ctx.bucketChannels.invalidate(access.bucket.id);
  return toView(row);
}

export async function removeBucketChannel(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  channel: string,
): Promise<void> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireBucket(principal, access, 'owner');
  const deleted = await ctx.store.writer.run((tx) => deleteBucketChannel(tx, access.bucket.id, channel));
  ctx.bucketChannels.invalidate(access.bucket.id);
  if (!deleted) throw notFound('Bucket channel');
}
