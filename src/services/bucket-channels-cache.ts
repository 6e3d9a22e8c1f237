import { type BucketChannelRow, listBucketChannels } from '../store/bucket-channel.repository.ts';
import type { Executor } from '../store/database.ts';

/**
 * ms a bucket's default channels are trusted without a query. Every message to a bucket needs
 * them and they change rarely: a change in this process drops the bucket's copy at once, other
 * processes (on PostgreSQL) follow within this time.
 */
export const BUCKET_CHANNELS_TTL_MS = 2_000;
/** Buckets remembered at once; the oldest entry goes first. */
const MAX_BUCKETS = 10_000;

/** A bucket's default channels as every message to it reads them (services/bucket-channel.service.ts). */
export interface BucketChannelsCache {
  get(db: Executor, bucketId: string): Promise<readonly BucketChannelRow[]>;
  /** Drops the bucket's copy: call after a change to its channels commits. */
  invalidate(bucketId: string): void;
}

export function createBucketChannelsCache(
  ttlMs = BUCKET_CHANNELS_TTL_MS,
  now: () => number = Date.now,
): BucketChannelsCache {
  const cached = new Map<string, { rows: readonly BucketChannelRow[]; until: number }>();
  // A change while a read is under way must not let that (older) read be cached.
  let generation = 0;
  return {
    async get(db, bucketId) {
      const hit = cached.get(bucketId);
      if (hit && hit.until > now()) return hit.rows;
      const started = generation;
      const rows = await listBucketChannels(db, bucketId);
      if (generation === started) {
        cached.delete(bucketId);
        if (cached.size >= MAX_BUCKETS) cached.delete(cached.keys().next().value as string);
        cached.set(bucketId, { rows, until: now() + ttlMs });
      }
      return rows;
    },
    invalidate(bucketId) {
      generation++;
      cached.delete(bucketId);
    },
  };
}
