import cookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';

/** Parses the Cookie header into `request.cookies` and gives replies `setCookie`/`clearCookie`. */
export async function installCookies(app: FastifyInstance): Promise<void> {
  await app.register(cookie, { hook: 'onRequest' });
}
