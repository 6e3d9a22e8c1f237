import { type Static, type TObject, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import type { FieldError } from '../domain/errors.ts';
import { compileCheck } from '../domain/schema-check.ts';
import type { ConfigResult } from './channel.ts';

/**
 * Channel configs are checked against each channel's TypeBox `configSchema`. They arrive from
 * the settings page as well as from scripts, so before the check the input is read the way a
 * form means it: `""` and null are absent (an untouched input), text is trimmed (except
 * secrets kept verbatim) and converted to the declared type (`"587"` → 587). JSON values that
 * are already typed are checked as sent.
 */

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An absolute http(s) URL, as `new URL` reads it. */
export const HttpUrl = (options: { description?: string } = {}) =>
  Type.String({
    format: 'url',
    pattern: '^[Hh][Tt][Tt][Pp][Ss]?://',
    maxLength: 2048,
    'x-detail': {
      pattern: 'must be an http or https URL',
      format: 'must be an absolute URL such as https://example.com/hook',
    },
    ...options,
  });

export interface ConfigRules<T extends TSchema, C> {
  /** Keys whose text is kept exactly as sent (passwords and signing secrets may end in spaces). */
  verbatim?: readonly string[];
  /**
   * What a schema cannot say (fields that depend on each other, key material that must parse).
   * Runs on the converted input even when the schema refused part of it, so every problem is
   * reported at once; it must therefore expect any shape.
   */
  crossChecks?: (config: Record<string, unknown>) => FieldError[];
  /** Last normalisation of a valid config (strip a trailing slash, drop an empty map). */
  finish?: (config: Static<T>) => C;
}

/** Builds a channel's `validateConfig` from its schema. */
export function configChecker<T extends TObject, C = Static<T>>(
  schema: T,
  rules: ConfigRules<T, C> = {},
): (input: unknown) => ConfigResult<C> {
  const check = compileCheck(schema);
  return (input) => {
    if (!isPlainObject(input)) {
      return { ok: false, errors: [{ field: 'config', detail: 'must be a JSON object' }] };
    }
    const config = asForm(schema, input, rules.verbatim ?? []);
    const errors = [...check.errors(config), ...(rules.crossChecks?.(config) ?? [])];
    if (errors.length > 0) {
      const seen = new Set<string>();
      return { ok: false, errors: errors.filter((e) => !seen.has(e.field) && seen.add(e.field)) };
    }
    const full = check.withDefaults(config) as Static<T>;
    return { ok: true, config: rules.finish ? rules.finish(full) : (full as unknown as C) };
  };
}

function asForm(schema: TObject, input: Record<string, unknown>, verbatim: readonly string[]) {
  const out: Record<string, unknown> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (raw === null || raw === undefined) continue;
    if (typeof raw !== 'string') {
      out[key] = raw;
      continue;
    }
    if (raw.trim() === '') continue;
    const text = verbatim.includes(key) ? raw : raw.trim();
    const declared = schema.properties[key];
    out[key] = declared ? Value.Convert(declared, text) : text;
  }
  return out;
}
