import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { channels, channelTypes, getChannel } from '../../../../channels/channel-registry.ts';
import type { AppContext } from '../../../../context.ts';
import { AppError, invalid, invalidMany } from '../../../../domain/errors.ts';
import {
  channelClientShapes,
  listChannelsMasked,
  saveChannel,
} from '../../../../services/channel-settings.service.ts';
import { testChannel } from '../../../../services/channel-test.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { Ok } from '../../../schemas/common.schema.ts';
import {
  fromGatwyConfig,
  GATWY,
  gatwyFieldName,
  isGatwyConfig,
  toGatwyConfig,
} from './gatwy-channel-vocabulary.ts';
import { notificationsAccess } from './notifications-access.ts';
import { routingErrorResponses as errorResponses } from './routing-errors.ts';

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

/** An unknown type is a bad request naming `type`, as Gatwy's server answers it. */
function knownType(type: string): string {
  if (!getChannel(type))
    throw invalid('type', `is not a channel type; the types are ${channelTypes.join(', ')}`);
  return type;
}

/** A refusal of a config saved in Gatwy's keys names the keys the page sent. */
async function namingGatwyFields<T>(type: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation') {
      throw invalidMany(
        err.validations.map((v) => ({ field: gatwyFieldName(type, v.field), detail: v.detail })),
      );
    }
    throw err;
  }
}

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
      async () => {
        const [list, shapes] = await Promise.all([listChannelsMasked(ctx), channelClientShapes(ctx)]);
        return {
          channels: list.map((c) => {
            const shape = shapes.get(c.id);
            if (shape?.dialect !== GATWY) return c;
            return {
              ...c,
              config: toGatwyConfig(c.id, c.config, (shape.shape.extras ?? {}) as Record<string, unknown>),
            };
          }),
        };
      },
    );

    app.put(
      '/channels/:type',
      {
        config: { access: notificationsAccess },
        schema: {
          tags: ['Notification channels'],
          summary: "Save a channel's settings (validated per type; secrets encrypted at rest)",
          description:
            "`config` in the documented keys, or in Gatwy's (`smtp_host`, `telegram_bot_token`, `webhook_headers` as JSON text, ...); it reads back in the keys it was saved in.",
          params: TypeParams,
          body: Type.Object({
            enabled: Type.Boolean(),
            config: Type.Optional(ChannelConfig),
          }),
          response: { 200: Ok, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const type = knownType(request.params.type);
        const { enabled, config } = request.body;
        if (config && isGatwyConfig(type, config)) {
          const translated = fromGatwyConfig(type, config);
          await namingGatwyFields(type, () =>
            saveChannel(
              ctx,
              type,
              { enabled, config: translated.config },
              { clientShape: { dialect: GATWY, shape: { extras: translated.extras } } },
            ),
          );
        } else {
          await saveChannel(ctx, type, { enabled, config }, config ? { clientShape: null } : {});
        }
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
                maxLength: 320,
                description: 'smtp: the address to mail (default: yours); telegram: a chat id',
              }),
            ),
            chat_id: Type.Optional(
              Type.String({
                maxLength: 320,
                description: "telegram: the chat to send to (Gatwy's name for `to`)",
              }),
            ),
            url: Type.Optional(
              Type.String({
                maxLength: 2048,
                description: 'slack, webhook: a URL to test instead of the saved one (not saved)',
              }),
            ),
          }),
          response: { 200: Ok, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) => {
        const type = knownType(request.params.type);
        const { to, chat_id, url, enabled: _enabled, config: rawConfig } = request.body;
        let config = rawConfig;
        if (config && isGatwyConfig(type, config)) config = fromGatwyConfig(type, config).config;
        if (url && (type === 'slack' || type === 'webhook')) {
          config = { ...config, [type === 'slack' ? 'webhookUrl' : 'url']: url };
        }
        // An empty field on a page means "not given".
        const recipient = to?.trim() || chat_id?.trim() || undefined;
        await namingGatwyFields(type, () =>
          testChannel(ctx, principalOf(request), type, { config, to: recipient }),
        );
        return { ok: true };
      },
    );
  };
}
