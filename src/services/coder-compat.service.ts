import { heraldVersion } from '../config/package-root.ts';
import type { AppContext } from '../context.ts';
import { getUserView } from './user.service.ts';

/**
 * What Coder's clients read before they open the inbox: `GET /api/v2/buildinfo` and
 * `GET /api/v2/users/me`, shaped as codersdk's BuildInfoResponse and User. Only the fields
 * those clients read carry meaning (docs/coder-differences.md lists them); the rest are there
 * so strict decoders find every key.
 */

/**
 * The Coder release whose inbox and notifications API Herald speaks. Clients compare it as
 * semver (the SDK trims everything after `+`), so it is Coder's number with Herald's as build
 * metadata.
 */
export const CODER_API_VERSION = 'v2.27.0';

export interface CoderBuildInfo {
  external_url: string;
  version: string;
  dashboard_url: string;
  telemetry: boolean;
  workspace_proxy: boolean;
  agent_api_version: string;
  provisioner_api_version: string;
  upgrade_message: string;
  deployment_id: string;
  webpush_public_key: string;
}

export function coderBuildInfo(ctx: AppContext): CoderBuildInfo {
  return {
    external_url: 'https://github.com/coder/coder',
    version: `${CODER_API_VERSION}+herald-${heraldVersion().replace(/[^0-9A-Za-z.-]/g, '-')}`,
    dashboard_url: ctx.config.baseUrl,
    telemetry: false,
    workspace_proxy: false,
    agent_api_version: '',
    provisioner_api_version: '',
    upgrade_message: '',
    deployment_id: '',
    webpush_public_key: '',
  };
}

export interface CoderUser {
  id: string;
  username: string;
  email: string;
  name: string;
  avatar_url: string;
  created_at: string;
  updated_at: string;
  last_seen_at: string;
  status: 'active' | 'suspended';
  login_type: 'password';
  theme_preference: string;
  organization_ids: string[];
  roles: Array<{ name: string; display_name: string; organization_id: string }>;
}

/** Herald's `admin` role is Coder's `owner`; other roles keep their names. */
const coderRole = (name: string) =>
  name === 'admin'
    ? { name: 'owner', display_name: 'Owner', organization_id: '' }
    : { name, display_name: name.charAt(0).toUpperCase() + name.slice(1), organization_id: '' };

export async function coderUser(ctx: AppContext, userId: string): Promise<CoderUser> {
  const u = await getUserView(ctx, userId);
  const locked = u.lockedUntil !== null && Date.parse(u.lockedUntil) > ctx.clock.now();
  return {
    id: u.id,
    // Coder usernames are never empty; an email-only account goes by its email's local part.
    username: u.username ?? u.email?.split('@')[0] ?? u.id,
    email: u.email ?? '',
    name: u.displayName ?? '',
    avatar_url: '',
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    last_seen_at: u.updatedAt,
    status: locked ? 'suspended' : 'active',
    login_type: 'password',
    theme_preference: '',
    organization_ids: [],
    roles: u.roles.map(coderRole),
  };
}
