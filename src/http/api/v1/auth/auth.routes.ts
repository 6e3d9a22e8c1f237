import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../../../context.ts';
import { invalid } from '../../../../domain/errors.ts';
import {
  issueSessionCookie,
  login,
  logout,
  refresh,
  refreshWithCookie,
  sessionOfPair,
} from '../../../../services/auth.service.ts';
import { getUserView, hasGeneratedPassword } from '../../../../services/user.service.ts';
import { principalOf } from '../../../plugins/app/auth.plugin.ts';
import {
  assertSameOrigin,
  clearSessionCookies,
  SESSION_COOKIE,
  sessionCookieOf,
  setSessionCookie,
} from '../../../plugins/app/session-cookie.ts';
import { errorResponses, Nullable } from '../../../schemas/common.schema.ts';
import { UserSchema } from '../users/users.routes.ts';

const TokenPairSchema = Type.Object({
  accessToken: Type.String(),
  refreshToken: Type.String(),
  user: Type.Object({ id: Type.String(), email: Nullable(Type.String()), username: Nullable(Type.String()) }),
});

export function authRoutes(ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post(
      '/login',
      {
        config: { access: { public: true } },
        schema: {
          tags: ['Auth'],
          summary: 'Log in with email or username and password',
          body: Type.Object({
            email: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
            username: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
            password: Type.String({ minLength: 1, maxLength: 1024 }),
            cookie: Type.Optional(
              Type.Boolean({
                description: `Also set the browser session cookie (${SESSION_COOKIE}: HttpOnly, SameSite=Lax, Secure over https)`,
              }),
            ),
          }),
          response: { 200: TokenPairSchema, ...errorResponses(400, 401, 403, 423) },
        },
      },
      async (request, reply) => {
        const identifier = request.body.email ?? request.body.username;
        if (!identifier) throw invalid('email', 'an email or a username is required');
        // A cookie login from another site would log the browser into the attacker's account.
        if (request.body.cookie) assertSameOrigin(ctx, request);
        const pair = await login(ctx, {
          identifier,
          password: request.body.password,
          ipAddress: request.ip,
          userAgent: request.headers['user-agent'] ?? '',
        });
        if (request.body.cookie) {
          setSessionCookie(
            ctx,
            reply,
            await issueSessionCookie(ctx, pair.user.id, await sessionOfPair(ctx, pair)),
          );
        }
        return pair;
      },
    );

    app.post(
      '/refresh',
      {
        config: { access: { public: true } },
        schema: {
          tags: ['Auth'],
          summary: 'Rotate the token pair; the presented refresh token stops working',
          description:
            'Without refreshToken, the browser session cookie is used instead: the answer is a new pair in the same session, and the cookie is renewed.',
          body: Type.Object({ refreshToken: Type.Optional(Type.String({ minLength: 1, maxLength: 1024 })) }),
          response: { 200: TokenPairSchema, ...errorResponses(400, 401, 403) },
        },
      },
      async (request, reply) => {
        if (request.body.refreshToken) return refresh(ctx, request.body.refreshToken);
        const cookie = sessionCookieOf(request);
        if (!cookie) throw invalid('refreshToken', 'is required unless the session cookie is sent');
        assertSameOrigin(ctx, request);
        const { sessionCookie, ...pair } = await refreshWithCookie(ctx, cookie);
        setSessionCookie(ctx, reply, sessionCookie);
        return pair;
      },
    );

    app.post(
      '/logout',
      {
        config: { access: { scope: 'account' } },
        schema: {
          tags: ['Auth'],
          summary:
            'End the session (of the JWT or cookie, or of the given refresh token); clears the session cookie',
          response: { 204: Type.Null(), ...errorResponses(401, 403) },
        },
      },
      async (request, reply) => {
        const p = principalOf(request);
        // The body is optional, so it carries no schema; read the one field defensively.
        const body = request.body as { refreshToken?: unknown } | undefined;
        const refreshToken = typeof body?.refreshToken === 'string' ? body.refreshToken : undefined;
        await logout(ctx, p.sessionId, refreshToken);
        clearSessionCookies(ctx, reply);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/me',
      {
        config: { access: { scope: 'account' } },
        schema: {
          tags: ['Auth'],
          summary: 'The calling user',
          response: {
            200: Type.Object({
              ...UserSchema.properties,
              credentialsGenerated: Type.Boolean({
                description:
                  'True while the account still logs in with the credentials generated at first start; the web app then asks for new ones',
              }),
            }),
            ...errorResponses(401),
          },
        },
      },
      async (request) => {
        const { userId } = principalOf(request);
        const user = await getUserView(ctx, userId);
        return { ...user, credentialsGenerated: await hasGeneratedPassword(ctx, userId) };
      },
    );
  };
}
