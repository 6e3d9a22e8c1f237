import type { Generated } from 'kysely';

/** A topic: a bucket under a global ntfy name, with its anonymous-access switches. */
export interface NtfyTopicTable {
  name: string;
  bucket_id: string;
  /** 1 when anyone may subscribe without credentials. */
  anonymous_read: number;
  /** 1 when anyone may publish without credentials. */
  anonymous_write: number;
  created_at: number;
}

/** What an ntfy publisher gave beside the core message; absent for other families' messages. */
export interface NtfyMessageTable {
  message_id: string;
  /** The title as given; null when the publisher gave none (the core title is the topic). */
  title: string | null;
  /** The message text as given (plain text unless content_type is text/markdown). */
  message: string;
  priority: number;
  /** JSON array of strings, emoji short codes kept as given. */
  tags: string;
  click: string | null;
  icon: string | null;
  /** JSON array of ntfy actions ({id, action, label, clear, url, …}). */
  actions: string;
  /** JSON ntfy attachment ({name, type, size, url}). */
  attachment: string | null;
  content_type: string | null;
}

/** A publish held for scheduled delivery; deleted when the scheduler publishes it. */
export interface NtfyScheduledTable {
  id: Generated<number>;
  topic: string;
  sender_id: string | null;
  /** ms: when it is published. */
  due_at: number;
  /** JSON of the publish input (no file body). */
  input: string;
  created_at: number;
}
