import type { FastifyRequest } from 'fastify';
import { invalid } from '../../../../domain/errors.ts';
import { BAD_UTF8_DETAIL, textIssue, urlEscapesAreUtf8 } from '../../../../domain/text.ts';
import { MessageInputSchema } from '../../../../ingest/message-input.schema.ts';

/**
 * Zentik combines every source of a create request into one message (its
 * `CombineMessageSources`), from lowest to highest precedence: the body (JSON, form-encoded,
 * text), the query string, the path parameters, then `x-message-*` headers. A later source wins
 * a field only when it gives a value. The merged object is then read and checked once, as any
 * message is (ingest/message-input.ts), so an error still names the field.
 *
 * Herald differs in small ways, written in docs/zentik-differences.md: header names are matched
 * to the field names without regard to case (`x-message-deliverytype` is `deliveryType`, since
 * HTTP lowercases header names), a `text/plain` body that is not a JSON object becomes the
 * message body, and values from a JSON body keep their JSON types (a JSON `"true"` is not a
 * boolean) while text sources are converted.
 */

const FIELDS = Object.keys(MessageInputSchema.properties);
const BY_LOWER = new Map(FIELDS.map((f) => [f.toLowerCase(), f]));
const HEADER_PREFIX = 'x-message-';

/** The merged fields and the names of those whose value came from a text source. */
export interface CombinedSources {
  fields: Record<string, unknown>;
  textFields: Set<string>;
  /**
   * The `magicCode` a send authenticates with, looked up as Zentik's guard does: the body first,
   * then the query string, the path parameters and (Herald's addition) `x-message-magicCode`.
   */
  magicCode: unknown;
}

const given = (v: unknown) => v !== undefined && v !== null;
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A form-encoded body as fields; a repeated field is a list, as in a query string. */
export function formFields(text: string): Record<string, string | string[]> {
  if (!urlEscapesAreUtf8(text)) throw invalid('(body)', BAD_UTF8_DETAIL);
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const seen = out[k];
    out[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
  }
  const issue = textIssue(out, '');
  if (issue) throw invalid(issue.field, issue.detail);
  return out;
}

/** The body's fields and whether they are text (form, plain text) rather than JSON values. */
function bodySource(request: FastifyRequest): { fields: Record<string, unknown>; text: boolean } {
  const body = request.body;
  const type = (request.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/')) {
    throw invalid('(body)', 'multipart/form-data goes to POST /api/v1/messages/with-attachment');
  }
  if (body === undefined || body === null || body === '') return { fields: {}, text: false };
  if (isObject(body)) return { fields: body, text: false };
  if (typeof body !== 'string') throw invalid('(body)', 'must be a JSON object');
  if (type.startsWith('application/x-www-form-urlencoded')) return { fields: formFields(body), text: true };
  if (type.startsWith('application/json')) throw invalid('(body)', 'must be a JSON object');
  const trimmed = body.trim();
  if (trimmed.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      throw invalid('(body)', 'starts with "{" but is not valid JSON');
    }
    if (isObject(parsed)) return { fields: parsed, text: false };
  }
  // Plain text with no structure is what the message says.
  return { fields: trimmed ? { body } : {}, text: true };
}

/** Header values by field name, for `x-message-<field>` headers (any case). */
function headerFields(headers: FastifyRequest['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const key = name.toLowerCase();
    if (!key.startsWith(HEADER_PREFIX) || !given(value)) continue;
    const rest = key.slice(HEADER_PREFIX.length);
    const field = BY_LOWER.get(rest) ?? BY_LOWER.get(rest.replace(/-/g, '')) ?? rest;
    out[field] = Array.isArray(value) ? (value[value.length - 1] as string) : (value as string);
  }
  return out;
}

/** Merges body < query < path params < `x-message-*` headers, as Zentik does. */
export function combineSources(request: FastifyRequest, extra?: Record<string, unknown>): CombinedSources {
  const body = bodySource(request);
  const fields: Record<string, unknown> = { ...body.fields, ...(extra ?? {}) };
  const textFields = new Set<string>(body.text ? Object.keys(body.fields) : []);
  const layers = [
    (request.query ?? {}) as Record<string, unknown>,
    (request.params ?? {}) as Record<string, unknown>,
    headerFields(request.headers),
  ];
  for (const layer of layers) {
    for (const [k, v] of Object.entries(layer)) {
      if (!given(v)) continue;
      fields[k] = v;
      textFields.add(k);
    }
  }
  return { fields, textFields, magicCode: firstCode([body.fields, ...layers]) };
}

/** The first source's `magicCode` that says something (`""` reads as absent, as in Zentik). */
function firstCode(sources: Array<Record<string, unknown>>): unknown {
  return sources.map((s) => s.magicCode).find((v) => given(v) && v !== '');
}

const SOURCES = Symbol('message sources');

/** The merged fields, carried to the route's validator as the request body. */
export function withSources(combined: Omit<CombinedSources, 'magicCode'>): Record<string, unknown> {
  return Object.defineProperty({ ...combined.fields }, SOURCES, { value: combined.textFields });
}

/** The fields and text-field names {@link withSources} carried; a plain object is all JSON. */
export function sourcesOf(body: unknown): Omit<CombinedSources, 'magicCode'> {
  if (!isObject(body)) throw invalid('(body)', 'must be a JSON object');
  const textFields = (body as { [SOURCES]?: Set<string> })[SOURCES] ?? new Set<string>();
  return { fields: body, textFields };
}
