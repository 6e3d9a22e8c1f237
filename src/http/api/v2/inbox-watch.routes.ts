import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../../context.ts';
import { WATCH_OVERFLOW_CLOSE_CODE, WATCH_REVOKED_CLOSE_CODE } from '../../../realtime/hub.ts';
import {
  type EncodedWatchFrame,
  WATCH_KEEPALIVE_MS,
  watchInbox,
} from '../../../services/inbox-watch.service.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
import { filterOf, WatchQuery } from '../../schemas/inbox.schema.ts';

/**
 * Bytes a watcher's socket may hold unsent before its next frame waits for them to be written.
 * Below it a frame is handed to the socket without waiting for its write callback (a callback
 * and a promise per frame were a fifth of the cost of sending to 10k watchers); above it the
 * sender waits, so a client that stops reading still backs up into the hub's bounded queue.
 */
const WS_UNSENT_LIMIT = 64 * 1024;

function wsSend(socket: WebSocket, frame: EncodedWatchFrame): Promise<void> | undefined {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount < WS_UNSENT_LIMIT) {
    // A write that fails errors the socket, which closes it and ends the watch.
    socket.send(frame.json);
    return;
  }
  return new Promise((resolve, reject) => {
    socket.send(frame.json, (err) => (err ? reject(err) : resolve()));
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
