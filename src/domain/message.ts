/**
 * Glossary (messages):
 * - message: what a sender sent once — title, body, attachments, actions, and where it came
 *   from (bucket, template, tenant, entity).
 * - notification: that message for one recipient, the inbox item; read/unread lives here.
 * - collapseId: a newer message with the same collapseId in the same bucket replaces the
 *   older one in its recipients' inboxes.
 */
/** NO_PUSH (Zentik's): stored and shown in the inbox, never pushed or mailed. */
export const DELIVERY_TYPES = ['SILENT', 'NORMAL', 'CRITICAL', 'NO_PUSH'] as const;
export type DeliveryType = (typeof DELIVERY_TYPES)[number];

export const MEDIA_TYPES = ['VIDEO', 'IMAGE', 'GIF', 'AUDIO', 'ICON', 'FILE'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

export const ACTION_TYPES = [
  'NAVIGATE',
  'BACKGROUND_CALL',
  'MARK_AS_READ',
  'SNOOZE',
  'POSTPONE',
  'OPEN_NOTIFICATION',
  'WEBHOOK',
  'DELETE',
] as const;
export type ActionType = (typeof ACTION_TYPES)[number];

export interface MessageAttachment {
  mediaType: MediaType;
  name?: string;
  url?: string;
  attachmentUuid?: string;
  saveOnServer?: boolean;
}

export interface MessageAction {
  type: ActionType;
  /** Absent where the type needs none (MARK_AS_READ, DELETE, OPEN_NOTIFICATION, ...). */
  value?: string;
  destructive?: boolean;
  icon?: string;
  title?: string;
}

export const LIMITS = {
  title: 100,
  subtitle: 100,
  body: 500,
  actions: 20,
  attachments: 20,
  snoozes: 20,
} as const;

/** The one internal shape every family's input is normalised into before it is stored. */
export interface MessageDraft {
  bucketId: string | null;
  senderId: string | null;
  templateId: string | null;
  title: string;
  subtitle: string | null;
  body: string | null;
  deliveryType: DeliveryType;
  attachments: MessageAttachment[];
  actions: MessageAction[];
  tapAction: MessageAction | null;
  sound: string | null;
  snoozes: number[];
  locale: string | null;
  groupId: string | null;
  collapseId: string | null;
  tenantId: string | null;
  entityType: string | null;
  entityId: string | null;
  actionUrl: string | null;
  payload: Record<string, unknown> | null;
}

export const emptyDraft = (title: string, deliveryType: DeliveryType = 'NORMAL'): MessageDraft => ({
  bucketId: null,
  senderId: null,
  templateId: null,
  title,
  subtitle: null,
  body: null,
  deliveryType,
  attachments: [],
  actions: [],
  tapAction: null,
  sound: null,
  snoozes: [],
  locale: null,
  groupId: null,
  collapseId: null,
  tenantId: null,
  entityType: null,
  entityId: null,
  actionUrl: null,
  payload: null,
});

/** Who receives a message: every member of a bucket (optionally narrowed), or named users. */
export type Recipients =
  | { bucketId: string; onlyUserIds?: readonly string[] }
  | { userIds: readonly string[] };
