import type { MessageAction, MessageAttachment } from '../domain/message.ts';
import type { NtfyMessageRow } from '../store/ntfy-message.repository.ts';
import {
  type NtfyAction,
  type NtfyAttachment,
  type NtfyMessage,
  ntfyIdOf,
  priorityOfDeliveryType,
} from './ntfy-format.ts';

const parse = <T>(json: string | null, fallback: T): T => (json ? (JSON.parse(json) as T) : fallback);

/** Core actions as ntfy buttons: links open (view), webhooks are called (http). */
function actionsOfCore(actions: MessageAction[]): NtfyAction[] {
  const out: NtfyAction[] = [];
  for (const [i, a] of actions.entries()) {
    if (out.length === 3) break;
    if ((a.type === 'NAVIGATE' || a.type === 'WEBHOOK') && a.value !== undefined) {
      out.push({
        id: `herald${i}`,
        action: a.type === 'NAVIGATE' ? 'view' : 'http',
        label: a.title ?? a.value,
        clear: false,
        url: a.value,
        ...(a.type === 'WEBHOOK' ? { method: 'POST' } : {}),
      });
    }
  }
  return out;
}

/** One stored bucket message as ntfy's message JSON, whichever family it came through. */
export function toNtfyMessage(row: NtfyMessageRow, attachmentUrl: (id: string) => string): NtfyMessage {
  const base = {
    id: ntfyIdOf(row.number),
    time: Math.floor(row.created_at / 1000),
    event: 'message' as const,
    topic: row.topic,
  };
  if (row.ntfy_message !== null) {
    // Published through ntfy: answer with what the publisher gave.
    const tags = parse<string[]>(row.ntfy_tags, []);
    const actions = parse<NtfyAction[]>(row.ntfy_actions, []);
    const attachment = parse<NtfyAttachment | null>(row.ntfy_attachment, null);
    return {
      ...base,
      ...(row.ntfy_title ? { title: row.ntfy_title } : {}),
      message: row.ntfy_message,
      ...(row.ntfy_priority ? { priority: row.ntfy_priority } : {}),
      ...(tags.length > 0 ? { tags } : {}),
      ...(row.ntfy_click ? { click: row.ntfy_click } : {}),
      ...(row.ntfy_icon ? { icon: row.ntfy_icon } : {}),
      ...(actions.length > 0 ? { actions } : {}),
      ...(attachment ? { attachment } : {}),
      ...(row.ntfy_content_type ? { content_type: row.ntfy_content_type } : {}),
    };
  }
  const tap = parse<MessageAction | null>(row.tap_action, null);
  const attachments = parse<MessageAttachment[]>(row.attachments, []);
  const icon = attachments.find((a) => a.mediaType === 'ICON' && a.url);
  const file = attachments.find((a) => a.mediaType !== 'ICON' && (a.url || a.attachmentUuid));
  const actions = actionsOfCore(parse<MessageAction[]>(row.actions, []));
  const fileUrl = file?.url ?? (file?.attachmentUuid ? attachmentUrl(file.attachmentUuid) : undefined);
  return {
    ...base,
    title: row.title,
    message: [row.subtitle, row.body].filter((s): s is string => !!s).join('\n\n') || row.title,
    priority: priorityOfDeliveryType(row.delivery_type),
    ...(tap?.type === 'NAVIGATE' ? { click: tap.value } : {}),
    ...(icon?.url ? { icon: icon.url } : {}),
    ...(actions.length > 0 ? { actions } : {}),
    ...(file && fileUrl ? { attachment: { name: file.name ?? 'attachment', url: fileUrl } } : {}),
    // The core keeps bodies as markdown.
    content_type: 'text/markdown',
  };
}
