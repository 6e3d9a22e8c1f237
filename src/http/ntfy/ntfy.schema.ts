import { Type } from 'typebox';

/** ntfy's models (docs/subscribe/api.md, server/types.go of binwiederhier/ntfy), as Herald answers them. */

export const NtfyErrorSchema = Type.Object(
  { code: Type.Integer(), http: Type.Integer(), error: Type.String(), link: Type.String() },
  {
    $id: 'NtfyError',
    description: "ntfy's error shape: code, HTTP status, what went wrong, where it is documented.",
  },
);

const StringMap = Type.Record(Type.String(), Type.String());

const NtfyActionSchema = Type.Object({
  id: Type.String(),
  action: Type.String(),
  label: Type.String(),
  clear: Type.Boolean(),
  url: Type.Optional(Type.String()),
  method: Type.Optional(Type.String()),
  headers: Type.Optional(StringMap),
  body: Type.Optional(Type.String()),
  intent: Type.Optional(Type.String()),
  extras: Type.Optional(StringMap),
});

export const NtfyMessageSchema = Type.Object(
  {
    id: Type.String(),
    time: Type.Integer(),
    expires: Type.Optional(Type.Integer()),
    event: Type.String(),
    topic: Type.String(),
    title: Type.Optional(Type.String()),
    message: Type.Optional(Type.String()),
    priority: Type.Optional(Type.Integer()),
    tags: Type.Optional(Type.Array(Type.String())),
    click: Type.Optional(Type.String()),
    icon: Type.Optional(Type.String()),
    actions: Type.Optional(Type.Array(NtfyActionSchema)),
    attachment: Type.Optional(
      Type.Object({
        name: Type.String(),
        type: Type.Optional(Type.String()),
        size: Type.Optional(Type.Integer()),
        expires: Type.Optional(Type.Integer()),
        url: Type.String(),
      }),
    ),
    content_type: Type.Optional(Type.String()),
  },
  { $id: 'NtfyMessage' },
);

export const ntfyErrors = (...codes: number[]): Record<number, unknown> =>
  Object.fromEntries(codes.map((c) => [c, Type.Ref('NtfyError')]));

/** `POST /` with ntfy's JSON publish body (what Apprise sends). */
export const PublishJsonBody = Type.Object({
  topic: Type.String({ description: 'Topic name (1-64 of letters, digits, - and _).' }),
  message: Type.Optional(Type.String()),
  title: Type.Optional(Type.String()),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 5 })),
  tags: Type.Optional(Type.Array(Type.String())),
  click: Type.Optional(Type.String()),
  icon: Type.Optional(Type.String()),
  actions: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  attach: Type.Optional(Type.String()),
  filename: Type.Optional(Type.String()),
  markdown: Type.Optional(Type.Boolean()),
  delay: Type.Optional(Type.String()),
  email: Type.Optional(Type.String()),
  call: Type.Optional(Type.String()),
  cache: Type.Optional(Type.String()),
  firebase: Type.Optional(Type.String()),
});

export const TopicParams = Type.Object({
  topic: Type.String({ description: 'Topic name (1-64 of letters, digits, - and _).' }),
});

export const TopicsParams = Type.Object({
  topic: Type.String({ description: 'One topic or several, comma-separated.' }),
});

const text = (description: string) => Type.Optional(Type.String({ description }));

/** Publish parameters as query parameters; each may also come as its header (see docs/ntfy.md). */
export const PublishQuery = Type.Object(
  {
    message: text('Message text (GET publish; else the body). Alias m.'),
    title: text('Title. Aliases t; header X-Title, Title.'),
    priority: text('1-5 or min, low, default, high, max, urgent. Aliases prio, p.'),
    tags: text('Comma-separated tags; emoji short codes kept. Aliases tag, ta.'),
    click: text('URL opened on tap.'),
    icon: text('Icon URL.'),
    attach: text('URL of an attachment. Alias a.'),
    filename: text('File name; with it the body is a file. Aliases file, f.'),
    actions: text('Action buttons, short or JSON form. Alias action.'),
    markdown: text('yes/1/true: the message is markdown. Alias md.'),
    delay: text('Scheduled delivery: unix time or duration, 10 s to 3 days ahead. Aliases at, in.'),
    email: text('E-mail forwarding (refused: not enabled). Aliases mail, e.'),
    auth: text('base64 of an Authorization header value.'),
  },
  { additionalProperties: true },
);

export const SubscribeQuery = Type.Object(
  {
    poll: text('1: answer what is stored and close. Alias po.'),
    since: text('Duration (10m), unix time, message id, all, latest or none. Alias si.'),
    scheduled: text('1: also replay publishes waiting for scheduled delivery. Alias sched.'),
    id: text('Only the message with this id.'),
    message: text('Only messages with exactly this text. Alias m.'),
    title: text('Only messages with exactly this title. Alias t.'),
    priority: text('Only these priorities, comma-separated. Aliases prio, p.'),
    tags: text('Only messages with all these tags, comma-separated. Aliases tag, ta.'),
    auth: text('base64 of an Authorization header value.'),
  },
  { additionalProperties: true },
);

export const TopicAccessSchema = Type.Object({
  topic: Type.String(),
  bucketId: Type.String(),
  anonymousRead: Type.Boolean(),
  anonymousWrite: Type.Boolean(),
});

export const TopicAccessBody = Type.Object({
  anonymousRead: Type.Optional(Type.Boolean()),
  anonymousWrite: Type.Optional(Type.Boolean()),
});
