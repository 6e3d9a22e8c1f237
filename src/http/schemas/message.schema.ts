import { Type } from 'typebox';
import { ACTION_TYPES, MEDIA_TYPES } from '../../domain/message.ts';
import { Nullable } from './common.schema.ts';

const lit = (values: readonly string[]) => Type.Union(values.map((v) => Type.Literal(v)));

export const ActionSchema = Type.Object(
  {
    type: lit(ACTION_TYPES),
    value: Type.Optional(Type.String({ description: 'Semantics depend on type (path, url, id)' })),
    destructive: Type.Optional(Type.Boolean()),
    icon: Type.Optional(Type.String()),
    title: Type.Optional(Type.String()),
  },
  { $id: 'MessageAction' },
);

export const AttachmentSchema = Type.Object(
  {
    mediaType: Type.Union(
      MEDIA_TYPES.map((v) => Type.Literal(v)),
      {
        description: 'VIDEO, IMAGE, GIF, AUDIO, ICON; FILE for other files (uploads and links)',
      },
    ),
    name: Type.Optional(Type.String()),
    url: Type.Optional(Type.String({ description: 'Provide either url or attachmentUuid' })),
    attachmentUuid: Type.Optional(Type.String()),
    saveOnServer: Type.Optional(Type.Boolean({ description: 'If true with url, the server keeps a copy' })),
  },
  { $id: 'MessageAttachment' },
);

export const MessageSchema = Type.Object(
  {
    id: Type.String(),
    bucketId: Nullable(Type.String()),
    senderId: Nullable(Type.String()),
    title: Type.String(),
    subtitle: Nullable(Type.String()),
    body: Nullable(Type.String()),
    deliveryType: Type.String(),
    attachments: Type.Array(Type.Ref('MessageAttachment')),
    actions: Type.Array(Type.Ref('MessageAction')),
    tapAction: Nullable(Type.Ref('MessageAction')),
    sound: Nullable(Type.String()),
    snoozes: Type.Array(Type.Integer()),
    locale: Nullable(Type.String()),
    groupId: Nullable(Type.String()),
    collapseId: Nullable(Type.String()),
    createdAt: Type.String(),
    recipientCount: Type.Optional(Type.Integer()),
  },
  { $id: 'Message' },
);
