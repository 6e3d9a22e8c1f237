import { Readable } from 'node:stream';
import type { AppContext } from '../context.ts';
import { forbidden, invalid } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import {
  LIMITS,
  MEDIA_TYPES,
  type MediaType,
  type MessageAction,
  type MessageAttachment,
  type MessageDraft,
} from '../domain/message.ts';
import { hasPermission } from '../domain/principal.ts';
import { discardFiles, storeAttachment } from '../ingest/attachment-files.ts';
import { announceMessage, type CommittedMessage, writeMessage } from '../ingest/commit-message.ts';
import type { AttachmentRow } from '../store/attachment.repository.ts';
import type { Tx } from '../store/database.ts';
import { draftToRow } from '../store/message.repository.ts';
import { insertNtfyMessage } from '../store/ntfy-message.repository.ts';
import {
  insertNtfyScheduled,
  type NtfyScheduledRow,
  nextNtfyDue,
  takeDueNtfyScheduled,
} from '../store/ntfy-scheduled.repository.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';
import { escapeMarkdown } from './gotify-message-format.ts';
import {
  deliveryTypeOfPriority,
  type NtfyAction,
  type NtfyAttachment,
  type NtfyMessage,
  ntfyIdOf,
  parseDuration,
} from './ntfy-format.ts';
import { type NtfyCaller, resolveTopics } from './ntfy-topic.service.ts';

/** What one publish says, merged from the path, headers, query parameters or a JSON body. */
export interface NtfyPublishInput {
  topic: string;
  message?: string;
  title?: string;
  priority?: number;
  tags: string[];
  click?: string;
  icon?: string;
  attach?: string;
  filename?: string;
  actions: NtfyAction[];
  markdown: boolean;
  delay?: string;
  email?: string;
  /** The request body when it is a file rather than the message text. */
  file?: { bytes: Buffer; contentType: string };
}

/** ntfy's text when a publish carries no message. */
const EMPTY_MESSAGE = 'triggered';
const URL_RE = /^https?:\/\//i;

const EXTENSION_MEDIA: ReadonlyArray<[RegExp, MediaType]> = [
  [/\.gif$/i, 'GIF'],
  [/\.(png|jpe?g|webp|bmp|svg|heic)$/i, 'IMAGE'],
  [/\.(mp4|webm|mov|mkv)$/i, 'VIDEO'],
  [/\.(mp3|ogg|wav|m4a|flac|opus)$/i, 'AUDIO'],
];
const mediaOfName = (name: string): MediaType | undefined =>
  EXTENSION_MEDIA.find(([re]) => re.test(name))?.[1];

function checkInput(input: NtfyPublishInput): void {
  if (input.email !== undefined) {
    throw invalid('email', 'e-mail notifications (X-Email) are not enabled on this server');
  }
  if (input.attach !== undefined && !URL_RE.test(input.attach)) {
    throw invalid('attach', 'must be an http(s) URL');
  }
  if (input.icon !== undefined && !URL_RE.test(input.icon)) throw invalid('icon', 'must be an http(s) URL');
}

function attachmentName(input: NtfyPublishInput): string {
  if (input.filename) return input.filename;
  if (input.attach) {
    try {
      const last = new URL(input.attach).pathname.split('/').pop();
      if (last) return last;
    } catch {
      // Not parseable: the generic name below.
    }
  }
  return 'attachment';
}

/** The core's reading of an ntfy publish: links become actions, files attachments, tags payload. */
function draftOf(
  input: NtfyPublishInput,
  text: string,
  bucketId: string,
  senderId: string | null,
  stored: AttachmentRow | undefined,
): MessageDraft {
  const attachments: MessageAttachment[] = [];
  if (input.icon) attachments.push({ mediaType: 'ICON', url: input.icon });
  const name = attachmentName(input);
  const media = stored
    ? (MEDIA_TYPES as readonly string[]).includes(stored.media_type)
      ? (stored.media_type as MediaType)
      : mediaOfName(name)
    : input.attach
      ? mediaOfName(name)
      : undefined;
  if (stored && media) attachments.push({ mediaType: media, name, attachmentUuid: stored.id });
  else if (input.attach && media) attachments.push({ mediaType: media, name, url: input.attach });
  const actions: MessageAction[] = input.actions
    .filter((a) => (a.action === 'view' || a.action === 'http') && a.url)
    .map((a) => ({ type: a.action === 'view' ? 'NAVIGATE' : 'WEBHOOK', value: a.url!, title: a.label }));
  return {
    bucketId,
    senderId,
    templateId: SYSTEM_TEMPLATES.bucketMessage.id,
    title: (input.title?.trim() ? input.title.trim() : input.topic).slice(0, LIMITS.title),
    subtitle: null,
    // The core keeps markdown; plain text is escaped so it renders as itself everywhere.
    body: input.markdown ? text : escapeMarkdown(text),
    deliveryType: deliveryTypeOfPriority(input.priority ?? 3),
    attachments,
    actions,
    tapAction: input.click ? { type: 'NAVIGATE', value: input.click } : null,
    sound: null,
    snoozes: [],
    locale: null,
    groupId: bucketId,
    collapseId: null,
    tenantId: null,
    entityType: null,
    entityId: null,
    actionUrl: null,
    payload: input.tags.length > 0 ? { tags: input.tags } : null,
  };
}

/** ntfy's default bounds for a scheduled delivery: at least 10 s ahead, at most 3 days. */
export const NTFY_DELAY_MIN_MS = 10_000;
export const NTFY_DELAY_MAX_MS = 3 * 24 * 60 * 60 * 1000;

/** `X-Delay` / `X-At` / `X-In`: a unix time in seconds, or a duration from now (`30m`, `1h30m`, `2d`). */
export function dueTimeOf(raw: string, now: number): number {
  const s = raw.trim();
  const due = /^\d+$/.test(s) ? Number(s) * 1000 : now + (parseDuration(s) ?? Number.NaN);
  if (!Number.isFinite(due)) {
    throw invalid('delay', 'must be a unix time in seconds or a duration such as 30m, 2h or 1d');
  }
  if (due < now + NTFY_DELAY_MIN_MS) throw invalid('delay', 'must be at least 10 seconds ahead');
  if (due > now + NTFY_DELAY_MAX_MS) throw invalid('delay', 'must be at most 3 days ahead');
  return due;
}

const textOf = (input: NtfyPublishInput, stored: AttachmentRow | undefined): string =>
  input.message?.trim()
    ? input.message
    : stored
      ? `You received a file: ${attachmentName(input)}`
      : EMPTY_MESSAGE;

/** The ntfy message JSON of a publish, for the answer (the same shape subscribers get). */
function viewOf(
  input: NtfyPublishInput,
  text: string,
  id: string,
  timeMs: number,
  attachment: NtfyAttachment | undefined,
): NtfyMessage {
  return {
    id,
    time: Math.floor(timeMs / 1000),
    event: 'message',
    topic: input.topic,
    ...(input.title?.trim() ? { title: input.title.trim() } : {}),
    message: text,
    ...(input.priority ? { priority: input.priority } : {}),
    ...(input.tags.length > 0 ? { tags: input.tags } : {}),
    ...(input.click ? { click: input.click } : {}),
    ...(input.icon ? { icon: input.icon } : {}),
    ...(input.actions.length > 0 ? { actions: input.actions } : {}),
    ...(attachment ? { attachment } : {}),
    ...(input.markdown ? { content_type: 'text/markdown' } : {}),
  };
}

/**
 * Writes one ntfy publish through the one write path inside `tx`: the core message (inbox
 * items, outside deliveries) and what ntfy subscribers read back. The caller announces the
 * committed message after its commit.
 */
async function writeNtfy(
  ctx: AppContext,
  tx: Tx,
  input: NtfyPublishInput,
  bucketId: string,
  senderId: string | null,
  stored: AttachmentRow | undefined,
  attachmentUrl: (id: string) => string,
  now: number,
): Promise<{ committed: CommittedMessage; view: NtfyMessage }> {
  const text = textOf(input, stored);
  const row = draftToRow(newId(now), draftOf(input, text, bucketId, senderId, stored), now);
  const attachment: NtfyAttachment | undefined = stored
    ? { name: stored.filename, type: stored.content_type, size: stored.size, url: attachmentUrl(stored.id) }
    : input.attach
      ? { name: attachmentName(input), url: input.attach }
      : undefined;
  const committed = await writeMessage(
    ctx,
    tx,
    row,
    { bucketId },
    { family: 'ntfy', ...(stored ? { newAttachments: [stored] } : {}) },
  );
  const number = await insertNtfyMessage(tx, {
    message_id: row.id,
    title: input.title?.trim() ? input.title.trim() : null,
    message: text,
    priority: input.priority ?? 0,
    tags: JSON.stringify(input.tags),
    click: input.click ?? null,
    icon: input.icon ?? null,
    actions: JSON.stringify(input.actions),
    attachment: attachment ? JSON.stringify(attachment) : null,
    content_type: input.markdown ? 'text/markdown' : null,
  });
  return { committed, view: viewOf(input, text, ntfyIdOf(number), now, attachment) };
}

/** Scheduled publishes are named `s` + their row number, as published ones are `h` + theirs. */
export const scheduledIdOf = (id: number): string => `s${ntfyIdOf(id).slice(1)}`;

/** A held publish as subscribers with `scheduled=1` see it: at its due time. */
export function scheduledView(row: NtfyScheduledRow): NtfyMessage {
  const input = JSON.parse(row.input) as NtfyPublishInput;
  return viewOf(input, textOf(input, undefined), scheduledIdOf(row.id), row.due_at, attachmentOf(input));
}

const attachmentOf = (input: NtfyPublishInput): NtfyAttachment | undefined =>
  input.attach ? { name: attachmentName(input), url: input.attach } : undefined;

/**
 * A message published the ntfy way becomes a bucket message like any other, through the one
 * write path (writeMessage + announceMessage): inbox items for the bucket's members, live
 * watchers of every family, outside deliveries. What ntfy subscribers read back beyond the
 * core message is written in the same transaction. A file body is stored as an attachment and
 * removed again unless the message commits. With a delay, the publish is held (nothing is a
 * message yet) and the scheduler publishes it when it is due.
 */
export async function publishNtfyMessage(
  ctx: AppContext,
  caller: NtfyCaller,
  input: NtfyPublishInput,
  reserved: ReadonlySet<string>,
  attachmentUrl: (id: string) => string,
): Promise<NtfyMessage> {
  checkInput(input);
  if (caller && !hasPermission(caller, 'messages.send')) {
    throw forbidden('You may not send messages.');
  }
  const now = ctx.clock.now();
  const due = input.delay !== undefined ? dueTimeOf(input.delay, now) : undefined;
  if (due !== undefined && input.file) throw invalid('delay', 'cannot hold a file body; attach it by URL');
  const [topic] = await resolveTopics(ctx, caller, [input.topic], 'write', reserved);
  if (due !== undefined) {
    const { file: _file, delay: _delay, ...held } = input;
    const row = {
      topic: topic.name,
      sender_id: caller?.userId ?? null,
      due_at: due,
      input: JSON.stringify(held),
      created_at: now,
    };
    const id = await ctx.store.writer.run((tx) => insertNtfyScheduled(tx, row));
    return scheduledView({ ...row, id, bucket_id: topic.bucketId });
  }
  let stored: AttachmentRow | undefined;
  if (input.file) {
    stored = await storeAttachment(ctx, Readable.from([input.file.bytes]), {
      filename: attachmentName(input),
      contentType: input.file.contentType,
      ownerId: caller?.userId ?? null,
    });
  }
  let kept = false;
  try {
    const { committed, view } = await ctx.store.writer.run((tx) =>
      writeNtfy(ctx, tx, input, topic.bucketId, caller?.userId ?? null, stored, attachmentUrl, now),
    );
    kept = true;
    announceMessage(ctx, committed);
    return view;
  } finally {
    if (!kept && stored) await discardFiles(ctx, [stored]);
  }
}

/** Publishes to take at once per transaction. */
const DUE_BATCH = 100;

/**
 * Publishes every held publish that is due, in batches; each batch is taken out of the table
 * and written as messages in one transaction, so a publish is written once. Returns how many.
 * The sender's access was checked when the publish was accepted, as ntfy does.
 */
export async function publishDueNtfyMessages(ctx: AppContext): Promise<number> {
  let total = 0;
  for (;;) {
    const now = ctx.clock.now();
    // A read first: most passes find nothing due and should not take the writer.
    const next = await nextNtfyDue(ctx.store.db);
    if (next === undefined || next > now) return total;
    const committed = await ctx.store.writer.run(async (tx) => {
      const due = await takeDueNtfyScheduled(tx, ctx.store.kind, now, DUE_BATCH);
      const out: CommittedMessage[] = [];
      for (const row of due) {
        const input = JSON.parse(row.input) as NtfyPublishInput;
        const written = await writeNtfy(
          ctx,
          tx,
          input,
          row.bucket_id,
          row.sender_id,
          undefined,
          () => '',
          now,
        );
        out.push(written.committed);
      }
      return out;
    });
    for (const c of committed) announceMessage(ctx, c);
    total += committed.length;
    if (committed.length < DUE_BATCH) return total;
  }
}
