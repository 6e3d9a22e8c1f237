import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { invalid } from '../../domain/errors.ts';
import { BAD_UTF8_DETAIL, urlEscapesAreUtf8 } from '../../domain/text.ts';
import { bodyText, formText, MULTIPART_TEXT } from '../plugins/app/validation.plugin.ts';
import { INTEGER_FIELDS } from './gotify.schema.ts';

const isForm = (type: string | undefined): boolean =>
  /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type ?? '');

/**
 * Gotify binds JSON and form bodies alike (the documented `curl -F message=…` and the CLI send
 * forms). Form fields are merged into one object first, integer fields read as numbers, so the
 * route's one schema validates every form.
 */
export async function installGotifyForms(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'buffer' }, (_req, body, done) => {
    try {
      const text = bodyText(body as Buffer);
      if (!urlEscapesAreUtf8(text)) throw invalid('(body)', BAD_UTF8_DETAIL);
      done(null, Object.fromEntries(new URLSearchParams(text)));
    } catch (err) {
      done(err as Error, undefined);
    }
  });
  // Files are not read (application images are not stored); only text fields reach the body.
  await app.register(multipart, {
    ...MULTIPART_TEXT,
    attachFieldsToBody: 'keyValues',
    limits: { fields: 20, fieldSize: 256 * 1024, files: 1, fileSize: 1024 * 1024 },
    onFile: async (part) => {
      part.file.resume();
    },
  });
  app.addHook('preValidation', async (request) => {
    if (!isForm(request.headers['content-type'])) return;
    let body = request.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') return;
    if (/^multipart\//i.test(request.headers['content-type'] ?? '')) {
      body = Object.fromEntries(
        Object.entries(body).map(([k, v]) => {
          const name = formText('(body)', k, 'name');
          return [name, typeof v === 'string' ? formText(name, v, 'value') : v];
        }),
      );
      request.body = body;
    }
    for (const key of INTEGER_FIELDS) {
      const v = body[key];
      if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) body[key] = Number(v.trim());
    }
  });
}
