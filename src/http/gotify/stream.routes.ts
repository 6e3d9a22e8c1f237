import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../context.ts';
import { resolvePrincipal } from '../../services/auth.service.ts';
import type { GotifyMessage } from '../../services/gotify-message-format.ts';
import { watchGotifyMessages } from '../../services/gotify-stream.service.ts';
import { WATCH_KEEPALIVE_MS } from '../../services/inbox-watch.service.ts';
import { principalOf } from '../plugins/app/auth.plugin.ts';
import { gotifyErrors } from './gotify.schema.ts';
import { tokenOf } from './gotify-auth.ts';

/** Close code when the stream's token was revoked (its client deleted): 1008, policy violation. */
const REVOKED_CLOSE_CODE = 1008;
/** Close code when the stream fell too far behind; the client reconnects and refetches. */
const OVERFLOW_CLOSE_CODE = 1013;

function wsSend(socket: WebSocket, message: GotifyMessage): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    socket.send(JSON.stringify(message), (err) => (err ? reject(err) : resolve()));
  });
}

/** `GET /stream`: a WebSocket of Gotify message JSON frames, one per new message. */
export function gotifyStreamRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/stream',
      {
        websocket: true,
        config: { gotify: { scope: 'inbox:read' } },
        // A refused upgrade is answered over the raw socket, which nothing reads afterwards:
        // close it (see inbox-watch.routes.ts).
        onResponse: async (request) => {
          if (request.headers.upgrade) request.raw.socket.destroy();
        },
        schema: {
          tags: ['Gotify'],
          summary: 'Stream new messages (WebSocket of message JSON frames)',
          response: gotifyErrors(401, 403),
        },
      },
      (socket, request) => {
        const principal = principalOf(request);
        const token = principal.tokenId !== null ? tokenOf(request) : undefined;
        // A deleted client's stream ends: its token is checked again before each frame and ping.
        const stillValid = async (): Promise<boolean> => {
          if (!token || (await resolvePrincipal(ctx, token))) return true;
          socket.close(REVOKED_CLOSE_CODE, 'token revoked');
          return false;
        };
        const sub = watchGotifyMessages(
          ctx,
          principal,
          async (message) => {
            if (await stillValid()) await wsSend(socket, message);
          },
          () => socket.close(OVERFLOW_CLOSE_CODE, 'stream fell behind; refetch /message'),
        );
        const ping = setInterval(() => {
          void stillValid()
            .then((ok) => ok && socket.ping())
            .catch(() => socket.terminate());
        }, WATCH_KEEPALIVE_MS);
        socket.on('close', () => {
          clearInterval(ping);
          sub.close();
        });
        socket.on('error', () => socket.terminate());
      },
    );
  };
}
