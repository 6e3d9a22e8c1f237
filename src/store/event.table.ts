import type { Generated } from 'kysely';

export interface EventTable {
  id: string;
  name: string;
  /** JSON object of the event's fields. */
  fields: string;
  occurred_at: number;
  created_at: number;
  processed_at: number | null;
  /** Who recorded it, set by the server: `herald` (its own events) or `app` (posted). */
  source: Generated<string>;
}

export interface SettingTable {
  key: string;
  /** JSON value. */
  value: string;
  updated_at: number;
}
