import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../context.ts';
import { toInboxItem } from '../../inbox/inbox-item.ts';
import { type WatchFrame, watchInbox } from '../../inbox/inbox-watch.ts';
import { WATCH_OVERFLOW_CLOSE_CODE } from '../../realtime/hub.ts';
import { encodeSse, SSE_HEARTBEAT } from '../../realtime/sse-encoder.ts';
import { countUnread, listInboxAfter, notificationCursor } from '../../store/inbox.repository.ts';
import { principalOf } from '../plugins/auth.plugin.ts';
import { filterOf, InboxFilterQuery } from './inbox.routes.ts';

/** ms between keep-alive pings/comments, so proxies do not drop idle streams. */
const KEEPALIVE_MS = 25_000;
/** Most notifications replayed to a reconnecting SSE client. */
const REPLAY_LIMIT = 200;

const WatchQuery = Type.Object({
  ...InboxFilterQuery,
  format: Type.Optional(Type.Union([Type.Literal('plaintext'), Type.Literal('markdown')])),
  access_token: Type.Optional(Type.String({ description: 'For clients that cannot set headers (browsers)' })),
});

function wsSend(socket: WebSocket, frame: WatchFrame): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    socket.send(JSON.stringify(frame), (err) => (err ? reject(err) : resolve()));
  });
}

/** `GET /api/v2/notifications/inbox/watch`: a WebSocket of `{notification, unread_count}` frames. */
export function inboxWatchRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/notifications/inbox/watch',
      {
        websocket: true,
        config: { access: { scope: 'inbox:read', queryToken: true } },
        schema: {
          tags: ['Notifications'],
          summary: 'Watch for new inbox notifications (WebSocket)',
          description: `Each new notification arrives as a JSON text frame {notification, unread_count}. A watcher that falls behind is closed with code ${WATCH_OVERFLOW_CLOSE_CODE}; refetch the inbox and reconnect.`,
          querystring: WatchQuery,
        },
      },
      (socket, request) => {
        const p = principalOf(request);
        const sub = watchInbox(
          ctx,
          p.userId,
          filterOf(request.query),
          request.query.format ?? 'markdown',
          (frame) => wsSend(socket, frame),
          () => socket.close(WATCH_OVERFLOW_CLOSE_CODE, 'watcher fell behind; refetch the inbox'),
        );
        const ping = setInterval(() => socket.ping(), KEEPALIVE_MS);
        socket.on('close', () => {
          clearInterval(ping);
          sub.close();
        });
        socket.on('error', () => socket.terminate());
      },
    );
  };
}

/** `GET /api/v1/inbox/stream`: the same stream as Server-Sent Events, with Last-Event-ID replay. */
export function inboxStreamRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/stream',
      {
        config: { access: { scope: 'inbox:read', queryToken: true } },
        schema: {
          tags: ['Notifications'],
          summary: 'Stream new inbox notifications as Server-Sent Events',
          description:
            'Events are `event: notification` with `data: {notification, unread_count}` and the notification id as `id`. Send `Last-Event-ID` (or `?since=<id>`) to replay what was missed.',
          querystring: Type.Object({ ...WatchQuery.properties, since: Type.Optional(Type.String()) }),
        },
      },
      async (request, reply) => {
        const p = principalOf(request);
        const format = request.query.format ?? 'markdown';
        const filter = filterOf(request.query);
        reply.hijack();
        const res = reply.raw;
        res.writeHead(200, {
          'content-type': 'text/event-stream; charset=utf-8',
          'cache-control': 'no-cache, no-transform',
          connection: 'keep-alive',
          'x-accel-buffering': 'no',
        });
        const write = (chunk: string): Promise<void> =>
          new Promise((resolve) => {
            if (res.destroyed) return resolve();
            if (res.write(chunk)) resolve();
            else res.once('drain', () => resolve());
          });
        const frame = (f: WatchFrame) =>
          write(encodeSse({ id: f.notification.id, event: 'notification', data: f }));
        // Subscribe before replaying so nothing committed in between is missed; the client
        // de-duplicates by id if the replay and the live stream overlap.
        const sub = watchInbox(ctx, p.userId, filter, format, frame, () => {
          void write(
            encodeSse({ event: 'overflow', data: { detail: 'fell behind; refetch the inbox' } }),
          ).then(() => res.end());
        });
        const since = (request.headers['last-event-id'] as string | undefined) ?? request.query.since;
        if (since) {
          const cursor = await notificationCursor(ctx.store.db, p.userId, since);
          if (cursor) {
            const rows = await listInboxAfter(ctx.store.db, p.userId, cursor, REPLAY_LIMIT);
            const unread = await countUnread(ctx.store.db, p.userId);
            for (const r of rows) await frame({ notification: toInboxItem(r, format), unread_count: unread });
          }
        }
        await write(': connected\n\n');
        const beat = setInterval(() => void write(SSE_HEARTBEAT), KEEPALIVE_MS);
        request.raw.on('close', () => {
          clearInterval(beat);
          sub.close();
        });
      },
    );
  };
}
