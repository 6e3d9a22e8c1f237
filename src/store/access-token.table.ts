export interface AccessTokenTable {
  id: string;
  user_id: string;
  name: string;
  /** SHA-256 hex of the full `zat_…` token; the secret itself is never stored. */
  token_hash: string;
  /** JSON array of scope names. */
  scopes: string;
  /** JSON array of bucket ids the token may send to, or null for any. */
  bucket_ids: string | null;
  tenant_id: string | null;
  expires_at: number | null;
  last_used_at: number | null;
  revoked_at: number | null;
  created_at: number;
}
