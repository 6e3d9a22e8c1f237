export interface EventTable {
  id: string;
  name: string;
  /** JSON object of the event's fields. */
  fields: string;
  occurred_at: number;
  created_at: number;
  processed_at: number | null;
}

export interface SettingTable {
  key: string;
  /** JSON value. */
  value: string;
  updated_at: number;
}
