import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  BUCKET_CHANNELS,
  bucketChannels,
  removeBucketChannel,
  setBucketChannel,
} from '../../../../services/bucket-channel.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, Nullable } from '../../../schemas/common.schema.ts';

const BucketChannelSchema = Type.Object(
  {
    channel: Type.String(),
    recipients: Nullable(Type.Array(Type.String())),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { description: "recipients null: the channel's own target; else the named users' own addresses" },
);

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
const ChannelParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200 }),
  channel: Type.Enum([...BUCKET_CHANNELS], {
    'x-detail': { enum: `must be one of ${BUCKET_CHANNELS.join(', ')}` },
  }),
});

const read = { scope: 'buckets:read' } as const;
const write = { scope: 'buckets:write' } as const;

/** A bucket's default channels (services/bucket-channel.service.ts); mounted under /api/v1/buckets. */
export function bucketChannelsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/:id/channels',
      {
        config: { access: read },
        schema: {
          tags: ['buckets'],
          summary: "The bucket's default channels: every message to it also goes out on each",
          params: Params,
          response: { 200: Type.Array(BucketChannelSchema), ...errorResponses(403, 404) },
        },
      },
      async (request) => bucketChannels(ctx, principalOf(request), request.params.id),
    );

    app.put(
      '/:id/channels/:channel',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Add or replace a default channel (the bucket owner or a server admin)',
          params: ChannelParams,
          body: Type.Object(
            {
              recipients: Type.Optional(
                Nullable(
                  Type.Array(Type.String({ minLength: 1, maxLength: 320, pattern: '\\S' }), {
                    maxItems: 1000,
                    description:
                      "User ids, usernames, emails, role ids or names; empty or absent: the channel's own target",
                  }),
                ),
              ),
            },
            { additionalProperties: false },
          ),
          response: { 200: BucketChannelSchema, ...errorResponses(400, 403, 404) },
        },
      },
      async (request) =>
        setBucketChannel(ctx, principalOf(request), request.params.id, request.params.channel, request.body),
    );

    app.delete(
      '/:id/channels/:channel',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Remove a default channel (the bucket owner or a server admin)',
          params: ChannelParams,
          response: { 204: Type.Null(), ...errorResponses(400, 403, 404) },
        },
      },
      async (request, reply) => {
        await removeBucketChannel(ctx, principalOf(request), request.params.id, request.params.channel);
        return reply.code(204).send(null);
      },
    );
  };
}
