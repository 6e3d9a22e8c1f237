import { type Static, Type } from 'typebox';
import { ACTION_TYPES, DELIVERY_TYPES, LIMITS, MEDIA_TYPES } from '../domain/message.ts';

/**
 * The fields of a messages-family message (`POST /api/v1/messages` and its GET, multipart and
 * transform forms), as the validator checks them. Unknown fields are allowed and dropped.
 */

/** Longest identifier-like text (sound, groupId, attachment names and ids). */
const SHORT_TEXT = 200;
/** Longest URL or action value. */
const LONG_TEXT = 2048;
/** One year, in minutes: the longest snooze a client may offer. */
const MAX_SNOOZE_MINUTES = 525_600;

const Short = (description?: string) => Type.String({ maxLength: SHORT_TEXT, description });

/** Text that must say something: blank is refused like missing. */
const Required = (maxLength: number, description?: string) =>
  Type.String({ maxLength, pattern: '\\S', description, 'x-detail': { pattern: 'must not be empty' } });

const Url = (description?: string) =>
  Type.String({
    format: 'url',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?:',
    maxLength: LONG_TEXT,
    description,
    'x-detail': { format: 'must be an absolute URL', pattern: 'must be an http or https URL' },
  });

export const MessageActionInput = Type.Object(
  {
    type: Type.Enum(ACTION_TYPES),
    value: Type.Optional(
      Type.String({
        maxLength: LONG_TEXT,
        description:
          'Semantics depend on type (path, url, id); required for NAVIGATE, BACKGROUND_CALL and WEBHOOK',
      }),
    ),
    destructive: Type.Optional(Type.Boolean()),
    icon: Type.Optional(Short()),
    title: Type.Optional(Short()),
  },
  { 'x-detail': { type: 'must be an object' } },
);

export const MessageAttachmentInput = Type.Object(
  {
    mediaType: Type.Enum(MEDIA_TYPES),
    name: Type.Optional(Short()),
    url: Type.Optional(Url('Provide either url or attachmentUuid')),
    attachmentUuid: Type.Optional(Short('A stored attachment of yours')),
    saveOnServer: Type.Optional(Type.Boolean({ description: 'If true with url, the server keeps a copy' })),
  },
  { 'x-detail': { type: 'must be an object' } },
);

const Flag = (description: string) => Type.Optional(Type.Boolean({ default: false, description }));

export const MessageInputSchema = Type.Object(
  {
    title: Required(LIMITS.title),
    subtitle: Type.Optional(Type.String({ maxLength: LIMITS.subtitle })),
    body: Type.Optional(Type.String({ maxLength: LIMITS.body })),
    bucketId: Required(
      SHORT_TEXT,
      "Bucket id, or a bucket name resolved server-side. With a magic code (magicCode, or a code given here) the code's bucket is used, so it may be left out",
    ),
    magicCode: Type.Optional(
      Type.String({
        maxLength: SHORT_TEXT,
        description:
          "A bucket magic code instead of a token: the message goes to the code's bucket, sent as the code's member (POST and GET /messages; not /with-attachment)",
      }),
    ),
    deliveryType: Type.Optional(
      Type.Enum(DELIVERY_TYPES, { default: 'NORMAL', description: 'NORMAL when absent, as in Zentik' }),
    ),
    attachments: Type.Optional(Type.Array(MessageAttachmentInput, { maxItems: LIMITS.attachments })),
    actions: Type.Optional(Type.Array(MessageActionInput, { maxItems: LIMITS.actions })),
    tapAction: Type.Optional(MessageActionInput),
    sound: Type.Optional(Short()),
    addMarkAsReadAction: Flag('Adds a predefined "Mark as Read" action'),
    addOpenNotificationAction: Flag('Adds a predefined "Open" action'),
    addDeleteAction: Flag('Adds a predefined "Delete" action'),
    snoozes: Type.Optional(
      Type.Array(
        Type.Integer({
          minimum: 1,
          maximum: MAX_SNOOZE_MINUTES,
          'x-detail': `must be a whole number of minutes between 1 and ${MAX_SNOOZE_MINUTES}`,
        }),
        {
          maxItems: LIMITS.snoozes,
          description: 'Allowed snooze durations (minutes); as text, comma-separated or a JSON array',
          'x-detail': { type: 'must be an array of minutes' },
        },
      ),
    ),
    locale: Type.Optional(Type.String({ maxLength: 35 })),
    groupId: Type.Optional(Short('Defaults to the bucket id')),
    collapseId: Type.Optional(Short()),
    userIds: Type.Optional(
      Type.Union(
        [
          Type.Array(Type.String({ minLength: 1, maxLength: SHORT_TEXT }), {
            minItems: 1,
            'x-detail': { minItems: 'must name at least one user' },
          }),
          Type.String({ description: 'Comma-separated' }),
        ],
        {
          description: 'Target subset of bucket members (ids or usernames), JSON array or CSV',
          'x-detail': 'must be an array of user ids or usernames, or a comma-separated string',
        },
      ),
    ),
    imageUrl: Type.Optional(Url('Shortcut: adds an IMAGE attachment')),
    videoUrl: Type.Optional(Url('Shortcut: adds a VIDEO attachment')),
    gifUrl: Type.Optional(Url('Shortcut: adds a GIF attachment')),
    tapUrl: Type.Optional(Url('Shortcut: tapAction NAVIGATE to this URL, unless tapAction is given')),
  },
  {
    description:
      'Unknown fields are ignored. In query strings and multipart fields, booleans are "true"/"false", ' +
      'numbers are digits, and arrays and objects are JSON.',
  },
);

export type MessageInputFields = Static<typeof MessageInputSchema>;
