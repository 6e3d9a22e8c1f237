import type { Generated } from 'kysely';

export interface UserTable {
  id: string;
  email: string | null;
  username: string | null;
  password_hash: string | null;
  display_name: string | null;
  /** 'account' can log in; 'recipient' was created on first mention by a tenant API. */
  kind: Generated<string>;
  tenant_id: string | null;
  failed_logins: Generated<number>;
  locked_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface RoleTable {
  id: string;
  name: string;
  description: Generated<string>;
  /** JSON array of permission names. */
  permissions: string;
  builtin: Generated<number>;
  created_at: number;
}

export interface UserRoleTable {
  user_id: string;
  role_id: string;
}

export interface AuthSessionTable {
  id: string;
  user_id: string;
  user_agent: string | null;
  ip_address: string | null;
  created_at: number;
  revoked_at: number | null;
}

export interface RefreshTokenTable {
  id: string;
  session_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}
