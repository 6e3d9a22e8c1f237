import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  ADDRESS_CHANNELS,
  removeUserAddress,
  setUserAddress,
  userAddresses,
} from '../../../../services/user-address.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses } from '../../../schemas/common.schema.ts';

const AddressSchema = Type.Object(
  { channel: Type.String(), address: Type.String(), updatedAt: Type.String() },
  { description: 'Webhook URLs (slack, discord) read back masked' },
);

const UserParams = Type.Object({
  id: Type.String({ minLength: 1, maxLength: 200, description: '`me` or a user id (admins)' }),
});
const ChannelParams = Type.Object({
  ...UserParams.properties,
  channel: Type.Enum([...ADDRESS_CHANNELS], {
    'x-detail': { enum: `must be one of ${ADDRESS_CHANNELS.join(', ')}` },
  }),
});

const account = { scope: 'account' } as const;

/** A user's own addresses per channel (services/user-address.service.ts); under /api/v1/users. */
export function userAddressesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/:id/addresses',
      {
        config: { access: account },
        schema: {
          tags: ['users'],
          summary: "A user's own addresses, used when rules or bucket channels name them",
          params: UserParams,
          response: { 200: Type.Array(AddressSchema), ...errorResponses(401, 403) },
        },
      },
      async (request) => userAddresses(ctx, principalOf(request), request.params.id),
    );

    app.put(
      '/:id/addresses/:channel',
      {
        config: { access: account },
        schema: {
          tags: ['users'],
          summary:
            'Set your address on a channel: smtp an email, telegram a chat id, slack and discord a webhook URL',
          params: ChannelParams,
          body: Type.Object(
            { address: Type.String({ minLength: 1, maxLength: 2048 }) },
            { additionalProperties: false },
          ),
          response: { 200: AddressSchema, ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request) =>
        setUserAddress(ctx, principalOf(request), request.params.id, request.params.channel, request.body),
    );

    app.delete(
      '/:id/addresses/:channel',
      {
        config: { access: account },
        schema: {
          tags: ['users'],
          summary: 'Remove your address on a channel',
          params: ChannelParams,
          response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        await removeUserAddress(ctx, principalOf(request), request.params.id, request.params.channel);
        return reply.code(204).send(null);
      },
    );
  };
}
