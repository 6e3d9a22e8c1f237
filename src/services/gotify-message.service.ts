import type { AppContext } from '../context.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { MessageDraft } from '../domain/message.ts';
import { hasPermission, type Principal } from '../domain/principal.ts';
import { announceMessage, IDEMPOTENCY_WINDOW_MS, writeMessage } from '../ingest/commit-message.ts';
import { replayFor } from '../ingest/send-message.ts';
import {
  findGotifyApplicationByToken,
  getGotifyApplicationForUser,
} from '../store/gotify-application.repository.ts';
import {
  deleteGotifyMessageForUser,
  deleteGotifyMessagesForUser,
  listGotifyMessages,
  setGotifyMessageMeta,
} from '../store/gotify-message.repository.ts';
import { claimIdempotent } from '../store/idempotency.repository.ts';
import { draftToRow } from '../store/message.repository.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';
import { requireBucket, requireTokenBucket, resolveBucket } from './bucket.service.ts';
import { requireGotifyApplication } from './gotify-application.service.ts';
import {
  deliveryTypeOf,
  escapeMarkdown,
  type GotifyMessage,
  readExtras,
  toGotifyMessage,
} from './gotify-message-format.ts';

/** The Gotify `CreateMessage` model, merged from JSON or form fields. */
export interface GotifyMessageInput {
  message: string;
  title?: string;
  priority?: number;
  extras?: Record<string, unknown>;
  /** Names the application when the caller is not an application token (client or user). */
  appid?: number;
}

const IDEMPOTENCY_SCOPE = 'gotify.message';

/** The application a message is for: the one whose token is calling, else `appid`. */
async function applicationFor(ctx: AppContext, principal: Principal, appid: number | undefined) {
  if (principal.tokenId !== null) {
    const own = await findGotifyApplicationByToken(ctx.store.db, principal.tokenId);
    if (own) return { id: own.id, bucketId: own.bucket_id, defaultPriority: own.default_priority };
  }
  if (!appid) throw invalid('appid', 'is required when not authenticating with an application token');
  const app = await getGotifyApplicationForUser(ctx.store.db, appid, principal.userId);
  if (!app) throw invalid('appid', 'no such application of yours');
  return { id: app.id, bucketId: app.bucket_id, defaultPriority: app.default_priority };
}

/**
 * A message sent the Gotify way becomes a bucket message like any other, through the one write
 * path (writeMessage + announceMessage): inbox items for the bucket's members, live watchers of
 * every family, outside deliveries. What Gotify clients see beyond the core message (the exact
 * priority, the extras) is written in the same transaction.
 */
export async function sendGotifyMessage(
  ctx: AppContext,
  principal: Principal,
  input: GotifyMessageInput,
  idempotencyKey?: string,
): Promise<GotifyMessage> {
  const replay = await replayFor(ctx, principal, IDEMPOTENCY_SCOPE, idempotencyKey);
  if (replay) return replay.body as GotifyMessage;
  if (!hasPermission(principal, 'messages.send')) throw forbidden('You may not send messages.');
  const app = await applicationFor(ctx, principal, input.appid);
  const access = await resolveBucket(ctx, principal, app.bucketId);
  requireTokenBucket(principal, access.bucket.id);
  requireBucket(principal, access, 'write');

  const priority = input.priority ?? app.defaultPriority;
  const meaning = readExtras(input.extras);
  const now = ctx.clock.now();
  const draft: MessageDraft = {
    bucketId: access.bucket.id,
    senderId: principal.userId,
    templateId: SYSTEM_TEMPLATES.bucketMessage.id,
    title: input.title?.trim() ? input.title : access.bucket.name,
    subtitle: null,
    // The core keeps markdown; plain text is escaped so it renders as itself everywhere.
    body: meaning.markdown ? input.message : escapeMarkdown(input.message),
    deliveryType: deliveryTypeOf(priority),
    attachments: meaning.attachments,
    actions: [],
    tapAction: meaning.tapAction,
    sound: null,
    snoozes: [],
    locale: null,
    groupId: access.bucket.id,
    collapseId: null,
    tenantId: null,
    entityType: null,
    entityId: null,
    actionUrl: null,
    payload: null,
  };
  const row = draftToRow(newId(now), draft, now);
  const extras = input.extras && Object.keys(input.extras).length > 0 ? JSON.stringify(input.extras) : null;
  const { committed, view } = await ctx.store.writer.run(async (tx) => {
    const committed = await writeMessage(
      ctx,
      tx,
      row,
      { bucketId: access.bucket.id },
      {
        family: 'gotify',
        bucketName: access.bucket.name,
      },
    );
    const id = await setGotifyMessageMeta(tx, row.id, { priority, extras });
    const view = toGotifyMessage({ ...row, id, app_id: app.id, message_id: row.id, priority, extras });
    if (idempotencyKey) {
      await claimIdempotent(
        tx,
        {
          callerId: principal.userId,
          scope: IDEMPOTENCY_SCOPE,
          key: idempotencyKey,
          status: 200,
          body: view,
        },
        now,
        now - IDEMPOTENCY_WINDOW_MS,
      );
    }
    return { committed, view };
  });
  announceMessage(ctx, committed);
  return view;
}

export interface GotifyPage {
  messages: GotifyMessage[];
  /** The number to pass as `since` for the next page; 0 when this is the last one. */
  since: number;
}

/** The caller's messages newest first, `limit` at a time, below number `since`. */
export async function listGotifyMessagesOf(
  ctx: AppContext,
  principal: Principal,
  opts: { since: number; limit: number; appId?: number },
): Promise<GotifyPage> {
  let bucketIds: readonly string[] | undefined;
  if (opts.appId !== undefined) await requireGotifyApplication(ctx, principal, opts.appId);
  else if (principal.bucketIds !== null) bucketIds = principal.bucketIds;
  const rows = await listGotifyMessages(ctx.store.db, principal.userId, {
    since: opts.since,
    limit: opts.limit + 1,
    ...(opts.appId !== undefined ? { appId: opts.appId } : {}),
    ...(bucketIds ? { bucketIds } : {}),
  });
  const page = rows.slice(0, opts.limit).map(toGotifyMessage);
  return { messages: page, since: rows.length > opts.limit ? page[page.length - 1].id : 0 };
}

/** Deletes the caller's copy of one message (other recipients keep theirs). */
export async function deleteGotifyMessageOf(
  ctx: AppContext,
  principal: Principal,
  id: number,
): Promise<boolean> {
  return ctx.store.writer.run((tx) =>
    deleteGotifyMessageForUser(tx, principal.userId, id, principal.bucketIds),
  );
}

/** Deletes the caller's copies of every Gotify-visible message, or of one application's. */
export async function deleteGotifyMessagesOf(
  ctx: AppContext,
  principal: Principal,
  appId?: number,
): Promise<number> {
  let bucketIds: readonly string[] | null = principal.bucketIds;
  if (appId !== undefined) bucketIds = [(await requireGotifyApplication(ctx, principal, appId)).bucket_id];
  return ctx.store.writer.run((tx) => deleteGotifyMessagesForUser(tx, principal.userId, bucketIds));
}
