import type { AppContext } from '../context.ts';
import { type FieldError, forbidden, invalidMany } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { MessageAttachment, MessageDraft } from '../domain/message.ts';
import { hasPermission, isAdmin, type Principal } from '../domain/principal.ts';
import { requireBucket, requireTokenBucket, resolveBucket } from '../services/bucket.service.ts';
import { type AttachmentRow, getAttachments } from '../store/attachment.repository.ts';
import { memberIdsByRefs } from '../store/bucket.repository.ts';
import { findIdempotent } from '../store/idempotency.repository.ts';
import type { MessageRow } from '../store/message.repository.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';
import { discardFiles, downloadAttachment } from './attachment-files.ts';
import { commitMessage, IDEMPOTENCY_WINDOW_MS } from './commit-message.ts';
import { type MessageInput, shortcutActions } from './message-input.ts';

export interface MessageView {
  id: string;
  bucketId: string | null;
  senderId: string | null;
  title: string;
  subtitle: string | null;
  body: string | null;
  deliveryType: string;
  attachments: MessageAttachment[];
  actions: unknown[];
  tapAction: unknown;
  sound: string | null;
  snoozes: number[];
  locale: string | null;
  groupId: string | null;
  collapseId: string | null;
  createdAt: string;
  recipientCount?: number;
}

export const toMessageView = (m: MessageRow, recipientCount?: number): MessageView => ({
  id: m.id,
  bucketId: m.bucket_id,
  senderId: m.sender_id,
  title: m.title,
  subtitle: m.subtitle,
  body: m.body,
  deliveryType: m.delivery_type,
  attachments: JSON.parse(m.attachments),
  actions: JSON.parse(m.actions),
  tapAction: m.tap_action ? JSON.parse(m.tap_action) : null,
  sound: m.sound,
  snoozes: JSON.parse(m.snoozes),
  locale: m.locale,
  groupId: m.group_id,
  collapseId: m.collapse_id,
  createdAt: new Date(m.created_at).toISOString(),
  ...(recipientCount !== undefined ? { recipientCount } : {}),
});

export interface SendOptions {
  /** Files uploaded with the request (multipart), stored but not yet committed. */
  uploads?: AttachmentRow[];
  idempotencyKey?: string;
  /** Names the endpoint for idempotency, so one key on two endpoints never collides. */
  scope: string;
  /** The success status (201 unless the family answers otherwise). */
  status?: number;
}

const callerOf = (p: Principal): string => p.userId;

/** Returns the first response for a repeated Idempotency-Key, if there is one. */
export async function replayFor(
  ctx: AppContext,
  principal: Principal,
  scope: string,
  key: string | undefined,
) {
  if (!key) return undefined;
  return findIdempotent(
    ctx.store.db,
    callerOf(principal),
    scope,
    key,
    ctx.clock.now() - IDEMPOTENCY_WINDOW_MS,
  );
}

/**
 * Sends a messages-family message: resolves the bucket and checks access, narrows recipients
 * to the named members, resolves stored and downloaded attachments, expands the shortcut
 * actions, then commits through the one write path. Files stored for this request (uploads,
 * saveOnServer copies) are removed again unless the message commits.
 */
export async function sendMessage(
  ctx: AppContext,
  principal: Principal,
  input: MessageInput,
  opts: SendOptions,
): Promise<{ status: number; body: unknown }> {
  const stored: AttachmentRow[] = [...(opts.uploads ?? [])];
  let kept = false;
  try {
    const result = await prepareAndCommit(ctx, principal, input, opts, stored);
    kept = result.committed;
    return { status: result.status, body: result.body };
  } finally {
    if (!kept) await discardFiles(ctx, stored);
  }
}

async function prepareAndCommit(
  ctx: AppContext,
  principal: Principal,
  input: MessageInput,
  opts: SendOptions,
  stored: AttachmentRow[],
): Promise<{ status: number; body: unknown; committed: boolean }> {
  const replay = await replayFor(ctx, principal, opts.scope, opts.idempotencyKey);
  if (replay) return { ...replay, committed: false };
  if (!hasPermission(principal, 'messages.send')) throw forbidden('You may not send messages.');

  const access = await resolveBucket(ctx, principal, input.bucketRef);
  requireTokenBucket(principal, access.bucket.id);
  requireBucket(principal, access, 'write');
  const bucketId = access.bucket.id;

  const errors: FieldError[] = [];
  let onlyUserIds: string[] | undefined;
  if (input.userRefs) {
    const found = await memberIdsByRefs(ctx.store.db, bucketId, input.userRefs);
    input.userRefs.forEach((ref, i) => {
      if (!found.has(ref))
        errors.push({ field: `userIds[${i}]`, detail: `"${ref}" is not a member of this bucket` });
    });
    onlyUserIds = [...new Set(input.userRefs.map((r) => found.get(r)).filter((x): x is string => !!x))];
  }

  // Referenced server-stored attachments must exist and belong to the caller.
  const refIds = input.attachments.map((a) => a.attachmentUuid).filter((x): x is string => !!x);
  const existing = new Map((await getAttachments(ctx.store.db, refIds)).map((a) => [a.id, a]));
  input.attachments.forEach((a, i) => {
    if (!a.attachmentUuid) return;
    const row = existing.get(a.attachmentUuid);
    if (!row || (row.owner_id !== principal.userId && !isAdmin(principal))) {
      errors.push({ field: `attachments[${i}].attachmentUuid`, detail: 'no such attachment of yours' });
    }
  });
  if (errors.length > 0) throw invalidMany(errors);

  const attachments: MessageAttachment[] = [];
  for (const [i, a] of input.attachments.entries()) {
    if (a.saveOnServer && a.url && !a.attachmentUuid) {
      const row = await downloadAttachment(ctx, a.url, `attachments[${i}].url`, principal.userId);
      stored.push(row);
      attachments.push({ ...a, attachmentUuid: row.id });
    } else {
      attachments.push(a);
    }
  }
  for (const up of opts.uploads ?? []) {
    attachments.push({
      mediaType: up.media_type as MessageAttachment['mediaType'],
      name: up.filename,
      attachmentUuid: up.id,
    });
  }

  const messageId = newId(ctx.clock.now());
  const draft: MessageDraft = {
    bucketId,
    senderId: principal.userId,
    templateId: SYSTEM_TEMPLATES.bucketMessage.id,
    title: input.title,
    subtitle: input.subtitle,
    body: input.body,
    deliveryType: input.deliveryType,
    attachments,
    actions: [...input.actions, ...shortcutActions(input, messageId)],
    tapAction: input.tapAction,
    sound: input.sound,
    snoozes: input.snoozes,
    locale: input.locale,
    groupId: input.groupId ?? bucketId,
    collapseId: input.collapseId,
    tenantId: null,
    entityType: null,
    entityId: null,
    actionUrl: null,
    payload: null,
  };
  try {
    const committed = await commitMessage(
      ctx,
      draft,
      { bucketId, ...(onlyUserIds ? { onlyUserIds } : {}) },
      {
        messageId,
        family: 'messages',
        bucketName: access.bucket.name,
        attachmentIds: refIds,
        newAttachments: stored,
        ...(opts.idempotencyKey
          ? {
              idempotency: {
                callerId: callerOf(principal),
                scope: opts.scope,
                key: opts.idempotencyKey,
                status: opts.status ?? 201,
              },
            }
          : {}),
        respond: (m, n) => toMessageView(m, n),
      },
    );
    return {
      status: opts.status ?? 201,
      body: toMessageView(committed.message, committed.reached),
      committed: true,
    };
  } catch (err) {
    // A concurrent request with the same key won the race: answer with its response.
    const again = await replayFor(ctx, principal, opts.scope, opts.idempotencyKey);
    if (again) return { ...again, committed: false };
    throw err;
  }
}
