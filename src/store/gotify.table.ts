import type { Generated } from 'kysely';

/** A bucket message's Gotify number; written by a trigger when the message is inserted. */
export interface GotifyMessageTable {
  id: Generated<number>;
  message_id: string;
  /** The priority a Gotify sender gave; null when the message came through another family. */
  priority: number | null;
  /** JSON object of the sender's Gotify `extras`, as given. */
  extras: string | null;
}

export interface GotifyApplicationTable {
  id: Generated<number>;
  bucket_id: string;
  /** The send-only access token (scope `messages:create`, restricted to the bucket). */
  token_id: string;
  /** Who created the application (and owns its token). */
  user_id: string;
  default_priority: Generated<number>;
  /** 1 when the bucket was created with the application and is deleted with it. */
  owns_bucket: number;
  created_at: number;
}

export interface GotifyClientTable {
  id: Generated<number>;
  token_id: string;
  user_id: string;
  name: string;
  created_at: number;
}

export interface GotifyUserTable {
  id: Generated<number>;
  user_id: string;
}
