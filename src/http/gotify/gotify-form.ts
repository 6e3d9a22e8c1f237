import multipart from '@fastify/multipart';
import type { FastifyInstance } from 'fastify';
import { INTEGER_FIELDS } from './gotify.schema.ts';

const isForm = (type: string | undefined): boolean =>
  /^(application\/x-www-form-urlencoded|multipart\/form-data)\b/i.test(type ?? '');

/**
 * Gotify binds JSON and form bodies alike (the documented `curl -F message=…` and the CLI send
 * forms). Form fields are merged into one object first, integer fields read as numbers, so the
 * route's one schema validates every form.
 */
export async function installGotifyForms(app: FastifyInstance): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  // Files are not read (application images are not stored); only text fields reach the body.
  await app.register(multipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fields: 20, fieldSize: 256 * 1024, files: 1, fileSize: 1024 * 1024 },
    onFile: async (part) => {
      part.file.resume();
    },
  });
  app.addHook('preValidation', async (request) => {
    if (!isForm(request.headers['content-type'])) return;
    const body = request.body as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') return;
    for (const key of INTEGER_FIELDS) {
      const v = body[key];
      if (typeof v === 'string' && /^-?\d{1,15}$/.test(v.trim())) body[key] = Number(v.trim());
    }
  });
}
