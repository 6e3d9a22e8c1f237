import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { type FieldError, invalidMany, notFound } from '../../../../domain/errors.ts';
import { newId } from '../../../../domain/ids.ts';
import { vapidPublicKey } from '../../../../services/channel-settings.service.ts';
import {
  deletePushSubscription,
  listPushSubscriptions,
  type PushSubscriptionRow,
  upsertPushSubscription,
} from '../../../../store/push-subscription.repository.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams } from '../../../schemas/common.schema.ts';

const account = { scope: 'account' } as const;

const Subscription = Type.Object({ id: Type.String(), endpoint: Type.String(), createdAt: Type.String() });

const toView = (r: PushSubscriptionRow) => ({
  id: r.id,
  endpoint: r.endpoint,
  createdAt: new Date(r.created_at).toISOString(),
});

/** Byte length of a base64url value, or -1 when it is not base64url. */
function decodedLength(value: string): number {
  return /^[A-Za-z0-9_-]+={0,2}$/.test(value) ? Buffer.from(value, 'base64url').length : -1;
}

/** What `PushSubscription.toJSON()` gives a browser; checked so a bad key fails here, not at send. */
function checkSubscription(body: { endpoint: string; keys: { p256dh: string; auth: string } }): void {
  const errors: FieldError[] = [];
  let url: URL | undefined;
  try {
    url = new URL(body.endpoint);
  } catch {}
  if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) {
    errors.push({ field: 'endpoint', detail: 'must be the https URL of a push service' });
  }
  if (decodedLength(body.keys.p256dh) !== 65) {
    errors.push({ field: 'keys.p256dh', detail: 'must be a base64url P-256 public key (65 bytes)' });
  }
  if (decodedLength(body.keys.auth) !== 16) {
    errors.push({ field: 'keys.auth', detail: 'must be a base64url 16-byte auth secret' });
  }
  if (errors.length > 0) throw invalidMany(errors);
}

/** A signed-in user's browsers register here to receive web push. */
export function pushSubscriptionsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/vapid-public-key',
      {
        config: { access: account },
        schema: {
          tags: ['Web push'],
          summary: 'The applicationServerKey to pass to pushManager.subscribe()',
          response: { 200: Type.Object({ publicKey: Type.String() }), ...errorResponses(401) },
        },
      },
      async () => ({ publicKey: await vapidPublicKey(ctx) }),
    );

    app.get(
      '/',
      {
        config: { access: account },
        schema: {
          tags: ['Web push'],
          summary: 'Your registered push subscriptions',
          response: { 200: Type.Object({ subscriptions: Type.Array(Subscription) }), ...errorResponses(401) },
        },
      },
      async (request) => ({
        subscriptions: (await listPushSubscriptions(ctx.store.db, principalOf(request).userId)).map(toView),
      }),
    );

    app.post(
      '/',
      {
        config: { access: account },
        schema: {
          tags: ['Web push'],
          summary: 'Register a browser push subscription (the same endpoint again replaces it)',
          body: Type.Object({
            endpoint: Type.String({ minLength: 1, maxLength: 2048 }),
            expirationTime: Type.Optional(Type.Union([Type.Number(), Type.Null()])),
            keys: Type.Object({
              p256dh: Type.String({ minLength: 1, maxLength: 200 }),
              auth: Type.String({ minLength: 1, maxLength: 100 }),
            }),
          }),
          response: { 201: Subscription, ...errorResponses(400, 401) },
        },
      },
      async (request, reply) => {
        checkSubscription(request.body);
        const now = ctx.clock.now();
        const userId = principalOf(request).userId;
        const row = await ctx.store.writer.run((tx) =>
          upsertPushSubscription(tx, {
            id: newId(now),
            user_id: userId,
            endpoint: request.body.endpoint,
            p256dh: request.body.keys.p256dh,
            auth: request.body.keys.auth,
            created_at: now,
          }),
        );
        return reply.code(201).send(toView(row));
      },
    );

    app.delete(
      '/:id',
      {
        config: { access: account },
        schema: {
          tags: ['Web push'],
          summary: 'Remove one of your push subscriptions',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(401, 404) },
        },
      },
      async (request, reply) => {
        const userId = principalOf(request).userId;
        const deleted = await ctx.store.writer.run((tx) =>
          deletePushSubscription(tx, userId, request.params.id),
        );
        if (!deleted) throw notFound('Push subscription');
        return reply.code(204).send(null);
      },
    );
  };
}
