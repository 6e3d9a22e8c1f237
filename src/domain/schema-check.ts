import type { Static, TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { Settings } from 'typebox/system';
import type { FieldError } from './errors.ts';

/**
 * Checks a value against a TypeBox schema and names each bad field the way the error envelope
 * does (`attachments[0].url`, `config.port`), one problem per field.
 *
 * Schemas may carry `x-detail`: the sentence a client sees when that schema refuses a value
 * (instead of "must match pattern ^…$"), or one sentence per keyword
 * (`{ additionalProperties: "is not a valid header name" }`). Unions (`anyOf`) are reported as the branch the value
 * was meant for: the one whose discriminating property (a `const`/`enum` property every object
 * branch has, such as a cadence's `type`) the value names, else the branch the value's type fits
 * with the fewest problems, else the union itself.
 */

/**
 * TypeBox stops at 8 errors by default, a guard against unbounded error lists; a request may
 * have more bad fields than that and each should be named. Request bodies are capped at 1 MB,
 * which bounds the work.
 */
const MAX_ERRORS = 200;
Settings.Set({ maxErrors: MAX_ERRORS });

type Issue = TLocalizedValidationError;
type Schema = Record<string, unknown>;

export interface SchemaCheck<T extends TSchema> {
  readonly schema: T;
  /** True when the value matches. */
  check(value: unknown): value is Static<T>;
  /** Every problem, one per field, `prefix`ed when given; empty when the value matches. */
  errors(value: unknown, prefix?: string): FieldError[];
  /** Converts text (form fields, query strings) to the declared types where it can; the rest is left for `errors`. */
  convert(value: unknown): unknown;
  /** Fills declared defaults. */
  withDefaults(value: unknown): unknown;
}

export function compileCheck<T extends TSchema>(schema: T): SchemaCheck<T> {
  const validator = Compile(schema);
  return {
    schema,
    check: (value): value is Static<T> => validator.Check(value),
    errors(value, prefix = '') {
      if (validator.Check(value)) return [];
      return fieldErrorsOf(schema as unknown as Schema, value, validator.Errors(value), prefix);
    },
    convert: (value) => validator.Convert(value),
    withDefaults: (value) => validator.Default(value),
  };
}

/** `a` + `0` → `a[0]`, `a` + `b` → `a.b`. */
export function joinField(base: string, key: string): string {
  if (/^\d+$/.test(key)) return `${base}[${key}]`;
  return base ? `${base}.${key}` : key;
}

const pointerParts = (pointer: string): string[] =>
  pointer
    .split('/')
    .filter((p, i) => !(i === 0 && (p === '' || p === '#')))
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));

const fieldOf = (instancePath: string, prefix: string): string =>
  pointerParts(instancePath).reduce(joinField, prefix);

function at(root: unknown, pointer: string): unknown {
  let node = root;
  for (const part of pointerParts(pointer)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part];
  }
  return node;
}

function fieldErrorsOf(root: Schema, value: unknown, issues: Issue[], prefix: string): FieldError[] {
  const out = new Map<string, string>();
  const add = (field: string, detail: string) => {
    if (!out.has(field)) out.set(field, detail);
  };
  for (const issue of resolveUnions(root, value, issues)) {
    const base = fieldOf(issue.instancePath, prefix);
    if (issue.keyword === 'required') {
      for (const name of (issue.params as { requiredProperties: string[] }).requiredProperties) {
        add(joinField(base, name), 'is required');
      }
    } else if (issue.keyword === 'additionalProperties') {
      const schema = at(root, issue.schemaPath) as Schema | undefined;
      const known = Object.keys((schema?.properties as Schema | undefined) ?? {});
      const detail =
        customDetail(schema, issue.keyword) ??
        (known.length > 0 ? `unknown field; expected one of ${known.join(', ')}` : 'is not allowed');
      for (const name of (issue.params as { additionalProperties: string[] }).additionalProperties) {
        add(joinField(base, name), detail);
      }
    } else if (issue.keyword === 'boolean' && issue.schemaPath.endsWith('/additionalProperties')) {
      // Reported once, with the allowed names, by the additionalProperties issue.
    } else {
      add(base || prefix || '(body)', detailOf(root, issue));
    }
  }
  return [...out].map(([field, detail]) => ({ field, detail }));
}

function customDetail(schema: Schema | undefined, keyword: string): string | undefined {
  const custom = schema?.['x-detail'];
  if (typeof custom === 'string') return custom;
  if (custom !== null && typeof custom === 'object') {
    const forKeyword = (custom as Record<string, unknown>)[keyword];
    if (typeof forKeyword === 'string') return forKeyword;
  }
  return undefined;
}

function detailOf(root: Schema, issue: Issue): string {
  const custom = customDetail(at(root, issue.schemaPath) as Schema | undefined, issue.keyword);
  if (custom !== undefined) return custom;
  const p = issue.params as Record<string, unknown>;
  switch (issue.keyword) {
    case 'type':
      return TYPE_DETAILS[String(p.type)] ?? issue.message;
    case 'enum':
      return `must be one of ${(p.allowedValues as unknown[]).join(', ')}`;
    case 'const':
      return `must be ${JSON.stringify(p.allowedValue)}`;
    case 'minLength':
      return p.limit === 1 ? 'must not be empty' : `must be at least ${p.limit} characters`;
    case 'maxLength':
      return `must be at most ${p.limit} characters`;
    case 'minItems':
      return p.limit === 1 ? 'must not be empty' : `must have at least ${p.limit} items`;
    case 'maxItems':
      return `must have at most ${p.limit} items`;
    case 'minimum':
      return `must be at least ${p.limit}`;
    case 'maximum':
      return `must be at most ${p.limit}`;
    case 'exclusiveMinimum':
      return `must be more than ${p.limit}`;
    case 'exclusiveMaximum':
      return `must be less than ${p.limit}`;
    case 'format':
      return `must be a valid ${p.format}`;
    case 'anyOf':
    case 'oneOf':
      return 'is not in any accepted form';
    default:
      return issue.message;
  }
}

const TYPE_DETAILS: Record<string, string> = {
  string: 'must be a string',
  boolean: 'must be true or false',
  integer: 'must be a whole number',
  number: 'must be a number',
  array: 'must be an array',
  object: 'must be an object',
  null: 'must be null',
};

const isUnion = (i: Issue) => i.keyword === 'anyOf' || i.keyword === 'oneOf';
/** An issue of one of the union's branches, for the same value (one schema checks every array item). */
const within = (i: Issue, union: Issue) =>
  i !== union &&
  i.schemaPath.startsWith(`${union.schemaPath}/${union.keyword}/`) &&
  (i.instancePath === union.instancePath || i.instancePath.startsWith(`${union.instancePath}/`));

/** Replaces each union's issues (its own and every branch's) with those of the branch the value meant. */
function resolveUnions(root: Schema, value: unknown, issues: Issue[]): Issue[] {
  const unions: Issue[] = issues.filter(isUnion);
  const outer = unions.filter((u) => !unions.some((o) => within(u, o)));
  const out: Issue[] = [];
  for (const issue of issues) {
    if (outer.some((u) => within(issue, u))) continue;
    if (outer.includes(issue)) {
      const chosen = chooseBranch(
        root,
        value,
        issue,
        issues.filter((i) => within(i, issue)),
      );
      out.push(...(chosen.includes(issue) ? chosen : resolveUnions(root, value, chosen)));
    } else {
      out.push(issue);
    }
  }
  return out;
}

function chooseBranch(root: Schema, value: unknown, union: Issue, inner: Issue[]): Issue[] {
  const branches = ((at(root, union.schemaPath) as Schema | undefined)?.[union.keyword] ?? []) as Schema[];
  const prefix = `${union.schemaPath}/${union.keyword}/`;
  const issuesOf = (i: number) =>
    inner.filter((x) => x.schemaPath === `${prefix}${i}` || x.schemaPath.startsWith(`${prefix}${i}/`));
  const here = at(value, union.instancePath);

  const objects = branches.map((b, i) => ({ b, i })).filter(({ b }) => b.type === 'object');
  const keys = discriminators(objects.map(({ b }) => b));
  if (keys.length > 0 && here !== null && typeof here === 'object' && !Array.isArray(here)) {
    const named = objects.filter(({ b }) => keys.every((k) => allows(propertyOf(b, k), (here as Schema)[k])));
    if (named.length > 0)
      return fewest(
        named.map(({ i }) => issuesOf(i)),
        union,
      );
    const key = keys[0];
    const allowed = objects.flatMap(({ b }) => valuesOf(propertyOf(b, key)));
    return [
      {
        keyword: 'enum',
        schemaPath: `${prefix}${objects[0].i}/properties/${key}`,
        instancePath: `${union.instancePath}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`,
        params: { allowedValues: [...new Set(allowed)] },
        message: 'must be one of the allowed values',
      } as Issue,
    ];
  }
  // A branch whose type (or constant) the value does not even have was not meant.
  const fits = branches
    .map((_, i) => issuesOf(i))
    .filter(
      (list) =>
        !list.some(
          (x) => x.instancePath === union.instancePath && ['type', 'const', 'enum'].includes(x.keyword),
        ),
    );
  return fits.length > 0 ? fewest(fits, union) : [union];
}

/** The branch with the fewest problems; the union itself if that branch's issues were cut off. */
function fewest(lists: Issue[][], union: Issue): Issue[] {
  const best = lists.reduce((a, b) => (b.length < a.length ? b : a));
  return best.length > 0 ? best : [union];
}

const propertyOf = (branch: Schema, key: string): Schema | undefined =>
  (branch.properties as Record<string, Schema> | undefined)?.[key];

const valuesOf = (s: Schema | undefined): unknown[] =>
  s === undefined ? [] : 'const' in s ? [s.const] : Array.isArray(s.enum) ? s.enum : [];

const allows = (s: Schema | undefined, v: unknown): boolean => valuesOf(s).includes(v);

/** Properties every object branch pins to constants: what tells the branches apart. */
function discriminators(objects: Schema[]): string[] {
  if (objects.length < 2) return [];
  const first = Object.keys((objects[0].properties as Schema | undefined) ?? {});
  return first.filter((k) => objects.every((b) => valuesOf(propertyOf(b, k)).length > 0));
}
