import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../../context.ts';
import { notFound } from '../../../domain/errors.ts';

/** The browser UI's folder; it only talks to the public API, so serving it is static. */
const WEB_DIR = fileURLToPath(new URL('../../../../web/', import.meta.url));

/**
 * The UI loads only its own scripts and styles and talks only to this origin; nothing else
 * (inline script, inline style, outside hosts) may run even if some server data slipped into
 * the markup.
 */
export const WEB_CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; style-src 'self'";

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
 * Maps a path below `/web/` to a file inside WEB_DIR, or undefined when it would leave the
 * folder, names a dotfile, or has a type we do not serve.
 */
export function webFileOf(relative: string): string | undefined {
  if (relative.includes('\0')) return undefined;
  const file = path.resolve(WEB_DIR, relative || 'index.html');
  if (!file.startsWith(WEB_DIR)) return undefined;
  const inside = file.slice(WEB_DIR.length).split(path.sep);
  if (inside.some((segment) => segment.startsWith('.'))) return undefined;
  if (!(path.extname(file) in CONTENT_TYPES)) return undefined;
  return file;
}

async function sendFile(reply: FastifyReply, file: string | undefined): Promise<FastifyReply> {
  if (!file) throw notFound('File');
  let body: Buffer;
  try {
    // Read per request: the files are small, and edits show up without a restart.
    body = await readFile(file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') throw notFound('File');
    throw err;
  }
  const type = CONTENT_TYPES[path.extname(file)];
  reply
    .header('content-type', type)
    .header('cache-control', 'no-cache')
    .header('x-content-type-options', 'nosniff');
  if (type.startsWith('text/html')) {
    reply
      .header('content-security-policy', WEB_CSP)
      .header('x-frame-options', 'DENY')
      .header('referrer-policy', 'no-referrer');
  }
  return reply.send(body);
}

/** `GET /` (the UI's page) and `GET /web/*` (its scripts and styles), public, outside /api. */
export function webRoutes(_ctx: AppContext): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (_request, reply) =>
      sendFile(reply, webFileOf('index.html')),
    );
    app.get(
      '/web/*',
      { schema: { hide: true, params: Type.Object({ '*': Type.String() }) } },
      async (request, reply) => sendFile(reply, webFileOf(request.params['*'])),
    );
  };
}
