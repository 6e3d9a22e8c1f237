import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.ts';
import { coderBuildInfo, coderUser } from '../../../services/coder-compat.service.ts';
import { principalOf } from '../../plugins/app/auth.plugin.ts';
import { errorResponses } from '../../schemas/common.schema.ts';

const BuildInfoSchema = Type.Object({
  external_url: Type.String(),
  version: Type.String({ description: "Coder's API level as semver, Herald's version as build metadata" }),
  dashboard_url: Type.String(),
  telemetry: Type.Boolean(),
  workspace_proxy: Type.Boolean(),
  agent_api_version: Type.String(),
  provisioner_api_version: Type.String(),
  upgrade_message: Type.String(),
  deployment_id: Type.String(),
  webpush_public_key: Type.String(),
});

const CoderUserSchema = Type.Object({
  id: Type.String(),
  username: Type.String(),
  email: Type.String(),
  name: Type.String(),
  avatar_url: Type.String(),
  created_at: Type.String(),
  updated_at: Type.String(),
  last_seen_at: Type.String(),
  status: Type.String(),
  login_type: Type.String(),
  theme_preference: Type.String(),
  organization_ids: Type.Array(Type.String()),
  roles: Type.Array(
    Type.Object({ name: Type.String(), display_name: Type.String(), organization_id: Type.String() }),
  ),
});

/** What Coder's SDK, CLI and VS Code extension ask before they open the inbox. */
export function coderSessionRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(
      '/buildinfo',
      {
        config: { access: { public: true } },
        schema: {
          tags: ['Notifications'],
          summary: 'Build information, as Coder clients read it',
          response: { 200: BuildInfoSchema },
        },
      },
      async () => coderBuildInfo(ctx),
    );

    app.get(
      '/users/me',
      {
        // Any credential that may read the inbox may ask whose inbox it is.
        config: { access: { scope: 'inbox:read' } },
        schema: {
          tags: ['Notifications'],
          summary: 'The calling user, as Coder clients read it',
          response: { 200: CoderUserSchema, ...errorResponses(401, 403) },
        },
      },
      async (request) => coderUser(ctx, principalOf(request).userId),
    );
  };
}
