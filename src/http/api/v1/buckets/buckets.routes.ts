import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import {
  answerInvite,
  BUCKET_PERMISSIONS,
  bucketInvites,
  bucketMembers,
  createBucket,
  dropMember,
  getBucketView,
  listBuckets,
  myInvites,
  patchBucket,
  removeBucket,
  revokeInvite,
  setMember,
} from '../../../../services/bucket.service.ts';
import { listBucketMessagePage } from '../../../../services/bucket-messages.service.ts';
import { myMagicCode, regenerateMyMagicCode } from '../../../../services/magic-code.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams, Nullable } from '../../../schemas/common.schema.ts';

export const BucketSchema = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    description: Nullable(Type.String()),
    icon: Nullable(Type.String()),
    color: Nullable(Type.String()),
    ownerId: Type.String(),
    permission: Nullable(Type.String({ description: "The caller's permission on the bucket" })),
    createdAt: Type.String(),
    updatedAt: Type.String(),
  },
  { $id: 'Bucket' },
);

export const MemberSchema = Type.Object(
  {
    userId: Type.String(),
    username: Nullable(Type.String()),
    email: Nullable(Type.String()),
    permission: Type.String(),
    createdAt: Type.String(),
  },
  { $id: 'BucketMember' },
);

export const InviteSchema = Type.Object(
  {
    id: Type.String(),
    bucketId: Type.String(),
    bucketName: Type.String(),
    userId: Type.String(),
    permission: Type.String(),
    invitedBy: Type.String(),
    createdAt: Type.String(),
    expiresAt: Type.String(),
  },
  { $id: 'BucketInvite' },
);

export const MagicCodeSchema = Type.Object(
  {
    bucketId: Type.String(),
    magicCode: Type.String({
      description: 'Eight hex characters; sends to this bucket as you, with no token (docs/buckets.md)',
    }),
    createdAt: Type.String({ description: 'When this code was made (a regenerated code is new)' }),
  },
  { $id: 'BucketMagicCode' },
);

const Grantable = Type.Union(
  BUCKET_PERMISSIONS.filter((p) => p !== 'owner').map((p) => Type.Literal(p)),
  { default: 'write' },
);

const read = { scope: 'buckets:read' } as const;
const write = { scope: 'buckets:write' } as const;

export function bucketsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Create a bucket; the creator is its owner and first member',
          body: Type.Object({
            name: Type.String({ minLength: 1, maxLength: 100 }),
            description: Type.Optional(Type.String({ maxLength: 500 })),
            icon: Type.Optional(Type.String({ maxLength: 2048 })),
            color: Type.Optional(Type.String({ maxLength: 32 })),
          }),
          response: { 201: Type.Ref('Bucket'), ...errorResponses(400, 401, 403, 409) },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createBucket(ctx, principalOf(request), request.body)),
    );

    app.get(
      '/',
      {
        config: { access: { ...read, anyToken: true } },
        schema: {
          tags: ['buckets'],
          summary:
            'List the buckets you belong to (admins: ?all=true for every bucket); any access token may list them',
          querystring: Type.Object({ all: Type.Optional(Type.Boolean()) }),
          response: { 200: Type.Array(Type.Ref('Bucket')) },
        },
      },
      async (request) => listBuckets(ctx, principalOf(request), request.query.all === true),
    );

    app.get(
      '/:id',
      {
        config: { access: read },
        schema: {
          tags: ['buckets'],
          summary: 'Get a bucket by id or name',
          params: IdParams,
          response: { 200: Type.Ref('Bucket'), ...errorResponses(403, 404) },
        },
      },
      async (request) => getBucketView(ctx, principalOf(request), request.params.id),
    );

    app.patch(
      '/:id',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Update a bucket (bucket admins and owner)',
          params: IdParams,
          body: Type.Object({
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
            description: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
            icon: Type.Optional(Nullable(Type.String({ maxLength: 2048 }))),
            color: Type.Optional(Nullable(Type.String({ maxLength: 32 }))),
          }),
          response: { 200: Type.Ref('Bucket'), ...errorResponses(400, 403, 404, 409) },
        },
      },
      async (request) => patchBucket(ctx, principalOf(request), request.params.id, request.body),
    );

    app.delete(
      '/:id',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Delete a bucket and its messages (owner or admin)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        await removeBucket(ctx, principalOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/invites',
      {
        config: { access: read },
        schema: {
          tags: ['buckets'],
          summary: 'Your pending bucket invites',
          response: { 200: Type.Array(Type.Ref('BucketInvite')) },
        },
      },
      async (request) => myInvites(ctx, principalOf(request)),
    );

    for (const [verb, accept] of [
      ['accept', true],
      ['decline', false],
    ] as const) {
      app.post(
        `/invites/:inviteId/${verb}`,
        {
          config: { access: write },
          schema: {
            tags: ['buckets'],
            summary: accept ? 'Accept your invite: you become a member' : 'Decline your invite',
            params: Type.Object({ inviteId: Type.String({ minLength: 1, maxLength: 100 }) }),
            response: { 204: Type.Null(), ...errorResponses(404) },
          },
        },
        async (request, reply) => {
          await answerInvite(ctx, principalOf(request), request.params.inviteId, accept);
          return reply.code(204).send(null);
        },
      );
    }

    app.get(
      '/:id/invites',
      {
        config: { access: read },
        schema: {
          tags: ['buckets'],
          summary: "A bucket's pending invites (bucket admins)",
          params: IdParams,
          response: { 200: Type.Array(Type.Ref('BucketInvite')), ...errorResponses(403, 404) },
        },
      },
      async (request) => bucketInvites(ctx, principalOf(request), request.params.id),
    );

    app.delete(
      '/:id/invites/:inviteId',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Withdraw a pending invite (bucket admins)',
          params: Type.Object({ id: Type.String(), inviteId: Type.String() }),
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        await revokeInvite(ctx, principalOf(request), request.params.id, request.params.inviteId);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/:id/members',
      {
        config: { access: read },
        schema: {
          tags: ['buckets'],
          summary: 'List members',
          params: IdParams,
          response: { 200: Type.Array(Type.Ref('BucketMember')), ...errorResponses(403, 404) },
        },
      },
      async (request) => bucketMembers(ctx, principalOf(request), request.params.id),
    );

    app.post(
      '/:id/members',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary:
            'Add a member (server admins) or invite a user (bucket admins); the answer never tells whether the user exists',
          params: IdParams,
          body: Type.Object({
            userId: Type.String({ minLength: 1, maxLength: 320, description: 'User id, username or email' }),
            permission: Type.Optional(Grantable),
          }),
          response: { 200: Type.Array(Type.Ref('BucketMember')), ...errorResponses(400, 403, 404) },
        },
      },
      async (request) =>
        setMember(
          ctx,
          principalOf(request),
          request.params.id,
          request.body.userId,
          request.body.permission ?? 'write',
        ),
    );

    app.delete(
      '/:id/members/:userId',
      {
        config: { access: write },
        schema: {
          tags: ['buckets'],
          summary: 'Remove a member (bucket admins; anyone may leave)',
          params: Type.Object({ id: Type.String(), userId: Type.String() }),
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        await dropMember(ctx, principalOf(request), request.params.id, request.params.userId);
        return reply.code(204).send(null);
      },
    );

    // Reading or replacing a code needs a login: a token that could read one would outlive its
    // own expiry and revocation through it.
    app.get(
      '/:id/magic-code',
      {
        config: { access: { ...read, jwtOnly: true } },
        schema: {
          tags: ['buckets'],
          summary: 'Your magic code for a bucket you belong to (login session only)',
          description:
            'Every membership has a magic code: eight hex characters that send messages to this ' +
            'bucket as you, without a token (`magicCode` on POST/GET /api/v1/messages and on ' +
            'transform). It reads nothing and sends nowhere else. 404 when you are not a member; ' +
            'access tokens are refused with 403.',
          params: IdParams,
          response: { 200: Type.Ref('BucketMagicCode'), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => myMagicCode(ctx, principalOf(request), request.params.id),
    );

    app.post(
      '/:id/magic-code/regenerate',
      {
        config: { access: { ...write, jwtOnly: true } },
        schema: {
          tags: ['buckets'],
          summary: 'Replace your magic code for a bucket; the old one stops working at once',
          description:
            'Answers the new code. Any script or device still sending with the old code gets 404 ' +
            'from its next send. 404 when you are not a member; access tokens are refused with 403.',
          params: IdParams,
          response: { 200: Type.Ref('BucketMagicCode'), ...errorResponses(401, 403, 404) },
        },
      },
      async (request) => regenerateMyMagicCode(ctx, principalOf(request), request.params.id),
    );

    app.get(
      '/:id/messages',
      {
        config: { access: { scope: 'messages:read' } },
        schema: {
          tags: ['buckets'],
          summary: 'Messages in a bucket, newest first (members only; cursor-paged)',
          params: IdParams,
          querystring: Type.Object({
            limit: Type.Integer({ minimum: 1, maximum: 100, default: 25 }),
            cursor: Type.Optional(Type.String({ maxLength: 500 })),
          }),
          response: {
            200: Type.Object({
              messages: Type.Array(Type.Ref('Message')),
              nextCursor: Nullable(Type.String()),
            }),
            ...errorResponses(400, 403, 404),
          },
        },
      },
      async (request) =>
        listBucketMessagePage(
          ctx,
          principalOf(request),
          request.params.id,
          request.query.limit,
          request.query.cursor,
        ),
    );
  };
}
