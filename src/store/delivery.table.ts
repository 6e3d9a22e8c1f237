import type { Generated } from 'kysely';

export interface ChannelConfigTable {
  type: string;
  enabled: number;
  /** JSON config; secret fields encrypted (see channels secret handling). */
  config: string;
  updated_at: number;
}

export interface PushSubscriptionTable {
  id: string;
  user_id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
  created_at: number;
}

export interface RuleTable {
  id: string;
  name: string;
  enabled: number;
  events: string;
  condition_logic: string;
  conditions: string;
  cadence: string;
  actions: string;
  created_at: number;
  updated_at: number;
  last_triggered_at: number | null;
}

export interface DeliveryTable {
  id: string;
  channel: string;
  /** 'pending' | 'sending' | 'sent' | 'failed' | 'skipped' (a fallback whose inbox item was read in time) */
  status: string;
  message_id: string | null;
  notification_id: string | null;
  user_id: string | null;
  rule_id: string | null;
  rule_name: string | null;
  /** JSON Recipient (address or push subscription). */
  recipient: string;
  /** JSON rendered content: title, text, html, url, deliveryType, data. */
  content: string;
  window_key: string | null;
  attempts: Generated<number>;
  next_attempt_at: number;
  lease_until: number | null;
  /** 1 while the notifier is paused: not claimed until released. */
  held: Generated<number>;
  last_error: string | null;
  created_at: number;
  updated_at: number;
  sent_at: number | null;
  /** The failed entry this one retries (a retry from the log is a new entry). */
  retry_of?: string | null;
  /** JSON {channel, targets: [recipient + userId]}: where to send when this one fails for good. */
  fallback?: string | null;
  /** The first fallback entry written for this one (each one names this row in fallback_of). */
  fallback_id?: string | null;
  /** On a fallback: the entry it stands in for. */
  fallback_of?: string | null;
  /** 1: a fallback that is dropped when its inbox item (notification_id) was read in time. */
  unless_read?: Generated<number>;
}

export interface BucketChannelTable {
  bucket_id: string;
  channel: string;
  /** JSON array of user and role refs; null: every member the message reached. */
  recipients: string | null;
  created_at: number;
  updated_at: number;
}

export interface UserAddressTable {
  user_id: string;
  channel: string;
  /** The address; webhook URLs sealed (see channels/channel-secrets.ts). */
  address: string;
  updated_at: number;
}
