import type { FastifyInstance, FastifyReply } from 'fastify';
import { toErrorBody } from '../plugins/app/error-handler.plugin.ts';

/** ntfy's error JSON: `{code, http, error, link}`; `code` is the catalogue's ntfy-style number. */
export interface NtfyErrorBody {
  code: number;
  http: number;
  error: string;
  link: string;
}

/**
 * Errors on ntfy routes in ntfy's shape. Status, code and words come from the one mapping every
 * family shares (toErrorBody); `error` names the refused field when there is one.
 */
export function installNtfyErrors(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const { status, code, body, headers } = toErrorBody(err, request);
    const error =
      body.validations.length > 0
        ? body.validations.map((v) => `${v.field}: ${v.detail}`).join('; ')
        : body.detail || body.message;
    const answer: NtfyErrorBody = { code, http: status, error, link: `docs/errors.md#${code}` };
    void reply.code(status).headers(headers).send(answer);
  });
}
