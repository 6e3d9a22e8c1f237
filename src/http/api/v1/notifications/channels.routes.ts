import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { channels } from '../../../../channels/channel-registry.ts';
import type { AppContext } from '../../../../context.ts';
import { listChannelsMasked, saveChannel } from '../../../../services/channel-settings.service.ts';
import { testChannel } from '../../../../services/channel-test.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, Ok } from '../../../schemas/common.schema.ts';
import { notificationsAccess } from './notifications-access.ts';

/** Each channel's config schema, published as a component so the document shows every field. */
export const channelConfigSchemas = Object.values(channels).map((c) => c.configSchema);

const schemaNames = Object.values(channels)
  .map((c) => `${c.type}: ${(c.configSchema as { $id?: string }).$id}`)
  .join(', ');

// One route serves every type, so the body holds the config as an object; the service merges
// it with the stored one (masked secrets mean "keep the saved value", partial test overrides)
// and checks the result against the type's schema, naming `config.<field>`.
const ChannelConfig = Type.Record(Type.String(), Type.Unknown(), {
  description:
    `The channel type's settings, checked against its schema (${schemaNames}) after masked ` +
    'secrets are put back. Secret fields read back masked; send the masked value to keep them.',
});
const TypeParams = Type.Object({
  type: Type.String({ description: Object.keys(channels).join(', '), maxLength: 32 }),
});

export function channelsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/channels',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification channels'],
          summary: 'List every channel type with its settings, secrets masked',
          response: {
            200: Type.Object({
              channels: Type.Array(
                Type.Object({ id: Type.String(), enabled: Type.Boolean(), config: ChannelConfig }),
              ),
            }),
            ...errorResponses(401, 403),
          },
        },
      },
      async () => ({ channels: await listChannelsMasked(ctx) }),
    );

    app.put(
      '/channels/:type',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification channels'],
          summary: "Save a channel's settings (validated per type; secrets encrypted at rest)",
          params: TypeParams,
          body: Type.Object({
            enabled: Type.Boolean(),
            config: Type.Optional(ChannelConfig),
          }),
          response: { 200: Ok, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        await saveChannel(ctx, request.params.type, request.body);
        return { ok: true };
      },
    );

    app.post(
      '/channels/:type/test',
      {
        config: { access: notificationsAccess },
        // The body is optional: no body means "test the saved settings".
        preValidation: async (request) => {
          request.body ??= {};
        },
        schema: {
          tags: ['Notification channels'],
          summary: 'Send a test notification now, optionally with settings overriding the saved ones',
          params: TypeParams,
          body: Type.Object({
            enabled: Type.Optional(Type.Boolean()),
            config: Type.Optional(ChannelConfig),
            to: Type.Optional(
              Type.String({
                minLength: 1,
                maxLength: 320,
                description: 'smtp: the address to mail (default: yours); telegram: a chat id',
              }),
            ),
          }),
          response: { 200: Ok, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        await testChannel(ctx, principalOf(request), request.params.type, request.body);
        return { ok: true };
      },
    );
  };
}
