/**
 * Small, forgiving readers for untyped webhook JSON. Outside systems add, drop and retype fields
 * between versions, so parsers read every field through these and treat anything unexpected as
 * absent rather than trusting a declared shape.
 */
import { type ParsedAction, ParserInputError } from './parser.ts';

export type JsonObject = Record<string, unknown>;

export function asObject(value: unknown): JsonObject | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonObject)
    : undefined;
}

/** The entry check of every parser: the body must at least be a JSON object. */
export function requireObject(payload: unknown, source: string): JsonObject {
  const object = asObject(payload);
  if (object === undefined) {
    const got = payload === null ? 'null' : Array.isArray(payload) ? 'an array' : `a ${typeof payload}`;
    throw new ParserInputError(`${source} payload must be a JSON object, got ${got}`);
  }
  return object;
}

/** A non-blank string; numbers are accepted because ids and versions arrive as either. */
export function asString(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function requireString(object: JsonObject, field: string, source: string): string {
  const value = asString(object[field]);
  if (value === undefined) {
    throw new ParserInputError(`${source} payload is missing "${field}"`, field);
  }
  return value;
}

export function asNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The elements of an array that are objects; anything else in the array is ignored. */
export function asObjects(value: unknown): JsonObject[] {
  return asArray(value).flatMap((item): JsonObject[] => {
    const object = asObject(item);
    return object === undefined ? [] : [object];
  });
}

/** Only absolute http(s) links become tap targets, so a payload cannot smuggle `javascript:`. */
export function asHttpUrl(value: unknown): string | undefined {
  const text = asString(value);
  if (text === undefined) return undefined;
  try {
    const url = new URL(text);
    if ((url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '') return text;
  } catch {
    // not a URL: treated as absent like any other malformed field
  }
  return undefined;
}

export function navigate(url: string | undefined, title?: string): ParsedAction | undefined {
  if (url === undefined) return undefined;
  return title === undefined ? { type: 'NAVIGATE', value: url } : { type: 'NAVIGATE', value: url, title };
}

/** Navigate buttons for the links that exist, in order. */
export function linkActions(
  links: ReadonlyArray<readonly [title: string, url: string | undefined]>,
): ParsedAction[] {
  return links.flatMap(([title, url]) => navigate(url, title) ?? []);
}

/** `login_failed` / `IndexerDown` → `Login failed` / `Indexer down`. */
export function humanize(identifier: string): string {
  const words = identifier
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_.\-\s]+/g, ' ')
    .trim()
    .toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "1 alert" / "3 alerts": English plurals for counts in titles. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

export function firstLine(text: string): string {
  return text.split(/\r?\n/, 1)[0]?.trim() ?? '';
}
