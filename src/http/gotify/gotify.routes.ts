import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.ts';
import { gotifyApplicationRoutes } from './application.routes.ts';
import { gotifyClientRoutes } from './client.routes.ts';
import {
  GotifyApplicationSchema,
  GotifyClientSchema,
  GotifyErrorSchema,
  GotifyMessageSchema,
  GotifyPagedMessagesSchema,
} from './gotify.schema.ts';
import { installGotifyAuth } from './gotify-auth.ts';
import { installGotifyErrors } from './gotify-errors.ts';
import { installGotifyForms } from './gotify-form.ts';
import { gotifyInfoRoutes } from './info.routes.ts';
import { gotifyMessageRoutes } from './message.routes.ts';
import { gotifyStreamRoutes } from './stream.routes.ts';

/** Schemas the Gotify routes reference; added on the root so the OpenAPI document has them. */
export const GOTIFY_SCHEMAS = [
  GotifyErrorSchema,
  GotifyMessageSchema,
  GotifyPagedMessagesSchema,
  GotifyApplicationSchema,
  GotifyClientSchema,
];

/**
 * The Gotify family at the root (`/message`, `/application`, `/client`, `/stream`,
 * `/current/user`, `/version`, `/health`), as Gotify's apps, CLI and Apprise speak it. Its own
 * credentials, body forms and error shape hold inside this plugin only.
 */
export function gotifyRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    installGotifyErrors(app);
    installGotifyAuth(app, ctx);
    await installGotifyForms(app);
    await app.register(gotifyInfoRoutes(ctx));
    await app.register(gotifyMessageRoutes(ctx));
    await app.register(gotifyApplicationRoutes(ctx));
    await app.register(gotifyClientRoutes(ctx));
    await app.register(gotifyStreamRoutes(ctx));
  };
}
