import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { ntfyInfoRoutes } from './info.routes.ts';
import { NtfyErrorSchema, NtfyMessageSchema } from './ntfy.schema.ts';
import { installNtfyAuth } from './ntfy-auth.ts';
import { installRawBodies } from './ntfy-body.ts';
import { installNtfyErrors } from './ntfy-errors.ts';
import { type NtfyRouteOptions, ntfyPublishRoutes } from './publish.routes.ts';
import { ntfySubscribeRoutes } from './subscribe.routes.ts';

/** Schemas the ntfy routes reference; added on the root so the OpenAPI document has them. */
export const NTFY_SCHEMAS = [NtfyErrorSchema, NtfyMessageSchema];

/**
 * The ntfy family at the root (`/<topic>`, `/<topic>/json|sse|raw|ws`, `/v1/*`), as Apprise,
 * ntfy's apps, its CLI and curl scripts speak it. `reserved` holds the first path segments of
 * every other route, which are never topic names; it is filled while the app registers its
 * routes and read per request.
 */
export function ntfyRoutes(ctx: AppContext, reserved: ReadonlySet<string>): FastifyPluginAsyncTypebox {
  const opts: NtfyRouteOptions = {
    reserved,
    // Links point where the client reached this server, as ntfy answers without a base-url.
    attachmentUrl: (request) => (id) => `${request.protocol}://${request.host}/api/v1/attachments/${id}`,
  };
  return async (app) => {
    installNtfyErrors(app);
    installNtfyAuth(app, ctx);
    await app.register(ntfyInfoRoutes(ctx, opts));
    await app.register(async (raw) => {
      // Publish bodies are read as bytes whatever their Content-Type, as ntfy does.
      installRawBodies(raw, ctx.config.maxUploadBytes);
      await raw.register(ntfyPublishRoutes(ctx, opts));
      await raw.register(ntfySubscribeRoutes(ctx, opts));
    });
  };
}

/** ntfy's own reserved names (its web app's paths), kept off so its apps never collide. */
const NTFY_RESERVED = ['docs', 'static', 'file', 'app', 'account', 'settings', 'signup', 'login', 'v1'];

/**
 * Collects the first path segment of every route registered after this call (Herald's own
 * top-level paths), so they are refused as topic names without a hand-kept list.
 */
export function collectReservedPaths(app: {
  addHook: (name: 'onRoute', fn: (r: { url: string }) => void) => unknown;
}) {
  const reserved = new Set<string>(NTFY_RESERVED);
  app.addHook('onRoute', (route) => {
    const first = route.url.split('/')[1]?.split(/[?*]/)[0];
    if (first && !first.startsWith(':')) reserved.add(first.toLowerCase());
  });
  return reserved;
}
