import type { ConfigResult, FieldError } from './channel.ts';

/**
 * A small collector for channel config validation: each read records at most one error for its field and
 * returns the normalised value, so a channel's `validateConfig` reads top to bottom and reports every
 * problem at once instead of stopping at the first.
 */
export interface ConfigReader {
  readonly errors: FieldError[];
  /** The raw value, for channel-specific checks. */
  raw(field: string): unknown;
  /**
   * A string, trimmed unless `trim: false` (passwords and keys keep their spaces); empty counts as absent
   * because forms send `""` for untouched inputs.
   */
  string(
    field: string,
    opts: { required: boolean; pattern?: RegExp; expected?: string; trim?: boolean },
  ): string | undefined;
  /** An absolute http(s) URL. */
  url(field: string, opts: { required: boolean }): string | undefined;
  boolean(field: string): boolean | undefined;
  /** An integer in [min, max]; numeric strings are accepted because env files and forms send strings. */
  integer(field: string, opts: { required: boolean; min: number; max: number }): number | undefined;
  oneOf<T extends string>(field: string, values: readonly T[]): T | undefined;
  fail(field: string, detail: string): void;
  /** The config built by `build` when no error was recorded, else the errors. */
  result<C>(build: () => C): ConfigResult<C>;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function readConfig(input: unknown, allowed: readonly string[]): ConfigReader {
  const errors: FieldError[] = [];
  const obj: Record<string, unknown> = isPlainObject(input) ? input : {};
  if (!isPlainObject(input)) errors.push({ field: 'config', detail: 'must be a JSON object' });
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) {
      errors.push({ field: key, detail: `unknown field; expected one of ${allowed.join(', ')}` });
    }
  }
  const fail = (field: string, detail: string): undefined => {
    errors.push({ field, detail });
  };
  const present = (field: string) => obj[field] !== undefined && obj[field] !== null && obj[field] !== '';
  const missing = (field: string, required: boolean): undefined => {
    if (required) fail(field, 'is required');
  };

  const reader: ConfigReader = {
    errors,
    raw: (field) => obj[field],
    fail,
    string(field, { required, pattern, expected, trim = true }) {
      if (!present(field)) return missing(field, required);
      const value = obj[field];
      if (typeof value !== 'string') return fail(field, 'must be a string');
      const trimmed = trim ? value.trim() : value;
      if (trimmed.trim() === '') return missing(field, required);
      if (pattern && !pattern.test(trimmed)) return fail(field, `must be ${expected ?? `like ${pattern}`}`);
      return trimmed;
    },
    url(field, { required }) {
      const value = reader.string(field, { required });
      if (value === undefined) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(value);
      } catch {
        return fail(field, 'must be an absolute URL such as https://example.com/hook');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
        return fail(field, 'must be an http or https URL');
      }
      return value;
    },
    boolean(field) {
      if (!present(field)) return undefined;
      const value = obj[field];
      if (typeof value !== 'boolean') return fail(field, 'must be true or false');
      return value;
    },
    integer(field, { required, min, max }) {
      if (!present(field)) return missing(field, required);
      const value = obj[field];
      const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
        return fail(field, `must be a whole number from ${min} to ${max}`);
      }
      return n;
    },
    oneOf(field, values) {
      if (!present(field)) return undefined;
      const value = obj[field];
      const match = values.find((v) => v === value);
      if (match === undefined) return fail(field, `must be one of ${values.join(', ')}`);
      return match;
    },
    result(build) {
      return errors.length > 0 ? { ok: false, errors } : { ok: true, config: build() };
    },
  };
  return reader;
}
