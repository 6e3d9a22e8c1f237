import { createReadStream } from 'node:fs';
import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import contentDisposition from 'content-disposition';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { AppError, forbidden, invalid, invalidMany, notFound } from '../../../../domain/errors.ts';
import { isAdmin } from '../../../../domain/principal.ts';
import { attachmentPath, discardFiles, storeAttachment } from '../../../../ingest/attachment-files.ts';
import { readMessageInput } from '../../../../ingest/message-input.ts';
import { ParserInputError } from '../../../../ingest/parsers/parser.ts';
import { findParser, parsers } from '../../../../ingest/parsers/parser-registry.ts';
import { sendMessage } from '../../../../ingest/send-message.ts';
import { requireTokenBucket } from '../../../../services/bucket.service.ts';
import {
  type AttachmentRow,
  canReadAttachment,
  getAttachments,
} from '../../../../store/attachment.repository.ts';
import { deleteMessage, getMessage } from '../../../../store/message.repository.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import { errorResponses, IdParams } from '../../../schemas/common.schema.ts';
import { CreateMessageBody } from '../../../schemas/message.schema.ts';

const send = { scope: 'messages:create' } as const;
// The messages family validates with one normaliser for JSON, multipart and query input, so
// the route schema documents the fields without a second, differently-worded validator.
const documentOnly = () => () => true;

function idempotencyKey(request: FastifyRequest): string | undefined {
  const k = request.headers['idempotency-key'];
  if (k === undefined) return undefined;
  const key = Array.isArray(k) ? k[0] : k;
  if (key.length === 0 || key.length > 255) throw invalid('Idempotency-Key', 'must be 1-255 characters');
  return key;
}

async function answer(reply: FastifyReply, result: { status: number; body: unknown }) {
  return reply.code(result.status).send(result.body);
}

export function messagesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, {
      limits: { fileSize: ctx.config.maxUploadBytes, files: 10, fields: 100, fieldSize: 1024 * 1024 },
    });
    // Transform payloads may arrive as any content type; keep them as text and try JSON.
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    app.post(
      '/',
      {
        config: { access: send },
        validatorCompiler: documentOnly,
        schema: {
          tags: ['messages'],
          summary: 'Create a message in a bucket; one inbox item per recipient',
          body: CreateMessageBody,
          headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ maxLength: 255 })) }),
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        if (typeof request.body !== 'object' || request.body === null || Array.isArray(request.body)) {
          throw invalid('(body)', 'must be a JSON object');
        }
        const input = readMessageInput(request.body as Record<string, unknown>, 'json');
        return answer(
          reply,
          await sendMessage(ctx, principalOf(request), input, {
            scope: 'messages.create',
            idempotencyKey: idempotencyKey(request),
          }),
        );
      },
    );

    app.get(
      '/',
      {
        config: { access: { ...send, tokenOnly: true } },
        validatorCompiler: documentOnly,
        schema: {
          tags: ['messages'],
          summary:
            'Create a message from query parameters (access token only; arrays and objects JSON-encoded)',
          querystring: CreateMessageBody,
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const input = readMessageInput(request.query as Record<string, unknown>, 'text');
        return answer(
          reply,
          await sendMessage(ctx, principalOf(request), input, {
            scope: 'messages.get',
            idempotencyKey: idempotencyKey(request),
          }),
        );
      },
    );

    app.post(
      '/with-attachment',
      {
        config: { access: send },
        validatorCompiler: documentOnly,
        schema: {
          tags: ['messages'],
          summary: 'Create a message with uploaded files (multipart/form-data; fields as in POST /messages)',
          consumes: ['multipart/form-data'],
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404, 413) },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart()) throw invalid('(body)', 'must be multipart/form-data');
        const principal = principalOf(request);
        const fields: Record<string, unknown> = {};
        const uploads: AttachmentRow[] = [];
        let input: ReturnType<typeof readMessageInput>;
        try {
          for await (const part of request.parts()) {
            if (part.type === 'file') {
              const file = part;
              uploads.push(
                await storeAttachment(ctx, file.file, {
                  filename: file.filename,
                  contentType: file.mimetype,
                  ownerId: principal.userId,
                  isTruncated: () => file.file.truncated,
                }),
              );
            } else {
              fields[part.fieldname] = part.value;
            }
          }
          input = readMessageInput(fields, 'text');
        } catch (err) {
          // The files' rows are written with the message; until then only the bytes exist.
          await discardFiles(ctx, uploads);
          if (err instanceof AppError || (err as { statusCode?: number }).statusCode === 413) throw err;
          throw invalid('(body)', `is not valid multipart/form-data: ${(err as Error).message}`);
        }
        return answer(
          reply,
          await sendMessage(ctx, principal, input, {
            scope: 'messages.with-attachment',
            uploads,
            idempotencyKey: idempotencyKey(request),
          }),
        );
      },
    );

    app.post(
      '/transform',
      {
        config: { access: send },
        schema: {
          tags: ['messages'],
          summary: 'Parse a payload from a known system into a message',
          description: `Built-in parsers: ${Object.keys(parsers).join(', ')}.`,
          querystring: Type.Object({
            parser: Type.Optional(Type.String({ maxLength: 64 })),
            bucketId: Type.Optional(Type.String({ maxLength: 200 })),
          }),
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404) },
        },
      },
      async (request, reply) => {
        const { parser: name, bucketId } = request.query;
        const missing = [
          ...(name ? [] : [{ field: 'parser', detail: 'is required' }]),
          ...(bucketId ? [] : [{ field: 'bucketId', detail: 'is required' }]),
        ];
        if (missing.length > 0) throw invalidMany(missing);
        const parser = findParser(name!);
        if (!parser) {
          throw new AppError(
            'notFound',
            `No parser "${name}". Built-in parsers: ${Object.keys(parsers).join(', ')}.`,
            [{ field: 'parser', detail: 'unknown parser' }],
          );
        }
        let payload: unknown = request.body;
        if (typeof payload === 'string') {
          try {
            payload = JSON.parse(payload);
          } catch {
            throw invalid('(body)', 'is not valid JSON');
          }
        }
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]),
        );
        let parsed: ReturnType<typeof parser>;
        try {
          parsed = parser(payload, headers);
        } catch (err) {
          if (err instanceof ParserInputError)
            throw invalid(err.field ? `(body).${err.field}` : '(body)', err.message);
          throw err;
        }
        const input = readMessageInput({ ...parsed, bucketId }, 'json');
        return answer(
          reply,
          await sendMessage(ctx, principalOf(request), input, {
            scope: 'messages.transform',
            idempotencyKey: idempotencyKey(request),
          }),
        );
      },
    );

    app.delete(
      '/:id',
      {
        config: { access: send },
        schema: {
          tags: ['messages'],
          summary: 'Delete a message and its inbox items (sender or admin)',
          params: IdParams,
          response: { 204: Type.Null(), ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const message = await getMessage(ctx.store.db, request.params.id);
        if (!message) throw notFound('Message');
        if (message.bucket_id) requireTokenBucket(principal, message.bucket_id);
        if (message.sender_id !== principal.userId && !isAdmin(principal)) {
          throw forbidden('Only the sender or an administrator can delete a message.');
        }
        const events = await ctx.store.writer.run(async (tx) => {
          const removed = await deleteMessage(tx, message.id);
          const evs = removed.map((n) => ({
            userId: n.user_id,
            notificationId: n.id,
            kind: 'updated' as const,
          }));
          await ctx.inboxEvents.inTx(tx, evs);
          return evs;
        });
        ctx.inboxEvents.committed(events);
        return reply.code(204).send(null);
      },
    );
  };
}

export function attachmentsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/:id',
      {
        config: { access: { scope: 'messages:read' } },
        schema: {
          tags: ['messages'],
          summary: 'Download a stored attachment (its recipients and sender only)',
          params: IdParams,
          response: { ...errorResponses(403, 404) },
        },
      },
      async (request, reply) => {
        const principal = principalOf(request);
        const [att] = await getAttachments(ctx.store.db, [request.params.id]);
        if (!att) throw notFound('Attachment');
        if (!isAdmin(principal) && !(await canReadAttachment(ctx.store.db, att, principal.userId))) {
          throw notFound('Attachment');
        }
        return reply
          .header('content-type', att.content_type)
          .header('content-length', String(att.size))
          .header('content-disposition', contentDisposition(att.filename, { type: 'inline' }))
          .header('x-content-type-options', 'nosniff')
          .send(createReadStream(attachmentPath(ctx.config.dataDir, att.path)));
      },
    );
  };
}
