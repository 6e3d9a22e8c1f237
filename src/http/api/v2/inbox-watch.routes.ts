import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../../context.ts';
import { WATCH_OVERFLOW_CLOSE_CODE, WATCH_REVOKED_CLOSE_CODE } from '../../../realtime/hub.ts';
import { WATCH_KEEPALIVE_MS, type WatchFrame, watchInbox } from '../../../services/inbox-watch.service.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
import { filterOf, WatchQuery } from '../../schemas/inbox.schema.ts';

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
          description: `Each new notification arrives as a JSON text frame {notification, unread_count}. A watcher that falls behind is closed with code ${WATCH_OVERFLOW_CLOSE_CODE}; refetch the inbox and reconnect. When its token or session is revoked, or its user deleted, it is closed with code ${WATCH_REVOKED_CLOSE_CODE}.`,
          querystring: WatchQuery,
        },
      },
      (socket, request) => {
        const p = principalOf(request);
        const sub = watchInbox(
          ctx,
          p,
          filterOf(request.query),
          request.query.format ?? 'markdown',
          (frame) => wsSend(socket, frame),
          () => socket.close(WATCH_OVERFLOW_CLOSE_CODE, 'watcher fell behind; refetch the inbox'),
          () => socket.close(WATCH_REVOKED_CLOSE_CODE, 'credential revoked; log in again'),
        );
        const ping = setInterval(() => socket.ping(), WATCH_KEEPALIVE_MS);
        socket.on('close', () => {
          clearInterval(ping);
          sub.close();
        });
        socket.on('error', () => socket.terminate());
      },
    );
  };
}
