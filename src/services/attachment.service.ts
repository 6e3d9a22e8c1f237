import { createReadStream, type ReadStream } from 'node:fs';
import type { AppContext } from '../context.ts';
import { notFound } from '../domain/errors.ts';
import { isAdmin, type Principal } from '../domain/principal.ts';
import { attachmentPath } from '../ingest/attachment-files.ts';
import { canReadAttachment, getAttachments } from '../store/attachment.repository.ts';

export interface AttachmentDownload {
  filename: string;
  contentType: string;
  size: number;
  open(): ReadStream;
}

/**
 * A stored attachment for its uploader, the senders and recipients of messages it went with,
 * and administrators. Anyone else is told it does not exist, so ids cannot be probed.
 */
export async function attachmentFor(
  ctx: AppContext,
  principal: Principal,
  id: string,
): Promise<AttachmentDownload> {
  const [att] = await getAttachments(ctx.store.db, [id]);
  if (!att) throw notFound('Attachment');
  if (!isAdmin(principal) && !(await canReadAttachment(ctx.store.db, att, principal.userId))) {
    throw notFound('Attachment');
  }
  return {
    filename: att.filename,
    contentType: att.content_type,
    size: att.size,
    open: () => createReadStream(attachmentPath(ctx.config.dataDir, att.path)),
  };
}
