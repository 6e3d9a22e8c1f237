import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { request } from 'undici';
import type { AppContext } from '../context.ts';
import { AppError, invalid } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { MediaType } from '../domain/message.ts';
import { assertOutboundUrl, loadUndici, outboundDispatcher } from '../net/outbound-guard.ts';
import type { AttachmentRow } from '../store/attachment.repository.ts';

/**
 * Attachment bytes live under `<data dir>/attachments/<first two id chars>/<id>`; rows hold
 * the metadata. Files are written to a temp name and renamed, so a half-written file never
 * has a row pointing at it.
 */
export function mediaTypeOf(contentType: string): MediaType | 'FILE' {
  const ct = contentType.toLowerCase();
  if (ct === 'image/gif') return 'GIF';
  if (ct.startsWith('image/')) return 'IMAGE';
  if (ct.startsWith('video/')) return 'VIDEO';
  if (ct.startsWith('audio/')) return 'AUDIO';
  return 'FILE';
}

export const attachmentPath = (dataDir: string, rel: string): string => path.join(dataDir, rel);

class TooLarge extends Error {}

function limiter(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      if (seen > max) cb(new TooLarge());
      else cb(null, chunk);
    },
  });
}

/** Streams bytes to the attachment store; throws 413 past the size limit. */
export async function storeAttachment(
  ctx: AppContext,
  source: Readable,
  meta: {
    filename: string;
    contentType: string;
    ownerId: string | null;
    sourceUrl?: string;
    isTruncated?: () => boolean;
  },
): Promise<AttachmentRow> {
  const now = ctx.clock.now();
  const id = newId(now);
  const rel = path.join('attachments', id.slice(0, 2), id);
  const abs = attachmentPath(ctx.config.dataDir, rel);
  await mkdir(path.dirname(abs), { recursive: true });
  const tmp = `${abs}.part`;
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _e, cb) {
      size += chunk.length;
      cb(null, chunk);
    },
  });
  const sink = createWriteStream(tmp);
  try {
    await pipeline(source, limiter(ctx.config.maxUploadBytes), counter, sink);
    if (meta.isTruncated?.()) throw new TooLarge();
  } catch (err) {
    // The file stream may still be opening when the pipeline fails; removing the file before it
    // closes would let it reappear.
    if (!sink.closed) await once(sink, 'close').catch(() => {});
    await rm(tmp, { force: true });
    if (err instanceof TooLarge) {
      throw new AppError('payloadTooLarge', `Attachments may be at most ${ctx.config.maxUploadBytes} bytes.`);
    }
    throw err;
  }
  await rename(tmp, abs);
  return {
    id,
    owner_id: meta.ownerId,
    message_id: null,
    filename: meta.filename.slice(0, 255) || 'attachment',
    content_type: meta.contentType || 'application/octet-stream',
    media_type: mediaTypeOf(meta.contentType),
    size,
    path: rel,
    source_url: meta.sourceUrl ?? null,
    created_at: now,
  };
}

/** Removes the bytes of stored attachments whose message was never committed. */
export async function discardFiles(ctx: AppContext, rows: readonly AttachmentRow[]): Promise<void> {
  await Promise.all(rows.map((r) => rm(attachmentPath(ctx.config.dataDir, r.path), { force: true })));
}

/** saveOnServer: fetch a copy of a URL, refusing private addresses unless the operator allows them. */
export async function downloadAttachment(
  ctx: AppContext,
  url: string,
  field: string,
  ownerId: string,
): Promise<AttachmentRow> {
  try {
    await assertOutboundUrl(url, ctx.config.allowPrivateNetworks);
  } catch (err) {
    throw invalid(field, `cannot download: ${(err as Error).message}`);
  }
  const signal = AbortSignal.timeout(ctx.config.downloadTimeoutMs);
  const undici = await loadUndici();
  const dispatcher = await outboundDispatcher(ctx.config.allowPrivateNetworks);
  let res: Awaited<ReturnType<typeof request>>;
  try {
    res = await undici.request(url, {
      signal,
      dispatcher,
      maxRedirections: 0,
    } as never);
  } catch (err) {
    throw invalid(field, `cannot download: ${(err as Error).message}`);
  }
  if (res.statusCode < 200 || res.statusCode >= 300) {
    await res.body.dump();
    throw invalid(field, `cannot download: the server answered ${res.statusCode}`);
  }
  const declared = Number(res.headers['content-length'] ?? 0);
  if (declared > ctx.config.maxUploadBytes) {
    await res.body.dump();
    throw invalid(field, `the file is larger than ${ctx.config.maxUploadBytes} bytes`);
  }
  const contentType = String(res.headers['content-type'] ?? 'application/octet-stream')
    .split(';')[0]
    .trim();
  const filename = decodeURIComponent(new URL(url).pathname.split('/').pop() || 'download');
  try {
    return await storeAttachment(ctx, Readable.from(res.body), {
      filename,
      contentType,
      ownerId,
      sourceUrl: url,
    });
  } catch (err) {
    if (err instanceof AppError && err.code === 'payloadTooLarge') {
      throw invalid(field, `the file is larger than ${ctx.config.maxUploadBytes} bytes`);
    }
    throw invalid(field, `cannot download: ${(err as Error).message}`);
  }
}
