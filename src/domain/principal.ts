/**
 * Glossary (access control):
 * - permission: what a role grants a user (`admin` implies every permission).
 * - scope: what an access token may be used for; a JWT login carries every scope.
 * - principal: who is calling, resolved once per request from a JWT or a `zat_` token.
 */
export const PERMISSIONS = [
  'admin',
  'settings.notifications',
  'users.manage',
  'templates.manage',
  'buckets.create',
  'messages.send',
] as const;
export type Permission = (typeof PERMISSIONS)[number];

export const SCOPES = [
  '*',
  'messages:create',
  'messages:read',
  'buckets:read',
  'buckets:write',
  'inbox:read',
  'inbox:write',
  'events:create',
  'notifications:create',
  'notifications:read',
  'account',
  'admin',
] as const;
export type Scope = (typeof SCOPES)[number];

export const BUILTIN_ROLES = {
  admin: { name: 'admin', description: 'Full control of this Herald server', permissions: ['admin'] },
  member: {
    name: 'member',
    description: 'Creates buckets, sends messages and reads their own inbox',
    permissions: ['buckets.create', 'messages.send'],
  },
} as const satisfies Record<string, { name: string; description: string; permissions: Permission[] }>;

export interface Principal {
  userId: string;
  email: string | null;
  username: string | null;
  permissions: ReadonlySet<string>;
  /** null for a JWT (all scopes); the token's scopes for a `zat_` token. */
  scopes: ReadonlySet<string> | null;
  tokenId: string | null;
  /** Buckets a restricted token may send to; null when unrestricted. */
  bucketIds: readonly string[] | null;
  /** Tenant a token is bound to; null when unbound. */
  tenantId: string | null;
}

export const isAdmin = (p: Principal): boolean => p.permissions.has('admin');

export const hasPermission = (p: Principal, perm: Permission): boolean =>
  p.permissions.has('admin') || p.permissions.has(perm);

export const hasScope = (p: Principal, scope: Scope): boolean =>
  p.scopes === null || p.scopes.has('*') || p.scopes.has(scope);
