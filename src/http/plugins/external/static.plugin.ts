import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import fastifyStatic, { type SetHeadersResponse } from '@fastify/static';
import type { FastifyPluginAsync } from 'fastify';
import { Type } from 'typebox';
import { packageRoot } from '../../../config/package-root.ts';
import type { AppContext } from '../../../context.ts';

/** The browser UI's folder; it only talks to the public API, so serving it is static. */
const WEB_DIR = path.join(packageRoot(), 'web');

/**
 * The web app's component library, served from node_modules as the ES modules the packages
 * ship (no build step; see docs/web-app.md). The hooks module imports the bare name `preact`,
 * which a browser cannot resolve without an import map (an inline script the CSP forbids), so
 * that one specifier is rewritten to the served path.
 */
const VENDOR_FILES: Readonly<Record<string, string>> = {
  'preact.mjs': 'preact/dist/preact.mjs',
  'hooks.mjs': 'preact/hooks/dist/hooks.mjs',
  'htm.mjs': 'htm/dist/htm.mjs',
};

function loadVendor(): Map<string, string> {
  const require = createRequire(import.meta.url);
  const files = new Map<string, string>();
  for (const [name, spec] of Object.entries(VENDOR_FILES)) {
    const pkg = spec.slice(0, spec.indexOf('/'));
    // The package root from its main entry (htm exports no `./package.json`).
    const entry = require.resolve(pkg);
    const marker = `${path.sep}node_modules${path.sep}${pkg}${path.sep}`;
    const root = entry.slice(0, entry.lastIndexOf(marker) + marker.length);
    const text = readFileSync(path.join(root, spec.slice(pkg.length + 1)), 'utf8');
    files.set(name, text.replace(/from\s*["']preact["']/g, 'from"/web/vendor/preact.mjs"'));
  }
  return files;
}

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
    // The web app: one page, hash-routed (`/admin#/buckets`), so this one path serves it all.
    app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.sendFile('admin/index.html'));
    const vendor = loadVendor();
    app.get<{ Params: { file: string } }>(
      '/web/vendor/:file',
      { schema: { hide: true, params: Type.Object({ file: Type.String({ maxLength: 64 }) }) } },
      (request, reply) => {
        const text = vendor.get(request.params.file);
        if (text === undefined) return reply.callNotFound();
        return reply
          .header('content-type', CONTENT_TYPES['.js'])
          .header('cache-control', 'no-cache')
          .header('x-content-type-options', 'nosniff')
          .send(text);
      },
    );
  };
}
