import { escapeHtml } from '../channels/text-format.ts';
import type { MessageAction } from '../domain/message.ts';
import type { DeliveryContent } from '../queue/enqueue.ts';
import type { MessageRow } from '../store/message.repository.ts';
import { markdownToHtml } from './markdown-html.ts';
import { markdownToPlaintext } from './markdown-plaintext.ts';

/**
 * What a message looks like outside the inbox, rendered once per message and shared by every
 * delivery it causes: the title as subject/headline, the subtitle then the markdown body as
 * plaintext and as HTML, the link to open, and ids a webhook or service worker can use.
 */
export function messageContent(m: MessageRow): DeliveryContent {
  const body = m.body?.trim() ? m.body : '';
  const plainBody = body ? markdownToPlaintext(body) : '';
  const text = [m.subtitle, plainBody].filter((part) => part).join('\n\n') || m.title;
  const subtitleHtml = m.subtitle ? `<p><strong>${escapeHtml(m.subtitle)}</strong></p>\n` : '';
  const html = `<!doctype html><html><body>${subtitleHtml}${body ? markdownToHtml(body) : ''}</body></html>`;
  const url = m.action_url ?? openUrl(m.tap_action);
  return {
    title: m.title,
    text,
    html,
    ...(url ? { url } : {}),
    deliveryType: m.delivery_type as DeliveryContent['deliveryType'],
    data: {
      messageId: m.id,
      bucketId: m.bucket_id,
      templateId: m.template_id,
      ...(m.payload ? { payload: JSON.parse(m.payload) as unknown } : {}),
    },
  };
}

/** A tap action that opens a link; other actions need the app and have no outside meaning. */
function openUrl(tapAction: string | null): string | undefined {
  if (!tapAction) return undefined;
  const action = JSON.parse(tapAction) as MessageAction;
  return action.type === 'NAVIGATE' && action.value && /^https?:\/\//i.test(action.value)
    ? action.value
    : undefined;
}
