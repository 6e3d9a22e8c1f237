import type { FastifySchemaCompiler } from 'fastify';
import { AppError, type FieldError, invalidMany } from '../../domain/errors.ts';
import { validatorCompiler } from '../plugins/app/validation.plugin.ts';

/** A check that returns the checked (normalised) value or names every bad field. */
export type InputCheck = (
  input: unknown,
) => { ok: true; value: unknown } | { ok: false; errors: FieldError[] };

/**
 * A route's validator compiler for inputs whose schema needs more than a JSON Schema check:
 * the named part (body or query string) goes through `check`, which runs the same TypeBox
 * schema the route declares (so `/openapi.json` shows what is enforced) plus the rules a schema
 * cannot express, and reports schema and rule problems together. The checked value replaces the
 * raw one. Other parts (params, headers) use the app's validator.
 */
export function checkedBy(parts: {
  body?: InputCheck;
  querystring?: InputCheck;
}): FastifySchemaCompiler<unknown> {
  return (route) => {
    const check =
      route.httpPart === 'body' || route.httpPart === 'querystring' ? parts[route.httpPart] : undefined;
    if (!check) return validatorCompiler(route);
    return (data) => {
      try {
        const result = check(data);
        return result.ok ? { value: result.value } : { error: invalidMany(result.errors) };
      } catch (err) {
        // A validator that throws becomes a 500; a refusal must stay the 400 it is.
        if (err instanceof AppError) return { error: err };
        throw err;
      }
    };
  };
}

/** Adapts a reader that throws an AppError on bad input. */
export const fromReader =
  (read: (input: unknown) => unknown): InputCheck =>
  (input) => ({ ok: true, value: read(input) });
