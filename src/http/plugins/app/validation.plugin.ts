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

function make(coerce: boolean): Ajv {
  const ajv = new Ajv({ ...base, coerceTypes: coerce ? 'array' : false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  return ajv;
}

const bodyAjv = make(false);
const textAjv = make(true);

export const validatorCompiler: FastifySchemaCompiler<unknown> = ({ schema, httpPart }) => {
  const ajv = httpPart === 'body' ? bodyAjv : textAjv;
  return ajv.compile(schema as object) as ReturnType<FastifySchemaCompiler<unknown>>;
};

/** Refuses text with NUL or broken surrogates in any parsed part of a request, naming the field. */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    const bad =
      badTextField(request.params, '') ?? badTextField(request.query, '') ?? badTextField(request.body, '');
    if (bad) throw invalid(bad, 'must not contain NUL characters or unpaired surrogates');
  });
}
