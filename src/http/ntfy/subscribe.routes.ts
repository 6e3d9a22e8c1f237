import type { ServerResponse } from 'node:http';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import type { AppContext } from '../../context.ts';
import {
  isTrue,
  type NtfyMessage,
  parsePriority,
  parseSince,
  splitList,
} from '../../services/ntfy-format.ts';
import { type NtfySubscription, subscribeNtfy } from '../../services/ntfy-subscribe.service.ts';
import { resolveTopics } from '../../services/ntfy-topic.service.ts';
import { ntfyErrors, SubscribeQuery, TopicsParams } from './ntfy.schema.ts';
import { readParam, SUBSCRIBE_PARAMS } from './ntfy-params.ts';
import type { NtfyRouteOptions } from './publish.routes.ts';

const TAGS = ['ntfy'];

/** The three HTTP encodings ntfy streams in, as its server writes them. */
const ENCODINGS = {
  json: {
    contentType: 'application/x-ndjson; charset=utf-8',
    encode: (m: NtfyMessage) => `${JSON.stringify(m)}\n`,
  },
  sse: {
    contentType: 'text/event-stream; charset=utf-8',
    // Browsers' onmessage fires only for unnamed events, so only messages go without a name.
    encode: (m: NtfyMessage) =>
      m.event === 'message'
        ? `data: ${JSON.stringify(m)}\n\n`
        : `event: ${m.event}\ndata: ${JSON.stringify(m)}\n\n`,
  },
  raw: {
    contentType: 'text/plain; charset=utf-8',
    encode: (m: NtfyMessage) =>
      m.event === 'message' ? `${(m.message ?? '').replaceAll('\n', ' ')}\n` : '\n',
  },
} as const;

/** Close code when the subscriber fell too far behind; it reconnects with since=<last id>. */
const OVERFLOW_CLOSE_CODE = 1013;

async function subscriptionOf(
  ctx: AppContext,
  request: FastifyRequest,
  topicList: string,
  opts: NtfyRouteOptions,
  encode: (m: NtfyMessage) => string,
  keepalive: boolean,
): Promise<NtfySubscription> {
  const p = (k: keyof typeof SUBSCRIBE_PARAMS) => readParam(request, ...SUBSCRIBE_PARAMS[k]);
  const poll = isTrue(p('poll'));
  const since = parseSince(p('since'), poll, ctx.clock.now());
  const priorities = splitList(p('priority')).map((x) => parsePriority(x)!);
  const names = splitList(topicList);
  const topics = await resolveTopics(
    ctx,
    request.ntfyCaller,
    names.length ? names : [topicList],
    'read',
    opts.reserved,
  );
  const id = p('id');
  const message = p('message');
  const title = p('title');
  return {
    topics,
    since,
    poll,
    scheduled: isTrue(p('scheduled')),
    filters: {
      ...(id ? { id } : {}),
      ...(message ? { message } : {}),
      ...(title ? { title } : {}),
      priorities,
      tags: splitList(p('tags')),
    },
    encode,
    keepalive,
  };
}

export function ntfySubscribeRoutes(ctx: AppContext, opts: NtfyRouteOptions): FastifyPluginAsyncTypebox {
  return async (app) => {
    // Open streams end when the server closes, so shutdown does not wait on them.
    const open = new Set<ServerResponse>();
    app.addHook('preClose', async () => {
      for (const res of open) res.end();
    });

    for (const [kind, enc] of Object.entries(ENCODINGS)) {
      app.get(
        `/:topic/${kind}`,
        {
          config: { ntfy: true },
          schema: {
            tags: TAGS,
            operationId: `ntfySubscribe${kind[0].toUpperCase()}${kind.slice(1)}`,
            summary: `Subscribe to topics (${kind === 'json' ? 'JSON lines' : kind === 'sse' ? 'Server-Sent Events' : 'raw text lines'})`,
            description:
              'An `open` event, the messages asked for with `since`, then new messages as they come and a `keepalive` event when idle. `poll=1` answers the stored messages and closes.',
            params: TopicsParams,
            querystring: SubscribeQuery,
            response: ntfyErrors(400, 401, 403),
          },
        },
        async (request, reply) => {
          const sub = await subscriptionOf(ctx, request, request.params.topic, opts, enc.encode, true);
          reply.hijack();
          const res = reply.raw;
          open.add(res);
          res.writeHead(200, {
            'content-type': enc.contentType,
            'cache-control': 'no-cache',
            'access-control-allow-origin': '*',
            'x-accel-buffering': 'no',
          });
          const stream = subscribeNtfy(
            ctx,
            request.ntfyCaller,
            sub,
            {
              write: (chunk) =>
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
                }),
              end: () => res.end(),
            },
            opts.attachmentUrl(request),
          );
          res.once('close', () => {
            open.delete(res);
            stream.close();
          });
        },
      );
    }

    app.get(
      '/:topic/ws',
      {
        websocket: true,
        config: { ntfy: true },
        // A refused upgrade is answered over the raw socket, which nothing reads afterwards.
        onResponse: async (request) => {
          if (request.headers.upgrade) request.raw.socket.destroy();
        },
        // Parameters are checked before the upgrade, so a bad request gets an HTTP answer.
        preHandler: async (request) => {
          const params = request.params as { topic: string };
          (request as FastifyRequest & { ntfySub?: NtfySubscription }).ntfySub = await subscriptionOf(
            ctx,
            request,
            params.topic,
            opts,
            (m) => JSON.stringify(m),
            false,
          );
        },
        schema: {
          tags: TAGS,
          operationId: 'ntfySubscribeWs',
          summary: 'Subscribe to topics (WebSocket of message JSON)',
          params: TopicsParams,
          querystring: SubscribeQuery,
          response: ntfyErrors(400, 401, 403),
        },
      },
      (socket: WebSocket, request) => {
        const sub = (request as FastifyRequest & { ntfySub?: NtfySubscription }).ntfySub!;
        const stream = subscribeNtfy(
          ctx,
          request.ntfyCaller,
          sub,
          {
            write: (frame) =>
              new Promise((resolve, reject) => {
                if (socket.readyState !== socket.OPEN) return resolve();
                socket.send(frame, (err) => (err ? reject(err) : resolve()));
              }),
            ping: () => socket.ping(),
            end: (reason) =>
              reason === 'overflow' ? socket.close(OVERFLOW_CLOSE_CODE, 'fell behind') : socket.close(1000),
          },
          opts.attachmentUrl(request),
        );
        socket.on('close', () => stream.close());
        socket.on('error', () => socket.terminate());
      },
    );
  };
}
