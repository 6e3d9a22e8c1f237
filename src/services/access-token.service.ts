import type { AppContext } from '../context.ts';
import { type FieldError, forbidden, invalidMany, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { isAdmin, type Principal, SCOPES } from '../domain/principal.ts';
import { randomToken, sha256Hex } from '../domain/secrets.ts';
import {
  type AccessTokenRow,
  insertAccessToken,
  listAccessTokens,
  revokeAccessToken,
} from '../store/access-token.repository.ts';
import { insertEvents } from '../store/event.repository.ts';
import { ACCESS_TOKEN_PREFIX } from './auth.service.ts';
import { resolveTokenBuckets } from './bucket.service.ts';

export interface AccessTokenView {
  id: string;
  name: string;
  scopes: string[];
  bucketIds: string[] | null;
  tenantId: string | null;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
}

export interface NewAccessTokenInput {
  name: string;
  scopes: string[];
  expiresAt?: string;
  bucketIds?: string[];
  tenantId?: string;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const toAccessTokenView = (row: AccessTokenRow): AccessTokenView => ({
  id: row.id,
  name: row.name,
  scopes: JSON.parse(row.scopes) as string[],
  bucketIds: row.bucket_ids ? (JSON.parse(row.bucket_ids) as string[]) : null,
  tenantId: row.tenant_id,
  expiresAt: iso(row.expires_at),
  lastUsedAt: iso(row.last_used_at),
  createdAt: new Date(row.created_at).toISOString(),
});

export async function createAccessToken(
  ctx: AppContext,
  principal: Principal,
  input: NewAccessTokenInput,
): Promise<AccessTokenView & { token: string }> {
  const now = ctx.clock.now();
  const errors: FieldError[] = [];
  const name = input.name.trim();
  if (name.length === 0) errors.push({ field: 'name', detail: 'must not be empty' });
  const scopes = [...new Set(input.scopes)];
  if (scopes.length === 0) errors.push({ field: 'scopes', detail: 'at least one scope is required' });
  scopes.forEach((s, i) => {
    if (!(SCOPES as readonly string[]).includes(s)) {
      errors.push({ field: `scopes[${i}]`, detail: `unknown scope "${s}"; known: ${SCOPES.join(', ')}` });
    }
  });
  let expiresAt: number | null = null;
  if (input.expiresAt !== undefined) {
    expiresAt = Date.parse(input.expiresAt);
    if (Number.isNaN(expiresAt)) errors.push({ field: 'expiresAt', detail: 'must be an ISO 8601 date-time' });
    else if (expiresAt <= now) errors.push({ field: 'expiresAt', detail: 'must be in the future' });
  }
  if (errors.length > 0) throw invalidMany(errors);
  if (scopes.includes('admin') && !isAdmin(principal)) {
    throw forbidden('Only administrators can create tokens with the admin scope.');
  }
  // A token can never carry more than the token that created it.
  if (principal.scopes !== null && !principal.scopes.has('*')) {
    const extra = scopes.filter((s) => !principal.scopes!.has(s));
    if (extra.length > 0)
      throw forbidden(`This credential cannot grant scopes it lacks: ${extra.join(', ')}.`);
  }
  let bucketIds: string[] | null = null;
  if (input.bucketIds && input.bucketIds.length > 0) {
    bucketIds = await resolveTokenBuckets(ctx, principal, input.bucketIds);
  }
  const token = randomToken(ACCESS_TOKEN_PREFIX);
  const row: AccessTokenRow = {
    id: newId(now),
    user_id: principal.userId,
    name,
    token_hash: sha256Hex(token),
    scopes: JSON.stringify(scopes),
    bucket_ids: bucketIds ? JSON.stringify(bucketIds) : null,
    tenant_id: input.tenantId ?? null,
    expires_at: expiresAt,
    last_used_at: null,
    revoked_at: null,
    created_at: now,
  };
  await ctx.store.writer.run(async (tx) => {
    await insertAccessToken(tx, row);
    await insertEvents(
      tx,
      [
        {
          id: newId(now),
          name: 'token.created',
          fields: { tokenId: row.id, userId: principal.userId, name, scopes },
          occurredAt: now,
        },
      ],
      now,
    );
  });
  return { ...toAccessTokenView(row), token };
}

export async function listTokens(ctx: AppContext, userId: string): Promise<AccessTokenView[]> {
  await ctx.tokenUsage.flush();
  return (await listAccessTokens(ctx.store.db, userId)).map(toAccessTokenView);
}

export async function revokeToken(ctx: AppContext, userId: string, id: string): Promise<void> {
  // Its live streams end with it, in every process (inbox-events.ts).
  const revocations = [{ kind: 'token' as const, tokenId: id }];
  const ok = await ctx.store.writer.run(async (tx) => {
    const revoked = await revokeAccessToken(tx, id, userId, ctx.clock.now());
    if (revoked) await ctx.inboxEvents.revokeInTx(tx, revocations);
    return revoked;
  });
  ctx.principals.clear();
  if (!ok) throw notFound('Access token');
  ctx.inboxEvents.revoked(revocations);
}
