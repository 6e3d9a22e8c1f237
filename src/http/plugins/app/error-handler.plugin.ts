import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERRORS, type FieldError } from '../../../domain/errors.ts';

interface AjvIssue {
  instancePath: string;
  message?: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** `/actions/0/type` → `actions[0].type`; a missing property is named itself. */
export function fieldOf(issue: AjvIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean);
  if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
    parts.push(issue.params.missingProperty);
  }
  if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
    parts.push(issue.params.additionalProperty);
  }
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
}

function detailOf(issue: AjvIssue): string {
  if (issue.keyword === 'required') return 'is required';
  if (issue.keyword === 'enum' && Array.isArray(issue.params.allowedValues)) {
    return `must be one of ${issue.params.allowedValues.join(', ')}`;
  }
  if (issue.keyword === 'additionalProperties') return 'is not a known field';
  return issue.message ?? 'is invalid';
}

/** Collapses anyOf noise: keep the first issue per field. */
export function validationsOf(issues: AjvIssue[]): FieldError[] {
  const out = new Map<string, string>();
  for (const i of issues) {
    if (i.keyword === 'anyOf' || i.keyword === 'oneOf') continue;
    const field = fieldOf(i) || '(body)';
    if (!out.has(field)) out.set(field, detailOf(i));
  }
  return [...out].map(([field, detail]) => ({ field, detail }));
}

export type ErrorBodyShape = { message: string; detail: string; validations: FieldError[] };

/** Maps any thrown error to a status and the one error body. Never leaks internals on 5xx. */
export function toErrorBody(
  err: unknown,
  request: FastifyRequest,
): { status: number; body: ErrorBodyShape; headers: Record<string, string> } {
  if (err instanceof AppError) {
    return {
      status: err.status,
      body: { message: err.message, detail: err.detail, validations: err.validations },
      headers: err.headers,
    };
  }
  const fe = err as FastifyError & { validation?: AjvIssue[] };
  if (fe.validation) {
    const validations = validationsOf(fe.validation);
    return {
      status: 400,
      body: {
        message: ERRORS.validation.message,
        detail: validations.map((v) => `${v.field}: ${v.detail}`).join('; '),
        validations,
      },
      headers: {},
    };
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    const message =
      status === 413
        ? ERRORS.payloadTooLarge.message
        : status === 415
          ? 'Unsupported content type.'
          : ERRORS.badRequest.message;
    return { status, body: { message, detail: fe.message, validations: [] }, headers: {} };
  }
  request.log.error({ err }, 'request failed');
  return {
    status: 500,
    body: { message: ERRORS.internal.message, detail: '', validations: [] },
    headers: {},
  };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const { status, body, headers } = toErrorBody(err, request);
    void reply.code(status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({
      message: ERRORS.notFound.message,
      detail: `No route for ${request.method} ${request.url.split('?')[0]}.`,
      validations: [],
    });
  });
}
