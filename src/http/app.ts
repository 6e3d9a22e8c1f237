import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { AppContext } from '../context.ts';
import { accessTokensRoutes, TokenSchema } from './api/v1/access-tokens/access-tokens.routes.ts';
import { attachmentsRoutes } from './api/v1/attachments/attachments.routes.ts';
import { authRoutes } from './api/v1/auth/auth.routes.ts';
import { bucketChannelsRoutes } from './api/v1/buckets/bucket-channels.routes.ts';
import {
  BucketSchema,
  bucketsRoutes,
  InviteSchema,
  MagicCodeSchema,
  MemberSchema,
} from './api/v1/buckets/buckets.routes.ts';
import { eventsRoutes } from './api/v1/events/events.routes.ts';
import { inboxSnoozeRoutes } from './api/v1/inbox/inbox-snooze.routes.ts';
import { inboxStreamRoutes } from './api/v1/inbox/inbox-stream.routes.ts';
import { messagesRoutes } from './api/v1/messages/messages.routes.ts';
import { channelConfigSchemas } from './api/v1/notifications/channels.routes.ts';
import { notificationsRoutes } from './api/v1/notifications/notifications.routes.ts';
import { rulesRoutes } from './api/v1/notifications/rules.routes.ts';
import { pushSubscriptionsRoutes } from './api/v1/push-subscriptions/push-subscriptions.routes.ts';
import { RoleSchema, rolesRoutes } from './api/v1/roles/roles.routes.ts';
import { templatesRoutes } from './api/v1/templates/templates.routes.ts';
import { userAddressesRoutes } from './api/v1/users/user-addresses.routes.ts';
import { UserSchema, usersRoutes } from './api/v1/users/users.routes.ts';
import { coderSessionRoutes } from './api/v2/coder-session.routes.ts';
import { inboxRoutes } from './api/v2/inbox.routes.ts';
import { inboxWatchRoutes } from './api/v2/inbox-watch.routes.ts';
import { GOTIFY_SCHEMAS, gotifyRoutes } from './gotify/gotify.routes.ts';
import { tenantRoutes } from './notification/v1/tenant.routes.ts';
import { collectReservedPaths, NTFY_SCHEMAS, ntfyRoutes } from './ntfy/ntfy.routes.ts';
import { installAuth } from './plugins/app/auth.plugin.ts';
import { frameworkErrors, installErrorHandling } from './plugins/app/error-handler.plugin.ts';
import { installMetrics } from './plugins/app/metrics.plugin.ts';
import { buildSerializer, installTextGuard, validatorCompiler } from './plugins/app/validation.plugin.ts';
import { installCookies } from './plugins/external/cookie.plugin.ts';
import { webRoutes } from './plugins/external/static.plugin.ts';
import { installOpenApi } from './plugins/external/swagger.plugin.ts';
import { InboxItemSchema } from './schemas/inbox.schema.ts';
import { ActionSchema, AttachmentSchema, MessageSchema } from './schemas/message.schema.ts';
import { metricsRoutes } from './system/metrics.routes.ts';
import { systemRoutes } from './system/system.routes.ts';

/**
 * On close, Fastify stops accepting and waits for in-flight requests, but keep-alive
 * connections would stay open until clients drop them. Once closing, every response asks the
 * client to close, and idle sockets are closed as soon as they go idle.
 */
/** ms in-flight requests get to finish on shutdown before every socket is closed. */
const CLOSE_GRACE_MS = 10_000;

function installGracefulClose(app: FastifyInstance): void {
  let closing = false;
  let sweeper: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    app.server.closeIdleConnections();
    sweeper = setInterval(() => app.server.closeIdleConnections(), 50);
    // A socket that never sends a request is not "idle" to Node; do not wait on it forever.
    setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS).unref();
  });
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  app.addHook('onClose', async () => clearInterval(sweeper));
}

/** The whole HTTP edge as one Fastify instance. Routes only translate; the core does the work. */
export async function buildApp(ctx: AppContext): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: ctx.log as unknown as FastifyBaseLogger,
    // Per-request log lines only at debug/trace: at info they would cost more than the request.
    logController: new LogController({
      disableRequestLogging: ctx.config.logLevel !== 'debug' && ctx.config.logLevel !== 'trace',
    }),
    bodyLimit: 1024 * 1024,
    trustProxy: ctx.config.trustProxy,
    return503OnClosing: true,
    // A factory rather than setValidatorCompiler: plugins that add schemas get a fresh
    // schema controller, and it must build the same validators.
    schemaController: {
      compilersFactory: {
        buildValidator: (() => validatorCompiler) as never,
        buildSerializer: buildSerializer as never,
      },
    },
    forceCloseConnections: 'idle',
    frameworkErrors,
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every route's first path segment is an ntfy topic name Herald keeps for itself.
  const reservedTopics = collectReservedPaths(app);
  // Before the auth hook, so a refused upgrade is known to be a WebSocket and gets closed.
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  installErrorHandling(app);
  installMetrics(app, ctx);
  installTextGuard(app);
  installGracefulClose(app);
  await installCookies(app);
  installAuth(app, ctx);
  await installOpenApi(app, ctx);
  // Shared schemas live on the root so every plugin's serializers can resolve them.
  for (const schema of [
    UserSchema,
    RoleSchema,
    TokenSchema,
    BucketSchema,
    MemberSchema,
    InviteSchema,
    MagicCodeSchema,
    ActionSchema,
    AttachmentSchema,
    MessageSchema,
    InboxItemSchema,
    ...channelConfigSchemas,
    ...GOTIFY_SCHEMAS,
    ...NTFY_SCHEMAS,
  ]) {
    app.addSchema(schema);
  }

  await app.register(systemRoutes(ctx));
  await app.register(webRoutes(ctx));
  await app.register(authRoutes(ctx), { prefix: '/api/v1/auth' });
  await app.register(usersRoutes(ctx), { prefix: '/api/v1/users' });
  await app.register(userAddressesRoutes(ctx), { prefix: '/api/v1/users' });
  await app.register(rolesRoutes(ctx), { prefix: '/api/v1/roles' });
  await app.register(accessTokensRoutes(ctx), { prefix: '/api/v1/access-tokens' });
  await app.register(bucketsRoutes(ctx), { prefix: '/api/v1/buckets' });
  await app.register(bucketChannelsRoutes(ctx), { prefix: '/api/v1/buckets' });
  await app.register(messagesRoutes(ctx), { prefix: '/api/v1/messages' });
  await app.register(attachmentsRoutes(ctx), { prefix: '/api/v1/attachments' });
  await app.register(inboxRoutes(ctx), { prefix: '/api/v2' });
  await app.register(inboxWatchRoutes(ctx), { prefix: '/api/v2' });
  await app.register(coderSessionRoutes(ctx), { prefix: '/api/v2' });
  await app.register(inboxStreamRoutes(ctx), { prefix: '/api/v1/inbox' });
  await app.register(inboxSnoozeRoutes(ctx), { prefix: '/api/v1/inbox' });
  await app.register(tenantRoutes(ctx), { prefix: '/notification/v1' });
  await app.register(rulesRoutes(ctx), { prefix: '/api/v1/notifications' });
  await app.register(eventsRoutes(ctx), { prefix: '/api/v1/events' });
  await app.register(templatesRoutes(ctx), { prefix: '/api/v1/templates' });
  await app.register(notificationsRoutes(ctx), { prefix: '/api/v1/notifications' });
  await app.register(pushSubscriptionsRoutes(ctx), { prefix: '/api/v1/push-subscriptions' });
  await app.register(gotifyRoutes(ctx));
  await app.register(metricsRoutes(ctx));
  await app.register(ntfyRoutes(ctx, reservedTopics));
  return app;
}
