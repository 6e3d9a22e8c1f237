import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { vapidPublicKey } from '../../../../services/channel-settings.service.ts';
import {
  listPushSubscriptionViews,
  registerPushSubscription,
  removePushSubscription,
} from '../../../../services/push-subscription.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams } from '../../../schemas/common.schema.ts';

const account = { scope: 'account' } as const;

const Subscription = Type.Object({ id: Type.String(), endpoint: Type.String(), createdAt: Type.String() });

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
        subscriptions: await listPushSubscriptionViews(ctx, principalOf(request).userId),
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
        const view = await registerPushSubscription(ctx, principalOf(request).userId, request.body);
        return reply.code(201).send(view);
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
        await removePushSubscription(ctx, principalOf(request).userId, request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
