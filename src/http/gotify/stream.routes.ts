import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../context.ts';
import { resolvePrincipal } from '../../services/auth.service.ts';
import { streamGotifyMessages } from '../../services/gotify-stream.service.ts';
import { principalOf } from '../plugins/app/auth.plugin.ts';
import { gotifyErrors } from './gotify.schema.ts';
import { tokenOf } from './gotify-auth.ts';

/** Close code when the stream's token was revoked (its client deleted): 1008, policy violation. */
const REVOKED_CLOSE_CODE = 1008;
/** Close code when the stream fell too far behind; the client reconnects and refetches. */
const OVERFLOW_CLOSE_CODE = 1013;

function wsSend(socket: WebSocket, frame: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.readyState !== socket.OPEN) return resolve();
    socket.send(frame, (err) => (err ? reject(err) : resolve()));
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
        const stream = streamGotifyMessages(ctx, principal, {
          write: async (frame) => {
            if (await stillValid()) await wsSend(socket, frame);
          },
          ping: () => {
            void stillValid()
              .then((ok) => ok && socket.ping())
              .catch(() => socket.terminate());
          },
          end: (reason) =>
            reason === 'overflow'
              ? socket.close(OVERFLOW_CLOSE_CODE, 'stream fell behind; refetch /message')
              : reason === 'revoked'
                ? socket.close(REVOKED_CLOSE_CODE, 'token revoked')
                : socket.close(1000),
        });
        socket.on('close', () => stream.close());
        socket.on('error', () => socket.terminate());
      },
    );
  };
}
