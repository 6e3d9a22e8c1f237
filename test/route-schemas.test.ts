import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHerald, type TestHerald } from './support/herald.ts';

/**
 * The published OpenAPI document is what the server enforces: for every operation whose JSON
 * body schema names required or typed properties, a body that drops a required property or
 * gives one the wrong type is refused with a 4xx that names that property.
 *
 * Validation does not depend on the store, so one SQLite server is enough.
 */
type Schema = Record<string, any>;
type Doc = {
  paths: Record<string, Record<string, Schema>>;
  components?: { schemas?: Record<string, Schema> };
};

let h: TestHerald;
let doc: Doc;
let admin: string;

beforeAll(async () => {
  h = await startHerald('sqlite');
  doc = (await h.api('GET', '/openapi.json')).body;
  admin = await h.adminToken();
});
afterAll(async () => {
  await h?.close();
});

function resolve(schema: Schema | undefined): Schema {
  let s = schema ?? {};
  for (let depth = 0; typeof s.$ref === 'string' && depth < 10; depth++) {
    s = doc.components?.schemas?.[s.$ref.replace('#/components/schemas/', '')] ?? {};
  }
  return s;
}

/** The JSON types a property accepts (unions and nullables included); empty when untyped. */
function typesOf(schema: Schema): Set<string> {
  const s = resolve(schema);
  const out = new Set<string>();
  if (Array.isArray(s.type)) for (const t of s.type) out.add(t);
  else if (typeof s.type === 'string') out.add(s.type);
  for (const branch of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) {
    const inner = typesOf(branch);
    if (inner.size === 0) return new Set();
    for (const t of inner) out.add(t);
  }
  if (out.has('integer')) out.add('number');
  return out;
}

/** A value of a type the property does not accept, one no coercion turns into an accepted one. */
function wrongValueFor(schema: Schema): unknown {
  const accepted = typesOf(schema);
  const candidates: [string, unknown][] = [
    ['number', 12345],
    ['string', 'not-the-right-type'],
    ['boolean', true],
    ['object', { unexpected: true }],
    ['array', ['unexpected']],
  ];
  return candidates.find(([type]) => !accepted.has(type))?.[1];
}

/** A plausible value for a schema, so the request's other parts do not fail first. */
function example(schema: Schema | undefined): unknown {
  const s = resolve(schema);
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum)) return s.enum[0];
  const branches = s.anyOf ?? s.oneOf;
  if (branches) return example(branches.find((b: Schema) => resolve(b).type !== 'null') ?? branches[0]);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== 'null') : s.type;
  switch (type) {
    case 'string': {
      if (s.format === 'email') return 'schema-walk@example.com';
      if (s.format === 'uuid' || s.format === 'coder-uuid') return randomUUID();
      if (s.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString();
      if (s.format === 'uri' || s.format === 'url') return 'https://example.com/schema-walk';
      const length = Math.max(s.minLength ?? 1, 8);
      return 'schemawalk'.repeat(Math.ceil(length / 10)).slice(0, Math.min(length, s.maxLength ?? length));
    }
    case 'integer':
    case 'number':
      return s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return true;
    case 'array':
      return Array.from({ length: s.minItems ?? 0 }, () => example(s.items));
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const name of s.required ?? []) out[name] = example(s.properties?.[name]);
      return out;
    }
    default:
      return 'schema-walk';
  }
}

/** A concrete URL for an operation: path parameters and required query parameters filled in. */
function urlFor(path: string, operation: Schema): string {
  const params: Schema[] = (operation.parameters ?? []).map(resolve);
  let url = path;
  const query = new URLSearchParams();
  for (const p of params) {
    const value = String(example(p.schema));
    if (p.in === 'path') url = url.replace(`{${p.name}}`, encodeURIComponent(value));
    else if (p.in === 'query' && p.required) query.set(p.name, value);
  }
  const qs = query.toString();
  return qs ? `${url}?${qs}` : url;
}

/** Whether an error answer names `field`: the one error shape, or a family's own envelope. */
function namesField(body: any, field: string): boolean {
  if (!body || typeof body !== 'object') return false;
  const matches = (f: unknown) =>
    typeof f === 'string' && (f === field || f.startsWith(`${field}.`) || f.startsWith(`${field}[`));
  const lists = [body.validations, body.errors].filter(Array.isArray);
  if (lists.some((list) => list.some((v: any) => matches(v?.field)))) return true;
  const word = new RegExp(`(^|[^A-Za-z0-9_])${field}([^A-Za-z0-9_]|$)`);
  // `errorDescription`: the Gotify family's envelope; `error`: ntfy's.
  return [body.detail, body.message, body.errorDescription, body.error].some(
    (text) => typeof text === 'string' && word.test(text),
  );
}

interface Case {
  operation: string;
  violation: string;
  field: string;
  method: string;
  url: string;
  body: Record<string, unknown>;
}

function casesOf(): Case[] {
  const cases: Case[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const schema = resolve(operation.requestBody?.content?.['application/json']?.schema);
      const properties: Record<string, Schema> = schema.properties ?? {};
      const required: string[] = schema.required ?? [];
      if (required.length === 0 && Object.keys(properties).length === 0) continue;
      const base = example(schema) as Record<string, unknown>;
      const name = `${method.toUpperCase()} ${path}`;
      const url = urlFor(path, operation);
      for (const field of required) {
        const { [field]: _dropped, ...body } = base;
        cases.push({ operation: name, violation: 'missing', field, method, url, body });
      }
      for (const [field, property] of Object.entries(properties)) {
        const wrong = wrongValueFor(property);
        if (wrong === undefined || typesOf(property).size === 0) continue;
        cases.push({
          operation: name,
          violation: `wrong type (${JSON.stringify(wrong)})`,
          field,
          method,
          url,
          body: { ...base, [field]: wrong },
        });
      }
    }
  }
  return cases;
}

describe('every JSON body schema in /openapi.json', () => {
  it('is enforced: a body it refuses is refused with a 4xx naming the field', {
    timeout: 120_000,
  }, async () => {
    const cases = casesOf();
    // The document lists dozens of JSON bodies; far fewer means the walk found nothing to check.
    expect(new Set(cases.map((c) => c.operation)).size).toBeGreaterThanOrEqual(20);
    const failures: string[] = [];
    for (const c of cases) {
      const res = await h.api(c.method.toUpperCase(), c.url, { token: admin, body: c.body });
      const refused = res.status >= 400 && res.status < 500;
      if (!refused || !namesField(res.body, c.field)) {
        failures.push(`${c.operation}: ${c.field} ${c.violation} → ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
  });
});
