import SerializerSelector from '@fastify/fast-json-stringify-compiler';
import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifySchemaCompiler } from 'fastify';
import { invalid } from '../../../domain/errors.ts';
import { badTextField } from '../../../domain/text.ts';

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

/** Refuses text with NUL or broken surrogates in any parsed part of a request, naming the field. */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const bad =
      badTextField(request.params, '') ?? badTextField(request.query, '') ?? badTextField(request.body, '');
    if (bad) throw invalid(bad, 'must not contain NUL characters or unpaired surrogates');
  });
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
