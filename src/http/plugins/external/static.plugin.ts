import path from 'node:path';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { packageRoot } from '../../../config/package-root.ts';
import type { AppContext } from '../../../context.ts';

/** The browser UI's folder; it only talks to the public API, so serving it is static. */
const WEB_DIR = path.join(packageRoot(), 'web');

/**
 * The UI loads only its own scripts and styles and talks only to this origin; nothing else
 * (inline script, inline style, outside hosts) may run even if some server data slipped into
 * the markup.
 */
export const WEB_CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'";

/** The file types served; any other file under web/ is answered 404 like a missing one. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * `send` already refuses paths that climb out of the root, but with 403; any `..` segment or
 * backslash is answered 404 here instead, so a probe learns nothing about what lies outside.
 */
function allowedPath(pathname: string): boolean {
  if (pathname.includes('\\') || pathname.includes('\0')) return false;
  if (pathname.split('/').includes('..')) return false;
  return Object.hasOwn(CONTENT_TYPES, path.extname(pathname));
}

function setHeaders(res: SetHeadersResponse, file: string): void {
  const type = CONTENT_TYPES[path.extname(file)];
  res.setHeader('content-type', type);
  // Revalidate every time: the files are small, and an upgrade must show up at once.
  res.setHeader('cache-control', 'no-cache');
  res.setHeader('x-content-type-options', 'nosniff');
  if (type.startsWith('text/html')) {
    res.setHeader('content-security-policy', WEB_CSP);
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('referrer-policy', 'no-referrer');
  }
}

/** `GET /` (the UI's page) and `GET /web/*` (its scripts and styles), public, outside /api. */
export function webRoutes(_ctx: AppContext): FastifyPluginAsync {
  return async (app) => {
    await app.register(fastifyStatic, {
      root: WEB_DIR,
      prefix: '/web/',
      index: false,
      dotfiles: 'ignore',
      // Our own table decides the type (send's would call scripts application/javascript).
      contentType: false,
      cacheControl: false,
      allowedPath,
      setHeaders,
    });
    app.get('/', { schema: { hide: true } }, (_request, reply) => reply.sendFile('index.html'));
  };
}
