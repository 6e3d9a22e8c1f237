import { STATUS_CODES } from 'node:http';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { toErrorBody } from '../plugins/app/error-handler.plugin.ts';

export interface GotifyErrorBody {
  error: string;
  errorCode: number;
  errorDescription: string;
}

export const gotifyError = (status: number, description: string): GotifyErrorBody => ({
  error: STATUS_CODES[status] ?? 'Error',
  errorCode: status,
  errorDescription: description,
});

/**
 * Errors on Gotify routes in Gotify's shape `{error, errorCode, errorDescription}`. The status
 * and words come from the one mapping every family shares (toErrorBody); invalid fields read as
 * Gotify words them ("Field 'message' is required").
 */
export function installGotifyErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const { status, body, headers } = toErrorBody(err, request);
    const description =
      body.validations.length > 0
        ? body.validations.map((v) => `Field '${v.field}' ${v.detail}`).join('; ')
        : body.detail || body.message;
    void reply.code(status).headers(headers).send(gotifyError(status, description));
  });
}
