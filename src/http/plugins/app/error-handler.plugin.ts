import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifyServerOptions,
} from 'fastify';
import { AppError, ERRORS, type ErrorCode, type FieldError } from '../../../domain/errors.ts';
import { FORMAT_DETAILS } from './validation.plugin.ts';

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
  if (issue.keyword === 'minProperties' && issue.params.limit === 1) return 'must set at least one field';
  if (issue.keyword === 'format' && typeof issue.params.format === 'string') {
    return FORMAT_DETAILS[issue.params.format] ?? issue.message ?? 'is invalid';
  }
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

export type ErrorBodyShape = { message: string; detail: string; validations: FieldError[]; code?: number };

/**
 * Every error response carries its catalogue code in this header, in every family: the bodies'
 * shapes are fixed by each family's contract (the tenant envelope's keys are exact), a header fits
 * them all.
 */
export const ERROR_CODE_HEADER = 'x-herald-error-code';

/** Fastify's and its plugins' own refusals (by their `code`), each mapped to a catalogue entry. */
const FRAMEWORK_ERRORS: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalidJson',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalidJson',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupportedMediaType',
  FST_ERR_CTP_BODY_TOO_LARGE: 'bodyTooLarge',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'badRequest',
  FST_ERR_BAD_URL: 'badUrl',
  FST_ERR_MAX_PARAM_LENGTH: 'uriTooLong',
  FST_ERR_NOT_FOUND: 'routeNotFound',
  // @fastify/multipart
  FST_REQ_FILE_TOO_LARGE: 'payloadTooLarge',
  FST_PARTS_LIMIT: 'tooManyParts',
  FST_FILES_LIMIT: 'tooManyParts',
  FST_FIELDS_LIMIT: 'tooManyParts',
  FST_INVALID_MULTIPART_CONTENT_TYPE: 'notMultipart',
};

/** Other 4xx refusals (e.g. from @fastify/static's `send`), by status; anything else is a 400. */
const BY_STATUS: Readonly<Record<number, ErrorCode>> = {
  401: 'unauthorized',
  403: 'forbidden',
  404: 'notFound',
  413: 'bodyTooLarge',
  414: 'uriTooLong',
  415: 'unsupportedMediaType',
  416: 'rangeNotSatisfiable',
};

function frameworkEntry(err: FastifyError): ErrorCode | undefined {
  const byCode = typeof err.code === 'string' ? FRAMEWORK_ERRORS[err.code] : undefined;
  if (byCode) return byCode;
  const status = err.statusCode ?? (err as { status?: number }).status;
  if (typeof status !== 'number' || status < 400 || status >= 500) return undefined;
  return BY_STATUS[status] ?? 'badRequest';
}

export interface ErrorResponse {
  status: number;
  /** The catalogue entry's number, also sent in {@link ERROR_CODE_HEADER}. */
  code: number;
  body: ErrorBodyShape;
  headers: Record<string, string>;
}

function response(
  entry: ErrorCode,
  body: ErrorBodyShape,
  headers: Record<string, string> = {},
): ErrorResponse {
  const { status, code } = ERRORS[entry];
  return {
    status,
    code,
    body: { ...body, code },
    headers: { ...headers, [ERROR_CODE_HEADER]: String(code) },
  };
}

/** Maps any thrown error to its catalogue entry and the one error body. Never leaks internals on 5xx. */
export function toErrorBody(err: unknown, request: FastifyRequest): ErrorResponse {
  if (err instanceof AppError) {
    return response(
      err.code,
      { message: err.message, detail: err.detail, validations: err.validations },
      err.headers,
    );
  }
  const fe = err as FastifyError & { validation?: AjvIssue[] };
  if (fe.validation) {
    const validations = validationsOf(fe.validation);
    return response('validation', {
      message: ERRORS.validation.message,
      detail: validations.map((v) => `${v.field}: ${v.detail}`).join('; '),
      validations,
    });
  }
  const entry = frameworkEntry(fe);
  if (entry) return response(entry, { message: ERRORS[entry].message, detail: fe.message, validations: [] });
  request.log.error({ err }, 'request failed');
  return response('internal', { message: ERRORS.internal.message, detail: '', validations: [] });
}

/** The refusal for a method and path no route has; families with their own 404 handler throw it. */
export function routeNotFound(request: FastifyRequest): AppError {
  const path = request.url.split('?')[0];
  return new AppError(
    'routeNotFound',
    `No route for ${request.method} ${path}; the routes are listed at /openapi.json.`,
  );
}

function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body, headers } = toErrorBody(err, request);
  void reply.code(status).headers(headers).send(body);
}

/**
 * For Fastify's `frameworkErrors` option: refusals raised before routing (a bad percent-escape, an
 * over-long path parameter) never reach an error handler, so they are answered here.
 */
export const frameworkErrors = sendError as unknown as NonNullable<FastifyServerOptions['frameworkErrors']>;

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(sendError);
  app.setNotFoundHandler((request, reply) => sendError(routeNotFound(request), request, reply));
}
