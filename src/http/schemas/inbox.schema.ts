import { Type } from 'typebox';
import type { InboxFilter } from '../../services/inbox.service.ts';
import { Nullable } from './common.schema.ts';

/** The inbox item (`codersdk.InboxNotification`) shared by `/api/v2` and `/api/v1/inbox`. */
export const InboxItemSchema = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    user_id: Type.String(),
    template_id: Type.String(),
    targets: Type.Array(Type.String()),
    title: Type.String(),
    content: Type.String(),
    icon: Type.String(),
    actions: Type.Array(Type.Object({ label: Type.String(), url: Type.String() })),
    read_at: Nullable(Type.String()),
    created_at: Type.String(),
  },
  { $id: 'InboxNotification' },
);

export const InboxFilterQuery = {
  targets: Type.Optional(
    Type.String({
      format: 'uuid-list',
      description: 'Comma-separated target ids (bucket, message or entity); an item must carry every one',
    }),
  ),
  templates: Type.Optional(
    Type.String({
      format: 'uuid-list',
      description: 'Comma-separated template ids; an item matches any one',
    }),
  ),
  read_status: Type.Optional(Type.Union([Type.Literal('read'), Type.Literal('unread'), Type.Literal('all')])),
};

/**
 * The query of every live inbox stream (WebSocket and SSE). As coderd, a parameter it does not
 * know is refused by name rather than ignored.
 */
export const WatchQuery = Type.Object(
  {
    ...InboxFilterQuery,
    format: Type.Optional(Type.Union([Type.Literal('plaintext'), Type.Literal('markdown')])),
    access_token: Type.Optional(
      Type.String({ description: 'For clients that can send neither a header nor the session cookie' }),
    ),
  },
  { additionalProperties: false },
);

const csv = (s: string | undefined): string[] | undefined =>
  s
    ? s
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : undefined;

/** The filter query parameters, as the inbox service takes them. */
export function filterOf(q: {
  targets?: string;
  templates?: string;
  read_status?: 'read' | 'unread' | 'all';
}): InboxFilter {
  return { targets: csv(q.targets), templates: csv(q.templates), readStatus: q.read_status ?? 'all' };
}
