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
import { announceMessage, writeMessage } from '../ingest/commit-message.ts';
import type { AttachmentRow } from '../store/attachment.repository.ts';
import { draftToRow } from '../store/message.repository.ts';
import { insertNtfyMessage } from '../store/ntfy-message.repository.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';
import { escapeMarkdown } from './gotify-message-format.ts';
import {
  deliveryTypeOfPriority,
  type NtfyAction,
  type NtfyAttachment,
  type NtfyMessage,
  ntfyIdOf,
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
  if (input.delay !== undefined) {
    throw invalid('delay', 'scheduled delivery (X-Delay, X-At, X-In) is not supported by this server');
  }
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

/**
 * A message published the ntfy way becomes a bucket message like any other, through the one
 * write path (writeMessage + announceMessage): inbox items for the bucket's members, live
 * watchers of every family, outside deliveries. What ntfy subscribers read back beyond the
 * core message is written in the same transaction. A file body is stored as an attachment and
 * removed again unless the message commits.
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
  const [topic] = await resolveTopics(ctx, caller, [input.topic], 'write', reserved);
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
    const text = input.message?.trim()
      ? input.message
      : stored
        ? `You received a file: ${attachmentName(input)}`
        : EMPTY_MESSAGE;
    const now = ctx.clock.now();
    const draft = draftOf(input, text, topic.bucketId, caller?.userId ?? null, stored);
    const row = draftToRow(newId(now), draft, now);
    const attachment: NtfyAttachment | undefined = stored
      ? { name: stored.filename, type: stored.content_type, size: stored.size, url: attachmentUrl(stored.id) }
      : input.attach
        ? { name: attachmentName(input), url: input.attach }
        : undefined;
    const contentType = input.markdown ? 'text/markdown' : null;
    const { committed, number } = await ctx.store.writer.run(async (tx) => {
      const committed = await writeMessage(
        ctx,
        tx,
        row,
        { bucketId: topic.bucketId },
        stored ? { newAttachments: [stored] } : {},
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
        content_type: contentType,
      });
      return { committed, number };
    });
    kept = true;
    announceMessage(ctx, committed);
    return {
      id: ntfyIdOf(number),
      time: Math.floor(now / 1000),
      event: 'message',
      topic: topic.name,
      ...(input.title?.trim() ? { title: input.title.trim() } : {}),
      message: text,
      ...(input.priority ? { priority: input.priority } : {}),
      ...(input.tags.length > 0 ? { tags: input.tags } : {}),
      ...(input.click ? { click: input.click } : {}),
      ...(input.icon ? { icon: input.icon } : {}),
      ...(input.actions.length > 0 ? { actions: input.actions } : {}),
      ...(attachment ? { attachment } : {}),
      ...(contentType ? { content_type: contentType } : {}),
    };
  } finally {
    if (!kept && stored) await discardFiles(ctx, [stored]);
  }
}
