import type { Generated } from 'kysely';

export interface BucketTable {
  id: string;
  owner_id: string;
  name: string;
  description: string | null;
  icon: string | null;
  color: string | null;
  created_at: number;
  updated_at: number;
}

export interface BucketMemberTable {
  bucket_id: string;
  user_id: string;
  /** 'owner' | 'admin' | 'write' | 'read' */
  permission: string;
  created_at: number;
}

/** A membership's magic code (see migration 0016); the row lives as long as the membership. */
export interface BucketMagicCodeTable {
  /** Eight lowercase hex characters; the primary key is the lookup a send makes. */
  code: string;
  bucket_id: string;
  user_id: string;
  created_at: number;
}

/** A pending invitation to join a bucket (see migration 0013). */
export interface BucketInviteTable {
  id: string;
  bucket_id: string;
  user_id: string;
  permission: string;
  invited_by: string;
  created_at: number;
  expires_at: number;
}

export interface MessageTable {
  id: string;
  bucket_id: string | null;
  sender_id: string | null;
  template_id: string | null;
  title: string;
  subtitle: string | null;
  body: string | null;
  delivery_type: string;
  /** JSON arrays/objects below. */
  attachments: Generated<string>;
  actions: Generated<string>;
  tap_action: string | null;
  sound: string | null;
  snoozes: Generated<string>;
  locale: string | null;
  group_id: string | null;
  collapse_id: string | null;
  tenant_id: string | null;
  entity_type: string | null;
  entity_id: string | null;
  action_url: string | null;
  payload: string | null;
  created_at: number;
}

export interface NotificationTable {
  id: string;
  message_id: string;
  user_id: string;
  bucket_id: string | null;
  template_id: string | null;
  tenant_id: string | null;
  read_at: number | null;
  snoozed_until: number | null;
  archived_at: number | null;
  /** Set while the item is held back by a paused notifier; hidden from the inbox until released. */
  held_since: number | null;
  created_at: number;
}

export interface AttachmentTable {
  id: string;
  owner_id: string | null;
  message_id: string | null;
  filename: string;
  content_type: string;
  media_type: string;
  size: number;
  /** Path relative to the data dir. */
  path: string;
  source_url: string | null;
  created_at: number;
}

export interface IdempotencyKeyTable {
  caller_id: string;
  scope: string;
  key: string;
  status: number;
  response: string;
  created_at: number;
}

export interface TemplateTable {
  id: string;
  key: string;
  /** 'system' | 'custom' */
  kind: string;
  name: string;
  group_name: Generated<string>;
  title_template: string;
  body_template: string;
  actions: Generated<string>;
  enabled_by_default: Generated<number>;
  method: string | null;
  is_actionable: Generated<number>;
  created_at: number;
  updated_at: number;
}

export interface PreferenceTable {
  user_id: string;
  template_id: string;
  disabled: number;
  updated_at: number;
}

export interface MessageAttachmentTable {
  message_id: string;
  attachment_id: string;
}
