import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { invalid } from '../../../domain/errors.ts';
import {
  BAD_UTF8_DETAIL,
  bytesAsUtf8,
  decodeUtf8,
  jsonTooDeep,
  TOO_DEEP_DETAIL,
  textIssue,
  urlEscapesAreUtf8,
} from '../../../domain/text.ts';

/**
 * Two validators: query strings, params and headers arrive as text, so they are coerced to
 * the declared types; JSON bodies are not, so `{"title": 5}` is an error naming `title`
 * rather than silently becoming "5".
 */
const base: Options = { allErrors: true, useDefaults: true, removeAdditional: false, strict: false };

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';

/** Formats of Herald's own, with the sentence a refusal gives (see the error handler). */
export const FORMAT_DETAILS: Record<string, string> = {
  // A uuid, refused in coderd's words (the inbox family, for Coder's clients).
  'coder-uuid': 'Invalid UUID',
  // Comma-separated ids as Coder's clients send them; empty (no filter) and blanks are allowed.
  'uuid-list': 'must be a comma-separated list of uuids',
};
const UUID_LIST = new RegExp(`^\\s*(${UUID}\\s*(,\\s*${UUID}\\s*)*)?,?\\s*$`);

function make(coerce: boolean): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes: coerce ? 'array' : false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  ajv.addFormat('uuid-list', UUID_LIST);
  ajv.addFormat('coder-uuid', new RegExp(`^${UUID}$`));
  return ajv;
}

const bodyAjv = make(false);
const textAjv = make(true);

type Validate = ((data: unknown) => boolean) & { errors?: unknown };

/**
 * Compiles a route's validator on its first request rather than at start-up: a server with a
 * few hundred routes would otherwise spend most of its start compiling validators for routes
 * that may never be called. Ajv caches by schema, so shared schemas compile once.
 */
export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  let compiled: Validate | undefined;
  const validate: Validate = (data) => {
    compiled ??= ajv.compile(schema as object) as Validate;
    const ok = compiled(data);
    validate.errors = compiled.errors;
    return ok;
  };
  return validate as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** Named in a refusal of a header: `header "x-gotify-key"`. */
const headerField = (name: string) => `header "${name}"`;

/**
 * The request half of the one text guard (domain/text.ts): the URL's escapes and every header must
 * be valid UTF-8 before anything reads them, JSON bodies are checked for depth and UTF-8 before
 * they are parsed, and every parsed part (params, query, body) is walked for NUL, unpaired
 * surrogates and over-deep nesting before validation. Routes that read their body another way
 * (multipart, forms) pass their text through {@link formText}.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (!urlEscapesAreUtf8(request.raw.url ?? '')) {
      const [path] = (request.raw.url ?? '').split('?');
      throw invalid(urlEscapesAreUtf8(path ?? '') ? '(query)' : '(path)', BAD_UTF8_DETAIL);
    }
    const raw = request.raw.rawHeaders;
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const value = raw[i + 1] as string;
      if (bytesAsUtf8(value) === undefined)
        throw invalid(headerField((raw[i] as string).toLowerCase()), BAD_UTF8_DETAIL);
    }
  });
  app.removeContentTypeParser(['application/json', 'text/plain']);
  const defaultJson = app.getDefaultJsonParser('error', 'error');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === undefined) return done(invalid('(body)', BAD_UTF8_DETAIL), undefined);
    const deep = jsonTooDeep(text);
    if (deep !== undefined) return done(invalid(deep, TOO_DEEP_DETAIL), undefined);
    defaultJson(request, text, done);
  });
  app.addContentTypeParser('text/plain', { parseAs: 'buffer' }, (_request, body, done) => {
    const text = decodeUtf8(body as Buffer);
    if (text === undefined) return done(invalid('(body)', BAD_UTF8_DETAIL), undefined);
    done(null, text);
  });
  app.addHook('preValidation', async (request) => {
    const issue =
      textIssue(request.params, '') ??
      textIssue(request.query, '') ??
      (Buffer.isBuffer(request.body) ? undefined : textIssue(request.body, ''));
    if (issue) throw invalid(issue.field, issue.detail);
  });
}

/**
 * Multipart options every form route uses: values are read one char per byte so
 * {@link formText} can check them as UTF-8 itself (busboy would replace broken bytes with U+FFFD).
 */
export const MULTIPART_TEXT = { defCharset: 'latin1' } as const;

/**
 * One multipart field or file name, or a field value read under {@link MULTIPART_TEXT}, as checked
 * UTF-8 text; throws a validation error naming `field` otherwise. Names are decoded by busboy
 * itself, so a replacement character in one can only come from broken bytes.
 */
export function formText(field: string, text: string, kind: 'value' | 'name'): string {
  const decoded = kind === 'value' ? bytesAsUtf8(text) : text.includes('\uFFFD') ? undefined : text;
  if (decoded === undefined) throw invalid(field, BAD_UTF8_DETAIL);
  const issue = textIssue(decoded, field);
  if (issue) throw invalid(issue.field, issue.detail);
  return decoded;
}

/** A body read as bytes (forms, transform payloads) as checked UTF-8 text. */
export function bodyText(body: Buffer): string {
  const text = decodeUtf8(body);
  if (text === undefined) throw invalid('(body)', BAD_UTF8_DETAIL);
  return text;
}

const buildEagerSerializer = SerializerSelector();

/**
 * Fastify's own response serializers (fast-json-stringify), each compiled on its route's first
 * answer rather than at start-up, for the same reason as the validators. The shared schemas the
 * root registers are passed through as before.
 */
export const buildSerializer: SerializerSelector.SerializerFactory = (externalSchemas, options) => {
  const compile = buildEagerSerializer(externalSchemas, options);
  return (route) => {
    let serialize: SerializerSelector.Serializer | undefined;
    return (doc) => {
      serialize ??= compile(route);
      return serialize(doc);
    };
  };
};
