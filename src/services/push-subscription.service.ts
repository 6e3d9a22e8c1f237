import type { AppContext } from '../context.ts';
import { type FieldError, invalidMany, notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import {
  deletePushSubscription,
  listPushSubscriptions,
  type PushSubscriptionRow,
  upsertPushSubscription,
} from '../store/push-subscription.repository.ts';

/** A signed-in user's browsers, registered to receive web push. */
export interface PushSubscriptionView {
  id: string;
  endpoint: string;
  createdAt: string;
}

/** What `PushSubscription.toJSON()` gives a browser. */
export interface PushSubscriptionInput {
  endpoint: string;
  keys: { p256dh: string; auth: string };
}

const toView = (r: PushSubscriptionRow): PushSubscriptionView => ({
  id: r.id,
  endpoint: r.endpoint,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Byte length of a base64url value, or -1 when it is not base64url. */
function decodedLength(value: string): number {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

/** Checked so a bad key fails at registration, not at the first send. */
function checkSubscription(input: PushSubscriptionInput): void {
  const errors: FieldError[] = [];
  let url: URL | undefined;
  try {
    url = new URL(input.endpoint);
  } catch {}
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    errors.push({ field: 'endpoint', detail: 'must be the https URL of a push service' });
  }
  if (decodedLength(input.keys.p256dh) !== 65) {
    errors.push({ field: 'keys.p256dh', detail: 'must be a base64url P-256 public key (65 bytes)' });
  }
  if (decodedLength(input.keys.auth) !== 16) {
    errors.push({ field: 'keys.auth', detail: 'must be a base64url 16-byte auth secret' });
  }
  if (errors.length > 0) throw invalidMany(errors);
}

export async function listPushSubscriptionViews(
  ctx: AppContext,
  userId: string,
): Promise<PushSubscriptionView[]> {
  return (await listPushSubscriptions(ctx.store.db, userId)).map(toView);
}

/** The same endpoint registered again replaces what was stored for it. */
export async function registerPushSubscription(
  ctx: AppContext,
  userId: string,
  input: PushSubscriptionInput,
): Promise<PushSubscriptionView> {
  checkSubscription(input);
  const now = ctx.clock.now();
  const row = await ctx.store.writer.run((tx) =>
    upsertPushSubscription(tx, {
      id: newId(now),
      user_id: userId,
      endpoint: input.endpoint,
      p256dh: input.keys.p256dh,
      auth: input.keys.auth,
      created_at: now,
    }),
  );
  return toView(row);
}

/** Only the user's own subscriptions can be removed; any other id is not found. */
export async function removePushSubscription(ctx: AppContext, userId: string, id: string): Promise<void> {
  const deleted = await ctx.store.writer.run((tx) => deletePushSubscription(tx, userId, id));
  if (!deleted) throw notFound('Push subscription');
}
