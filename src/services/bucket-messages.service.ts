import type { AppContext } from '../context.ts';
import { invalid } from '../domain/errors.ts';
import type { Principal } from '../domain/principal.ts';
import { type MessageView, toMessageView } from '../ingest/send-message.ts';
import { listBucketMessages } from '../store/message.repository.ts';
import { requireBucket, requireTokenBucket, resolveBucket } from './bucket.service.ts';

/**
 * A bucket's message history, for its members. Kept apart from bucket.service.ts because the
 * message view comes from ingest, which itself resolves buckets through that service.
 */
export interface BucketMessagePage {
  messages: MessageView[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  nextCursor: string | null;
}

/** Cursor for keyset paging: base64url of "createdAt:id". */
const encodeCursor = (createdAt: number, id: string) =>
  Buffer.from(`${createdAt}:${id}`).toString('base64url');

function decodeCursor(cursor: string): { createdAt: number; id: string } {
  const [ts, ...rest] = Buffer.from(cursor, 'base64url').toString('utf8').split(':');
  const createdAt = Number(ts);
  if (!Number.isFinite(createdAt) || rest.length === 0)
    throw invalid('cursor', 'is not a cursor this server issued');
  return { createdAt, id: rest.join(':') };
}

/** Newest first, `limit` per page; `ref` is a bucket id or name. */
export async function listBucketMessagePage(
  ctx: AppContext,
  principal: Principal,
  ref: string,
  limit: number,
  cursor?: string,
): Promise<BucketMessagePage> {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  requireTokenBucket(principal, access.bucket.id);
  requireBucket(principal, access, 'read');
  // One row past the page tells whether another page follows.
  const rows = await listBucketMessages(ctx.store.db, access.bucket.id, {
    limit: limit + 1,
    ...(cursor ? { before: decodeCursor(cursor) } : {}),
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    messages: page.map((m) => toMessageView(m)),
    nextCursor: rows.length > limit && last ? encodeCursor(last.created_at, last.id) : null,
  };
}
