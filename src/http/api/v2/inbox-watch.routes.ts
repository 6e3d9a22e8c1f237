import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../../context.ts';
import { WATCH_OVERFLOW_CLOSE_CODE } from '../../../realtime/hub.ts';
import { encodeSse, SSE_HEADERS, SSE_HEARTBEAT } from '../../../realtime/sse-encoder.ts';
import { toInboxItem } from '../../../services/inbox-item.ts';
import { type WatchFrame, watchInbox } from '../../../services/inbox-watch.service.ts';
import { countUnread, listInboxAfter, notificationCursor } from '../../../store/inbox.repository.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
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
        // A refused upgrade (401, 403, 400) is answered over the raw socket, which nothing reads
        // afterwards; @fastify/websocket only closes it when its own onRequest hook ran, which
        // the auth hook (installed first) pre-empts. Close it here, or it stays open until the
        // client hangs up and server shutdown waits for it. (Accepted upgrades are hijacked and
        // never reach onResponse.)
        onResponse: async (request) => {
          if (request.headers.upgrade) request.raw.socket.destroy();
        },
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
    // Open streams end when the server closes, so shutdown does not wait on them.
    const open = new Set<import('node:http').ServerResponse>();
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });
    app.get(
      '/stream',
      {
        config: { access: { scope: 'inbox:read', queryToken: true } },
        schema: {
          tags: ['Notifications'],
          summary: 'Stream new inbox notifications as Server-Sent Events',
          description:
            'Events are `event: notification` with `data: {notification, unread_count}` and the notification id as `id`. Send `Last-Event-ID` (or `?since=<id>`) to replay what was missed, oldest first; items from the same millisecond as that id may come again, so drop ids you already have. An `event: overflow` means too much was missed (or the client fell behind): refetch the inbox.',
          querystring: Type.Object({ ...WatchQuery.properties, since: Type.Optional(Type.String()) }),
        },
      },
      async (request, reply) => {
        const p = principalOf(request);
        const format = request.query.format ?? 'markdown';
        const filter = filterOf(request.query);
        reply.hijack();
        const res = reply.raw;
        open.add(res);
        res.once('close', () => open.delete(res));
        res.writeHead(200, SSE_HEADERS);
        // Resolves once the chunk is taken, or at once when the client is gone (a pending
        // 'drain' would otherwise never fire and hold the watcher's delivery forever).
        const write = (chunk: string): Promise<void> =>
          new Promise((resolve) => {
            if (res.destroyed || res.writableEnded) return resolve();
            if (res.write(chunk)) return resolve();
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          });
        const frame = (f: WatchFrame) =>
          write(encodeSse({ id: f.notification.id, event: 'notification', data: f }));

        // Subscribe before reading the replay so nothing committed in between is missed; live
        // frames wait (in the hub's bounded queue) until the replay is written, and skip what it
        // already sent, so the client sees each item once and oldest first.
        let replayed: Set<string> | undefined;
        let endReplay!: () => void;
        const replayDone = new Promise<void>((resolve) => {
          endReplay = resolve;
        });
        const sub = watchInbox(
          ctx,
          p.userId,
          filter,
          format,
          async (f) => {
            await replayDone;
            if (!replayed?.has(f.notification.id)) await frame(f);
          },
          () => {
            void write(
              encodeSse({ event: 'overflow', data: { detail: 'fell behind; refetch the inbox' } }),
            ).then(() => res.end());
          },
        );
        const beat = setInterval(() => void write(SSE_HEARTBEAT), KEEPALIVE_MS);
        // `res` (not `request.raw`) closes when the client goes away; listen before any await so
        // a client that leaves during the replay still frees its subscription.
        res.on('close', () => {
          clearInterval(beat);
          sub.close();
          endReplay();
        });
        try {
          const since = (request.headers['last-event-id'] as string | undefined) ?? request.query.since;
          const cursor = since ? await notificationCursor(ctx.store.db, p.userId, since) : undefined;
          if (cursor) {
            const rows = await listInboxAfter(ctx.store.db, p.userId, cursor, filter, REPLAY_LIMIT + 1);
            if (rows.length > REPLAY_LIMIT) {
              // Too much was missed to replay; the client refetches the inbox, and the live
              // frames that follow carry ids it can resume from.
              await write(
                encodeSse({ event: 'overflow', data: { detail: 'too much was missed; refetch the inbox' } }),
              );
            } else {
              const unread = await countUnread(ctx.store.db, p.userId);
              for (const r of rows)
                await frame({ notification: toInboxItem(r, format), unread_count: unread });
              replayed = new Set(rows.map((r) => r.id));
            }
          }
          await write(': connected\n\n');
        } catch (err) {
          request.log.error({ err }, 'inbox stream replay failed');
          res.end();
        } finally {
          endReplay();
        }
      },
    );
  };
}
