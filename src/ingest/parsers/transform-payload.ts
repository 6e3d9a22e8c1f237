/**
 * `POST /api/v1/messages/transform`, without HTTP: find the parser, run it on the payload, and
 * either send the message it makes or, when it skips the payload, answer 204 with nothing
 * stored, as Zentik does. Access is checked the same way in both cases, so a skipped payload
 * for a bucket the caller may not write to is still a 403, not a silent 204.
 */
import type { AppContext } from '../../context.ts';
import { AppError, forbidden, invalid } from '../../domain/errors.ts';
import { hasPermission, type Principal } from '../../domain/principal.ts';
import { requireBucket, requireTokenBucket, resolveBucket } from '../../services/bucket.service.ts';
import { readMessageInput } from '../message-input.ts';
import { replayFor, sendMessage } from '../send-message.ts';
import { ParserInputError, SKIPPED } from './parser.ts';
import { findParser } from './parser-registry.ts';

export interface TransformRequest {
  /** `?parser=` as sent; any casing, Zentik's names included. */
  parser: string;
  /** Bucket id or name. */
  bucketRef: string;
  payload: unknown;
  /** Lower-cased header names. */
  headers: Readonly<Record<string, string | undefined>>;
  idempotencyKey?: string;
}

const SCOPE = 'messages.transform';

export async function transformPayload(
  ctx: AppContext,
  principal: Principal,
  request: TransformRequest,
): Promise<{ status: number; body: unknown }> {
  const parser = findParser(request.parser);
  if (parser === undefined) {
    // Zentik's own sentence, so scripts that match on it keep working.
    throw new AppError('notFound', `Builtin parser not found: ${request.parser}`, [
      { field: 'parser', detail: 'unknown parser' },
    ]);
  }
  let parsed: ReturnType<typeof parser>;
  try {
    parsed = parser(request.payload, request.headers, new Date(ctx.clock.now()));
  } catch (err) {
    if (err instanceof ParserInputError)
      throw invalid(err.field ? `(body).${err.field}` : '(body)', err.message);
    throw err;
  }
  if (parsed === SKIPPED) {
    const replay = await replayFor(ctx, principal, SCOPE, request.idempotencyKey);
    if (replay) return replay;
    if (!hasPermission(principal, 'messages.send')) throw forbidden('You may not send messages.');
    const access = await resolveBucket(ctx, principal, request.bucketRef);
    requireTokenBucket(principal, access.bucket.id);
    requireBucket(principal, access, 'write');
    return { status: 204, body: undefined };
  }
  const input = readMessageInput({ ...parsed, bucketId: request.bucketRef }, 'json');
  return sendMessage(ctx, principal, input, { scope: SCOPE, idempotencyKey: request.idempotencyKey });
}
