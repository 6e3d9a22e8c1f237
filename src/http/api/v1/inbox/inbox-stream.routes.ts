import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { encodeSse, SSE_HEADERS, SSE_HEARTBEAT } from '../../../../realtime/sse-encoder.ts';
import {
  replayInbox,
  WATCH_KEEPALIVE_MS,
  type WatchFrame,
  watchInbox,
} from '../../../../services/inbox-watch.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { filterOf, WatchQuery } from '../../../schemas/inbox.schema.ts';

/** `GET /api/v1/inbox/stream`: the inbox watch as Server-Sent Events, with Last-Event-ID replay. */
export function inboxStreamRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Open streams end when the server closes, so shutdown does not wait on them.
    const open = new Set<ServerResponse>();
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
            'Events are `event: notification` with `data: {notification, unread_count}` and the notification id as `id`. Send `Last-Event-ID` (or `?since=<id>`) to replay what was missed, oldest first; items from the same millisecond as that id may come again, so drop ids you already have. An `event: overflow` means too much was missed (or the client fell behind): refetch the inbox. An `event: revoked` ends the stream when its token or session is revoked or its user deleted.',
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
          p,
          filter,
          format,
          async (f) => {
            await replayDone;
            if (!replayed?.has(f.id))
              await write(encodeSse({ id: f.id, event: 'notification', data: f.json }));
          },
          () => {
            void write(
              encodeSse({ event: 'overflow', data: { detail: 'fell behind; refetch the inbox' } }),
            ).then(() => res.end());
          },
          () => {
            void write(
              encodeSse({ event: 'revoked', data: { detail: 'credential revoked; log in again' } }),
            ).then(() => res.end());
          },
        );
        const beat = setInterval(() => void write(SSE_HEARTBEAT), WATCH_KEEPALIVE_MS);
        // `res` (not `request.raw`) closes when the client goes away; listen before any await so
        // a client that leaves during the replay still frees its subscription.
        res.on('close', () => {
          clearInterval(beat);
          sub.close();
          endReplay();
        });
        try {
          const since = (request.headers['last-event-id'] as string | undefined) ?? request.query.since;
          const replay = since ? await replayInbox(ctx, p.userId, since, filter, format) : undefined;
          if (replay?.kind === 'overflow') {
            // Too much was missed to replay; the client refetches the inbox, and the live
            // frames that follow carry ids it can resume from.
            await write(
              encodeSse({ event: 'overflow', data: { detail: 'too much was missed; refetch the inbox' } }),
            );
          } else if (replay?.kind === 'frames') {
            for (const f of replay.frames) await frame(f);
            replayed = new Set(replay.frames.map((f) => f.notification.id));
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
