import type { MessageAction, MessageAttachment } from '../domain/message.ts';
import type { InboxRow } from '../store/inbox.repository.ts';
import { markdownToPlaintext } from '../templates/markdown-plaintext.ts';
import { SYSTEM_TEMPLATES } from '../templates/system-templates.ts';

/**
 * Coder's fallback icon names, sent when an item's template has no icon of its own; Coder's
 * dashboard draws its built-in icon for each. As coderd, only templates with a Coder
 * counterpart get one (coderd leaves the custom template's icon empty, and so does Herald).
 */
export const FALLBACK_ICONS = {
  workspace: 'DEFAULT_ICON_WORKSPACE',
  account: 'DEFAULT_ICON_ACCOUNT',
  template: 'DEFAULT_ICON_TEMPLATE',
  other: 'DEFAULT_ICON_OTHER',
} as const;

const FALLBACK_BY_TEMPLATE: Record<string, string> = {
  [SYSTEM_TEMPLATES.test.id]: FALLBACK_ICONS.other,
  [SYSTEM_TEMPLATES.deliveryFailed.id]: FALLBACK_ICONS.other,
  [SYSTEM_TEMPLATES.ruleTriggered.id]: FALLBACK_ICONS.other,
  [SYSTEM_TEMPLATES.loginFailed.id]: FALLBACK_ICONS.account,
  [SYSTEM_TEMPLATES.accountLocked.id]: FALLBACK_ICONS.account,
};

/** The inbox family's item (`codersdk.InboxNotification`). */
export interface InboxItem {
  id: string;
  user_id: string;
  template_id: string;
  targets: string[];
  title: string;
  content: string;
  icon: string;
  actions: Array<{ label: string; url: string }>;
  read_at: string | null;
  created_at: string;
}

export type InboxFormat = 'markdown' | 'plaintext';

const isLink = (v: string | undefined): v is string => v !== undefined && /^(https?:\/\/|\/)/i.test(v);

/**
 * Maps a stored message onto the inbox shape: body (with the subtitle as a lead line) becomes
 * `content`; link-like actions and the tap action become `{label, url}`; the bucket, message
 * and entity ids become `targets`.
 */
export function toInboxItem(row: InboxRow, format: InboxFormat = 'markdown'): InboxItem {
  const actions: Array<{ label: string; url: string }> = [];
  const tap = row.tap_action ? (JSON.parse(row.tap_action) as MessageAction) : null;
  if (tap && isLink(tap.value)) actions.push({ label: tap.title ?? 'View', url: tap.value });
  for (const a of JSON.parse(row.actions) as MessageAction[]) {
    if ((a.type === 'NAVIGATE' || a.type === 'WEBHOOK') && isLink(a.value)) {
      actions.push({ label: a.title ?? (a.type === 'NAVIGATE' ? 'Open' : 'Run'), url: a.value });
    }
  }
  if (row.action_url) actions.push({ label: 'Open', url: row.action_url });
  const attachments = JSON.parse(row.attachments) as MessageAttachment[];
  const icon =
    attachments.find((a) => a.mediaType === 'ICON' && a.url)?.url ??
    FALLBACK_BY_TEMPLATE[row.template_id ?? ''] ??
    '';
  const content = [row.subtitle, row.body].filter((s): s is string => !!s).join('\n\n');
  const targets = [row.message_id, row.bucket_id, row.entity_id].filter((t): t is string => !!t);
  return {
    id: row.id,
    user_id: row.user_id,
    template_id: row.template_id ?? '',
    targets,
    title: format === 'plaintext' ? markdownToPlaintext(row.title) : row.title,
    content: format === 'plaintext' ? markdownToPlaintext(content) : content,
    icon,
    actions,
    read_at: row.read_at === null ? null : new Date(row.read_at).toISOString(),
    created_at: new Date(row.created_at).toISOString(),
  };
}

export function matchesFilter(
  item: InboxRow,
  filter: { targets?: readonly string[]; templates?: readonly string[]; readStatus?: string },
): boolean {
  // Every listed target must be on the item (coderd's rule), not any one of them.
  if (
    filter.targets?.length &&
    !filter.targets.every((t) => t === item.bucket_id || t === item.message_id || t === item.entity_id)
  )
    return false;
  if (filter.templates?.length && !filter.templates.includes(item.template_id ?? '')) return false;
  if (filter.readStatus === 'read' && item.read_at === null) return false;
  if (filter.readStatus === 'unread' && item.read_at !== null) return false;
  return true;
}
