/**
 * The error catalogue. Every failure a client can see has a stable code, an HTTP status and a
 * message that says what to do. The HTTP edge maps AppError to the one error shape
 * `{message, detail, validations}`; anything else becomes an opaque 500.
 */

export interface FieldError {
  field: string;
  detail: string;
}

export const ERRORS = {
  validation: { status: 400, message: 'Validation failed.' },
  badRequest: { status: 400, message: 'The request is malformed.' },
  unauthorized: { status: 401, message: 'You must be authenticated to do this.' },
  forbidden: { status: 403, message: 'You are not allowed to do this.' },
  notFound: { status: 404, message: 'Not found.' },
  conflict: { status: 409, message: 'That conflicts with something that already exists.' },
  payloadTooLarge: { status: 413, message: 'The upload is too large.' },
  locked: { status: 423, message: 'The account is locked after repeated failed logins; try again later.' },
  internal: { status: 500, message: 'An internal error occurred.' },
  unavailable: { status: 503, message: 'The service is not ready.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export class AppError extends Error {
  override name = 'AppError';
  readonly status: number;
  constructor(
    readonly code: ErrorCode,
    readonly detail = '',
    readonly validations: FieldError[] = [],
    message?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message ?? ERRORS[code].message);
    this.status = ERRORS[code].status;
  }
}

export const invalid = (field: string, detail: string): AppError =>
  new AppError('validation', `${field}: ${detail}`, [{ field, detail }]);

export const invalidMany = (validations: FieldError[]): AppError =>
  new AppError('validation', validations.map((v) => `${v.field}: ${v.detail}`).join('; '), validations);

export const notFound = (what: string): AppError => new AppError('notFound', `${what} was not found.`);

export const forbidden = (detail: string): AppError => new AppError('forbidden', detail);

export const unauthorized = (detail: string): AppError => new AppError('unauthorized', detail);

export const conflict = (detail: string, field?: string): AppError =>
  new AppError('conflict', detail, field ? [{ field, detail }] : []);
