/**
 * The error catalogue. Every failure a client can see has an entry: a stable numeric code (the
 * HTTP status times 100 plus a number, as ntfy numbers its errors), the HTTP status, the message
 * sent (it says what to do), and an anchor in docs/errors.md, which `npm run docs:errors` writes
 * from this table. Codes are never reused or renumbered; a retired entry keeps its code.
 *
 * The HTTP edge (http/plugins/app/error-handler.plugin.ts) is the one place that turns errors into
 * responses: AppError by its entry, Fastify's own refusals by theirs, anything else an opaque 500.
 */

export interface FieldError {
  field: string;
  detail: string;
}

export interface ErrorEntry {
  readonly code: number;
  readonly status: number;
  /** Sent as the body's `message` (or the envelope's, in the tenant family). */
  readonly message: string;
  /** For docs/errors.md: when it happens and what to do about it. */
  readonly help: string;
}

export const ERRORS = {
  validation: {
    code: 40001,
    status: 400,
    message: 'Validation failed; correct the fields listed and send again.',
    help: 'One or more fields are missing or wrong. `validations` names each field and says what it must be; `detail` repeats them in one line. Correct those fields and send again; nothing was changed.',
  },
  badRequest: {
    code: 40002,
    status: 400,
    message: 'The request is malformed; check it against /openapi.json.',
    help: 'The request could not be read as this route expects (for example a broken multipart form or a wrong Content-Length). `detail` says what was wrong; check the request against `/openapi.json`.',
  },
  invalidJson: {
    code: 40003,
    status: 400,
    message: 'The body is not valid JSON; send a complete JSON document.',
    help: 'The Content-Type says `application/json` but the body is empty or does not parse. Send a complete JSON document, or the Content-Type that matches the body.',
  },
  badUrl: {
    code: 40004,
    status: 400,
    message: 'The URL is malformed; percent-encode each path segment.',
    help: 'A path segment holds an invalid percent-escape. Percent-encode ids and names in the path (`encodeURIComponent`).',
  },
  unauthorized: {
    code: 40101,
    status: 401,
    message: 'You must be authenticated to do this; log in or send a valid access token.',
    help: 'No credential was sent, or it is wrong, expired or revoked. Log in again (`POST /api/v1/auth/login`, or refresh the session) or send a valid access token as `Authorization: Bearer …`.',
  },
  forbidden: {
    code: 40301,
    status: 403,
    message: 'You are not allowed to do this; ask an admin for the permission or scope it needs.',
    help: 'You are authenticated, but your roles or your token’s scopes do not allow this call. `detail` names the missing scope or permission; ask an admin for it or use a token that has it.',
  },
  crossSite: {
    code: 40302,
    status: 403,
    message:
      'Refused: this request came from another site; send it from Herald’s own page or with an Authorization header.',
    help: 'A request that changes something (or opens a WebSocket) was authenticated only by the browser session cookie, and its `Origin` (or, without one, its `Referer`) is not this server’s (`HERALD_BASE_URL`, or the host it was addressed to). Browsers send the cookie with requests another site makes, so such requests are refused to stop cross-site request forgery. Herald’s own page and Coder’s dashboard served from the same origin pass; scripts and other programs should send `Authorization: Bearer …` (or `Coder-Session-Token`) instead of the cookie. Nothing was changed.',
  },
  notFound: {
    code: 40401,
    status: 404,
    message: 'Not found; check the id or name.',
    help: 'The thing named in the path or body does not exist, or is not visible to you (Herald answers 404 rather than 403 for other users’ items). `detail` says what was looked for; check the id.',
  },
  routeNotFound: {
    code: 40402,
    status: 404,
    // Kept short: `detail` names the method and path, and points at the route list.
    message: 'Not found.',
    help: 'No route has this method and path. `detail` repeats both; the routes are listed in `/openapi.json` and browsable at `/scalar/`.',
  },
  notMultipart: {
    code: 40601,
    status: 406,
    message: 'Send this form as multipart/form-data.',
    help: 'Send the form as `multipart/form-data`, or use the JSON variant of the route.',
  },
  conflict: {
    code: 40901,
    status: 409,
    message: 'That conflicts with something that already exists; choose another value.',
    help: 'A name, email or key must be unique and is already taken, or the item is in a state that does not allow this. `detail` (and `validations` where a field is at fault) says which; pick another value or change the existing item.',
  },
  payloadTooLarge: {
    code: 41301,
    status: 413,
    message: 'The upload is too large; send a smaller file.',
    help: 'An attachment is larger than the server allows (`HERALD_MAX_UPLOAD_BYTES`, 25 MiB by default). `detail` gives the limit; send a smaller file or ask the operator to raise it. Nothing of the request was kept.',
  },
  bodyTooLarge: {
    code: 41302,
    status: 413,
    message: 'The request body is too large; send files as attachments.',
    help: 'JSON and form bodies may be at most 1 MiB. Send files as multipart attachments instead of inlining them.',
  },
  tooManyParts: {
    code: 41303,
    status: 413,
    message: 'The form has too many parts; send fewer files at once.',
    help: 'A multipart form carries more files or fields than the route accepts. Send fewer attachments per message.',
  },
  uriTooLong: {
    code: 41401,
    status: 414,
    message: 'A path segment is too long; check the id in the URL.',
    help: 'An id or name in the path is longer than any valid one. Check what was put in the URL.',
  },
  unsupportedMediaType: {
    code: 41501,
    status: 415,
    message: 'Unsupported content type; send application/json or another type the route documents.',
    help: 'The route does not read bodies of this Content-Type. Send `application/json`, or `multipart/form-data` where the route documents it.',
  },
  rangeNotSatisfiable: {
    code: 41601,
    status: 416,
    message: 'The requested range is not satisfiable; ask for a range inside the file.',
    help: 'A `Range` header asked for bytes beyond the end of a file. Ask for the whole file, or a range inside it.',
  },
  locked: {
    code: 42301,
    status: 423,
    message: 'The account is locked after repeated failed logins; try again later.',
    help: 'Too many wrong passwords in a row. `detail` and the `Retry-After` header say when logins are accepted again; an admin can also unlock the account.',
  },
  rateLimited: {
    code: 42901,
    status: 429,
    message: 'Too many requests; wait the seconds Retry-After gives, then send again.',
    help: 'Sends by a bucket magic code are limited per code, and failed magic-code lookups per client address (`HERALD_MAGIC_CODE_RATE_LIMIT` a minute each, 100 by default). The `Retry-After` header says how many seconds until the minute ends; nothing was stored. Send less often, give each device its own member and code, or send with an access token, which this limit does not count.',
  },
  internal: {
    code: 50001,
    status: 500,
    // Nothing more, on purpose: what failed stays in the server log.
    message: 'An internal error occurred.',
    help: 'Something failed inside the server; the body says nothing more on purpose. Retry later; the operator finds the cause in the server log, logged with the request.',
  },
  notImplemented: {
    code: 50101,
    status: 501,
    message: 'Herald does not offer this part of the API; see the family’s page in docs/.',
    help: 'The call exists in the API Herald speaks (for example Gotify’s application image upload) but Herald does not implement it. `detail` says what to use instead; the family’s page in `docs/` lists what is left out.',
  },
  deliveryFailed: {
    code: 50201,
    status: 502,
    message: 'The receiver refused or did not answer the delivery; see detail, fix it, then retry.',
    help: 'A send the request waited for (a retry from the delivery log) failed at the receiver: `detail` quotes its answer or what went wrong (refused, timed out, channel disabled). The attempt is in the log as its own entry; correct the channel or the receiver, then retry again.',
  },
  unavailable: {
    code: 50301,
    status: 503,
    message: 'The service is not ready; retry in a few seconds.',
    help: 'The server is starting, shutting down or cannot reach its database. Retry after a few seconds.',
  },
} as const satisfies Record<string, ErrorEntry>;

export type ErrorCode = keyof typeof ERRORS;

/** Where an entry is explained: its anchor in docs/errors.md. */
export const errorDocsAnchor = (entry: ErrorEntry): string => `docs/errors.md#${entry.code}`;

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

  /** The catalogue entry's number, e.g. 40401. */
  get numericCode(): number {
    return ERRORS[this.code].code;
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
