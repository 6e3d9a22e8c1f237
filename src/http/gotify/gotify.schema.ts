import { Type } from 'typebox';

/** Gotify's models (docs/spec.json of gotify/server), as Herald answers them. */

export const GotifyErrorSchema = Type.Object(
  { error: Type.String(), errorCode: Type.Integer(), errorDescription: Type.String() },
  { $id: 'GotifyError', description: "Gotify's error shape: status text, status code, what went wrong." },
);

const Extras = Type.Record(Type.String(), Type.Unknown(), {
  description: 'Namespaced extra data (`client::display`, `client::notification`, …).',
});

export const GotifyMessageSchema = Type.Object(
  {
    id: Type.Integer(),
    appid: Type.Integer(),
    message: Type.String(),
    title: Type.String(),
    priority: Type.Integer(),
    extras: Type.Optional(Extras),
    date: Type.String({ format: 'date-time' }),
  },
  { $id: 'GotifyMessage' },
);

export const GotifyPagedMessagesSchema = Type.Object(
  {
    messages: Type.Array(Type.Ref('GotifyMessage')),
    paging: Type.Object({
      size: Type.Integer(),
      since: Type.Integer(),
      limit: Type.Integer(),
      next: Type.Optional(Type.String()),
    }),
  },
  { $id: 'GotifyPagedMessages' },
);

export const GotifyApplicationSchema = Type.Object(
  {
    id: Type.Integer(),
    token: Type.Optional(Type.String({ description: 'Only in the answer that creates the application.' })),
    name: Type.String(),
    description: Type.String(),
    internal: Type.Boolean(),
    image: Type.String(),
    defaultPriority: Type.Integer(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsed: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    sortKey: Type.String(),
  },
  { $id: 'GotifyApplication' },
);

export const GotifyClientSchema = Type.Object(
  {
    id: Type.Integer(),
    token: Type.Optional(Type.String({ description: 'Only in the answer that creates the client.' })),
    name: Type.String(),
    createdAt: Type.String({ format: 'date-time' }),
    lastUsed: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  },
  { $id: 'GotifyClient' },
);

/** `POST /message`, from JSON, urlencoded or multipart fields. */
export const CreateMessageBody = Type.Object({
  message: Type.String({ minLength: 1, maxLength: 65_536 }),
  title: Type.Optional(Type.Union([Type.String({ maxLength: 1000 }), Type.Null()])),
  priority: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  extras: Type.Optional(Type.Union([Extras, Type.Null()])),
  appid: Type.Optional(Type.Integer({ minimum: 1 })),
});

export const ApplicationBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  description: Type.Optional(Type.String({ maxLength: 2000 })),
  defaultPriority: Type.Optional(Type.Integer()),
  sortKey: Type.Optional(Type.String({ maxLength: 255 })),
});

export const ClientBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  expiresAfterInactivitySeconds: Type.Optional(Type.Integer({ minimum: 0 })),
});

export const GotifyIdParams = Type.Object({ id: Type.Integer({ minimum: 0 }) });

export const PagingQuery = Type.Object({
  limit: Type.Integer({ minimum: 1, maximum: 200, default: 100 }),
  since: Type.Integer({ minimum: 0, default: 0 }),
});

/** Body fields that are integers; form fields arrive as text and are read as numbers. */
export const INTEGER_FIELDS: ReadonlySet<string> = new Set([
  'priority',
  'appid',
  'defaultPriority',
  'expiresAfterInactivitySeconds',
]);

/** A delete answers 200 with an empty body, as Gotify does. */
export const Deleted = Type.Null({ description: 'Done; the body is empty.' });

export const gotifyErrors = (...codes: number[]): Record<number, unknown> =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref('GotifyError')]));
