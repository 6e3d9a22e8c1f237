/**
 * Readers for the parsers that reproduce Zentik's built-in ones (authentik, servarr, github,
 * railway, expo, status-io, instatus, atlas-statuspage, emqx).
 *
 * Those parsers must print what Zentik prints, so they follow JavaScript's own rules where
 * Zentik relies on them: a field is "present" when it is truthy, and a value is written into
 * text as a template literal writes it. Where Zentik's code would fail on a payload (reading a
 * property of a missing object, calling a string method on a number) Herald refuses the payload
 * with a 400 naming the field instead of failing or storing an error message; these readers are
 * where that refusal is raised.
 */
import { ParserInputError } from './parser.ts';
import { asObject, type JsonObject } from './payload-reader.ts';

export type { JsonObject };

/** An object field, or undefined (the `?.` of Zentik's code). */
export const obj = (value: unknown): JsonObject | undefined => asObject(value);

/**
 * An object Zentik's code reads without `?.`: a missing or null one is a 400 naming `field` (where
 * JavaScript throws). Any other non-object reads as an object without fields, as JavaScript reads
 * a property of a number or a string as undefined.
 */
export function need(value: unknown, field: string): JsonObject {
  if (value === undefined || value === null) {
    throw new ParserInputError(`payload field "${field}" is required`, field);
  }
  return asObject(value) ?? {};
}

/** A string Zentik's code calls string methods on: anything else is a 400 naming `field`. */
export function text(value: unknown, field: string): string {
  if (typeof value !== 'string')
    throw new ParserInputError(`payload field "${field}" must be a string`, field);
  return value;
}

/** A string when it is one, else undefined (for optional text that Zentik tests before use). */
export const optText = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/** An array, or undefined: a non-array is treated as absent. */
export const list = (value: unknown): unknown[] | undefined => (Array.isArray(value) ? value : undefined);

/** The objects of an array Zentik iterates, reading fields of each: a non-object element is a 400. */
export function needObjects(value: unknown, field: string): JsonObject[] {
  return (list(value) ?? []).map((item, i) => need(item, `${field}[${i}]`));
}

/** `finished` → `Finished`. */
export const capitalize = (value: string): string => value.charAt(0).toUpperCase() + value.slice(1);

/**
 * A date as Zentik's `toLocaleString` calls print it. Zentik formats in its server's time zone;
 * Herald formats in UTC so the text does not depend on where it runs. An unreadable date prints
 * "Invalid Date", as JavaScript does.
 */
export function localeDate(value: unknown, locale: string, options: Intl.DateTimeFormatOptions = {}): string {
  return new Date(value as string).toLocaleString(locale, { ...options, timeZone: 'UTC' });
}

/** The date format the status-page parsers (status-io, instatus, atlas-statuspage) share. */
export const statusPageDate = (value: unknown): string =>
  localeDate(value, 'en-US', {
    month: 'short',
    day: 'numeric',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  });
