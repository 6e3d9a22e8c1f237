import type { AppContext } from '../context.ts';
import { AppError, invalid, notFound } from '../domain/errors.ts';
import { newMagicCode, normaliseMagicCode } from '../domain/magic-code.ts';
import type { Principal } from '../domain/principal.ts';
import { memberPermission } from '../store/bucket.repository.ts';
import {
  deleteMagicCode,
  ensureMagicCode,
  findMagicCode,
  getMagicCode,
  type MagicCodeRow,
} from '../store/magic-code.repository.ts';
import { getUserById, permissionsOf } from '../store/user.repository.ts';
import { resolveBucket } from './bucket.service.ts';

/**
 * Magic codes (docs/buckets.md): a membership's short secret that sends to its bucket as its
 * member without a token. A code is looked up on every use and never cached, so a regenerated
 * or removed code stops working at once, in every process. Uses are counted per code, failed
 * lookups per client address ({@link AppContext.magicCodeLimits}).
 */

/** Longest value tried as a code; anything longer is refused before any lookup. */
export const MAX_MAGIC_CODE_INPUT = 200;

export interface MagicCodeView {
  bucketId: string;
  magicCode: string;
  createdAt: string;
}

const toView = (row: MagicCodeRow): MagicCodeView => ({
  bucketId: row.bucket_id,
  magicCode: row.code,
  createdAt: new Date(Number(row.created_at)).toISOString(),
});

/** Who sends by a code: its member, held to the code's bucket and to sending. */
export interface CodeSender {
  principal: Principal;
  bucketId: string;
}

/** The member a code belongs to, or null for an unknown code. Counts nothing. */
export async function principalForCode(ctx: AppContext, code: string): Promise<CodeSender | null> {
  const db = ctx.store.db;
  const row = await findMagicCode(db, normaliseMagicCode(code));
  if (!row) return null;
  const [user, permissions] = await Promise.all([
    getUserById(db, row.user_id),
    permissionsOf(db, row.user_id),
  ]);
  if (!user) return null;
  return {
    bucketId: row.bucket_id,
    principal: {
      userId: user.id,
      email: user.email,
      username: user.username,
      // The member's own roles: a code sends only what its member may send.
      permissions,
      scopes: new Set(['messages:create']),
      tokenId: null,
      // Like a bucket-restricted token: every bucket check holds the code to its bucket.
      bucketIds: [row.bucket_id],
      tenantId: null,
    },
  };
}

const retryAfter = (ms: number): Record<string, string> => ({
  'retry-after': String(Math.max(1, Math.ceil(ms / 1000))),
});

/** Where the code was found, for the answer's `validations`. */
export type CodeField = 'magicCode' | 'bucketId';

export interface CodeLookup {
  /** The value tried as a code. */
  code: string;
  field: CodeField;
  /** The caller's address: failed lookups are counted by it. */
  client: string;
  /**
   * Whether an unknown code is the answer (404). When false (a code-shaped bucket ref sent with
   * a credential), an unknown code is null and the ref is then read as a bucket id or name.
   */
  required: boolean;
}

/**
 * Authenticates a send by its code: the code's member, or 404 (Zentik's sentence) for an
 * unknown one. 429 once the code has used this minute's budget, or once this address has
 * failed this minute's budget of lookups (checked before the lookup, so guessing learns
 * nothing more).
 */
export async function authenticateByCode(ctx: AppContext, lookup: CodeLookup): Promise<CodeSender | null> {
  const { code, field, client } = lookup;
  if (code.length > MAX_MAGIC_CODE_INPUT) {
    throw invalid(field, `must be at most ${MAX_MAGIC_CODE_INPUT} characters`);
  }
  const limits = ctx.magicCodeLimits;
  const now = ctx.clock.now();
  const missKey = `miss:${client}`;
  const cooling = limits.blocked(missKey, now);
  if (cooling !== null) {
    throw new AppError(
      'rateLimited',
      `Too many unknown magic codes from this address this minute; try again in ${Math.ceil(cooling / 1000)} s.`,
      [{ field, detail: 'too many unknown magic codes' }],
      undefined,
      retryAfter(cooling),
    );
  }
  const sender = await principalForCode(ctx, code);
  if (!sender) {
    limits.take(missKey, now);
    if (!lookup.required) return null;
    throw new AppError('notFound', `Magic code '${code}' not found`, [
      { field, detail: 'no such magic code' },
    ]);
  }
  const wait = limits.take(`code:${normaliseMagicCode(code)}`, now);
  if (wait !== null) {
    throw new AppError(
      'rateLimited',
      `This magic code has sent ${ctx.config.magicCodeRateLimit} times this minute; try again in ${Math.ceil(wait / 1000)} s.`,
      [{ field, detail: 'rate limit reached' }],
      undefined,
      retryAfter(wait),
    );
  }
  return sender;
}

/** The bucket (by id or name) and proof that the caller is a member of it. */
async function ownMembership(ctx: AppContext, principal: Principal, ref: string) {
  const access = await resolveBucket(ctx, principal, ref, 'id');
  // Server admins see every bucket but have a code only where they are members.
  if (access.permission === null) {
    throw new AppError(
      'notFound',
      `You are not a member of bucket "${ref}"; only members have a magic code.`,
      [{ field: 'id', detail: 'not a member' }],
    );
  }
  return access.bucket.id;
}

/** The caller's own code for a bucket they belong to. */
export async function myMagicCode(
  ctx: AppContext,
  principal: Principal,
  ref: string,
): Promise<MagicCodeView> {
  const bucketId = await ownMembership(ctx, principal, ref);
  const row = await getMagicCode(ctx.store.db, bucketId, principal.userId);
  if (row) return toView(row);
  // Every membership gets its code when it is made; this only mends one that somehow has none.
  return toView(await regenerate(ctx, bucketId, principal.userId, false));
}

/** Replaces the caller's code for a bucket; the old code stops working at once. */
export async function regenerateMyMagicCode(
  ctx: AppContext,
  principal: Principal,
  ref: string,
): Promise<MagicCodeView> {
  const bucketId = await ownMembership(ctx, principal, ref);
  return toView(await regenerate(ctx, bucketId, principal.userId, true));
}

async function regenerate(
  ctx: AppContext,
  bucketId: string,
  userId: string,
  replace: boolean,
): Promise<MagicCodeRow> {
  const now = ctx.clock.now();
  const row = await ctx.store.writer.run(async (tx) => {
    // The member may have left since the check above; a code needs its membership.
    if ((await memberPermission(tx, bucketId, userId)) === null) return null;
    if (replace) await deleteMagicCode(tx, bucketId, userId);
    return ensureMagicCode(tx, bucketId, userId, now, newMagicCode);
  });
  if (!row) throw notFound('Membership');
  return row;
}
