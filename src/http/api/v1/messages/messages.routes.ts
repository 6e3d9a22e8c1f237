import multipart from '@fastify/multipart';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { AppError, invalid } from '../../../../domain/errors.ts';
import { parseJsonText } from '../../../../domain/text.ts';
import { discardFiles, storeAttachment } from '../../../../ingest/attachment-files.ts';
import { MessageInputSchema } from '../../../../ingest/message-input.schema.ts';
import { type MessageInput, readMessageInput } from '../../../../ingest/message-input.ts';
import { parsers } from '../../../../ingest/parsers/parser-registry.ts';
import { transformPayload } from '../../../../ingest/parsers/transform-payload.ts';
import { sendMessage } from '../../../../ingest/send-message.ts';
import { deleteMessageAs } from '../../../../services/message.service.ts';
import { authenticateSend, type CodeCandidates, principalOf } from '../../../plugins/app/auth.plugin.ts';
import { bodyText, formText, MULTIPART_TEXT } from '../../../plugins/app/validation.plugin.ts';
import { checkedBy, fromReader } from '../../../schemas/checked-by.ts';
import { errorResponses, IdParams } from '../../../schemas/common.schema.ts';
import { combineSources, sourcesOf, withSources } from './message-sources.ts';

const send = { scope: 'messages:create' } as const;
/** Sends that take a bucket magic code instead of a token (Zentik's). */
const sendOrCode = { ...send, magicCode: true } as const;
const getSendOrCode = { ...send, tokenOnly: true, magicCode: true } as const;

const CODE_HEADER = 'x-message-magiccode';

/** A GET send's or a transform's code: the query string, then `x-message-magicCode`. */
const queryCodes = (request: FastifyRequest): CodeCandidates => {
  const query = request.query as Record<string, unknown>;
  const header = request.headers[CODE_HEADER];
  return {
    magicCode: [query.magicCode, Array.isArray(header) ? header.at(-1) : header].find(
      (v) => v !== undefined && v !== '',
    ),
    bucketRef: query.bucketId,
  };
};

/** Authenticates a query-string send; a code's bucket becomes its `bucketId`. */
async function authenticateQuerySend(
  ctx: AppContext,
  request: FastifyRequest,
  access: typeof sendOrCode | typeof getSendOrCode,
): Promise<void> {
  const bucketId = await authenticateSend(ctx, request, access, queryCodes(request));
  if (bucketId) (request.query as Record<string, unknown>).bucketId = bucketId;
}

const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({ minLength: 1, maxLength: 255, description: 'A repeat returns the first response' }),
  ),
});

// One reader checks the message fields from every source against MessageInputSchema; the
// route validator runs it, so the checked MessageInput is what the handler receives.
const combinedInput = checkedBy({
  body: (body) => {
    const { fields, textFields } = sourcesOf(body);
    return { ok: true, value: readMessageInput(fields, { text: textFields }) };
  },
});
const queryInput = checkedBy({
  querystring: fromReader((query) => readMessageInput(query as Record<string, unknown>, 'text')),
});

const idempotencyKey = (headers: { 'idempotency-key'?: string }) => headers['idempotency-key'];

async function answer(reply: FastifyReply, result: { status: number; body: unknown }) {
  return reply.code(result.status).send(result.body);
}

export function messagesRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    await app.register(multipart, {
      ...MULTIPART_TEXT,
      limits: { fileSize: ctx.config.maxUploadBytes, files: 10, fields: 100, fieldSize: 1024 * 1024 },
    });
    // Transform payloads may arrive as any content type; keep them as text and try JSON.
    app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => {
      try {
        done(null, bodyText(body as Buffer));
      } catch (err) {
        done(err as Error, undefined);
      }
    });

    app.post(
      '/',
      {
        config: { access: sendOrCode },
        // Body, query string and x-message-* headers become one object before it is checked;
        // a magic code among them authenticates the send and names its bucket.
        preValidation: async (request) => {
          let combined: ReturnType<typeof combineSources>;
          try {
            combined = combineSources(request);
          } catch (err) {
            // An unreadable body is answered once the caller is known (a code in the query or
            // header counts); without a credential it is the 401, as for any send.
            await authenticateSend(ctx, request, sendOrCode, queryCodes(request));
            throw err;
          }
          const codeBucket = await authenticateSend(ctx, request, sendOrCode, {
            magicCode: combined.magicCode,
            bucketRef: combined.fields.bucketId,
          });
          if (codeBucket) combined.fields.bucketId = codeBucket;
          request.body = withSources(combined) as typeof request.body;
        },
        validatorCompiler: combinedInput,
        schema: {
          tags: ['messages'],
          summary: 'Create a message in a bucket; one inbox item per recipient',
          description:
            'The fields may come from a JSON, form-encoded or plain-text body, the query string and ' +
            '`x-message-<field>` headers (for example `x-message-title`), merged as Zentik does: ' +
            'headers win over the query string, which wins over the body. A plain-text body that is ' +
            'not a JSON object is the message body. Instead of a token, a bucket magic code may ' +
            'authenticate the send (`magicCode` in the body, the query string or an ' +
            '`x-message-magicCode` header, or the code given as `bucketId`): the message goes to ' +
            "the code's bucket as its member; an unknown code answers 404, a code past its " +
            'per-minute budget 429 with Retry-After (docs/buckets.md).',
          consumes: ['application/json', 'application/x-www-form-urlencoded', 'text/plain'],
          body: MessageInputSchema,
          headers: IdempotencyHeaders,
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const input = request.body as unknown as MessageInput;
        return answer(
          reply,
          await sendMessage(ctx, principalOf(request), input, {
            scope: 'messages.create',
            idempotencyKey: idempotencyKey(request.headers),
          }),
        );
      },
    );

    app.get(
      '/',
      {
        config: { access: getSendOrCode },
        preValidation: async (request) => authenticateQuerySend(ctx, request, getSendOrCode),
        validatorCompiler: queryInput,
        schema: {
          tags: ['messages'],
          summary:
            'Create a message from query parameters (access token only; arrays and objects JSON-encoded)',
          querystring: MessageInputSchema,
          headers: IdempotencyHeaders,
          description:
            'Answers 200 with the created message, as Zentik does for this GET; a login session ' +
            '(not an access token) is refused with 403. A bucket magic code (`magicCode`, an ' +
            '`x-message-magicCode` header, or the code as `bucketId`) may stand in for the token, ' +
            'as on POST.',
          response: { 200: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404, 429) },
        },
      },
      async (request, reply) => {
        const input = request.query as unknown as MessageInput;
        return answer(
          reply,
          await sendMessage(ctx, principalOf(request), input, {
            scope: 'messages.get',
            status: 200,
            idempotencyKey: idempotencyKey(request.headers),
          }),
        );
      },
    );

    app.post(
      '/with-attachment',
      {
        config: { access: send },
        schema: {
          tags: ['messages'],
          summary: 'Create a message with uploaded files (multipart/form-data; fields as in POST /messages)',
          description:
            'Every non-file part is a field of POST /messages, read and checked as that body is; ' +
            'each file part becomes an attachment.',
          consumes: ['multipart/form-data'],
          headers: IdempotencyHeaders,
          response: { 201: Type.Ref('Message'), ...errorResponses(400, 401, 403, 404, 413) },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart()) throw invalid('(body)', 'must be multipart/form-data');
        const principal = principalOf(request);
        const fields: Record<string, unknown> = {};
        const uploads: Array<Awaited<ReturnType<typeof storeAttachment>>> = [];
        let input: MessageInput;
        try {
          for await (const part of request.parts()) {
            const name = formText('(body)', part.fieldname, 'name');
            if (part.type === 'file') {
              const file = part;
              const filename = formText(name, file.filename, 'name');
              uploads.push(
                await storeAttachment(ctx, file.file, {
                  filename,
                  contentType: file.mimetype,
                  ownerId: principal.userId,
                  isTruncated: () => file.file.truncated,
                }),
              );
            } else {
              fields[name] =
                typeof part.value === 'string' ? formText(name, part.value, 'value') : part.value;
            }
          }
          if (fields.magicCode !== undefined && fields.magicCode !== '') {
            throw invalid('magicCode', 'is not accepted with uploads; send with an access token');
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
            idempotencyKey: idempotencyKey(request.headers),
          }),
        );
      },
    );

    app.post(
      '/transform',
      {
        config: { access: sendOrCode },
        preValidation: async (request) => authenticateQuerySend(ctx, request, sendOrCode),
        schema: {
          tags: ['messages'],
          summary: 'Parse a payload from a known system into a message',
          description:
            `Built-in parsers: ${Object.keys(parsers).join(', ')} (any casing; Zentik's names such as ` +
            'ZentikGitHub or ZENTIK_AUTHENTIK are accepted too). A payload the parser skips ' +
            '(see docs/parsers.md) answers 204 and stores nothing. A bucket magic code ' +
            '(`magicCode`, an `x-message-magicCode` header, or the code as `bucketId`) may stand ' +
            "in for the token; the message goes to the code's bucket.",
          querystring: Type.Object({
            // Checked in the handler so the answers are Zentik's: parser first, then the bucket.
            parser: Type.Optional(Type.String({ maxLength: 64, description: 'Required: the parser name' })),
            bucketId: Type.Optional(
              Type.String({
                maxLength: 200,
                description: 'Bucket id or name; required unless magicCode is given',
              }),
            ),
            magicCode: Type.Optional(
              Type.String({
                maxLength: 200,
                description: "A bucket magic code: instead of a token and bucketId (the code's bucket)",
              }),
            ),
          }),
          headers: IdempotencyHeaders,
          response: {
            201: Type.Ref('Message'),
            204: Type.Null({ description: 'The parser skipped the payload; nothing was stored' }),
            ...errorResponses(400, 401, 403, 404, 429),
          },
        },
      },
      async (request, reply) => {
        const { parser, bucketId, magicCode } = request.query;
        if (!parser) throw invalid('parser', 'Parameter "parser" is required');
        if (!bucketId && !magicCode)
          throw invalid('bucketId', 'Parameter "bucketId" or "magicCode" is required');
        let payload: unknown = request.body;
        // application/json is parsed already (a JSON string stays a string); any other type
        // arrives as text and is read as JSON here.
        const parsed = /^\s*application\/json/i.test(request.headers['content-type'] ?? '');
        if (typeof payload === 'string' && !parsed) payload = parseJsonText(payload);
        const headers = Object.fromEntries(
          Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), Array.isArray(v) ? v[0] : v]),
        );
        const result = await transformPayload(ctx, principalOf(request), {
          parser,
          bucketRef: bucketId ?? '',
          payload,
          headers,
          idempotencyKey: idempotencyKey(request.headers),
        });
        if (result.status === 204) return reply.code(204).send(null);
        return answer(reply, result);
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
        await deleteMessageAs(ctx, principalOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
}
