import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../../../context.ts';
import { channelsRoutes } from './channels.routes.ts';
import { logRoutes } from './log.routes.ts';
import { installRoutingErrors } from './routing-errors.ts';
import { settingsRoutes } from './settings.routes.ts';

/**
 * The routing family's channels, delivery log and retention settings, mounted at
 * `/api/v1/notifications`. Every route needs the `settings.notifications` permission.
 */
export function notificationsRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    installRoutingErrors(app);
    await app.register(channelsRoutes(ctx));
    await app.register(logRoutes(ctx));
    await app.register(settingsRoutes(ctx));
  };
}
