// Template rendering: markdown source with `{{placeholders}}` → markdown, plaintext and HTML.
//
// Values come from API callers (tenant placeholders, event fields) and are untrusted. They are
// escaped as markdown *before* the text is lexed, so a value can only ever be literal text: it
// cannot open emphasis, links, code or HTML. The template source itself is admin-written but is
// still rendered without raw HTML or script URLs (see markdown-html.ts).
//
// Known limit: backslash escapes are literal inside code spans and fences, so a value placed
// inside backticks in a template shows its escaping backslashes. Templates should not put
// placeholders in code.
import { markdownToHtml } from './markdown-html.ts';
import { markdownToPlaintext } from './markdown-plaintext.ts';

export interface RenderedTemplate {
  markdown: string;
  plaintext: string;
  html: string;
}

/** `{{name}}`, `{{ name }}` and dotted paths `{{user.name}}`. */
const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*)\s*\}\}/g;

export function placeholdersOf(template: string): string[] {
  const names = new Set<string>();
  for (const match of template.matchAll(PLACEHOLDER)) names.add(match[1]);
  return [...names];
}

/** Placeholders whose value is absent, `undefined` or `null`; an empty string counts as given. */
export function missingPlaceholders(template: string, values: Record<string, unknown>): string[] {
  return placeholdersOf(template).filter((name) => lookup(values, name) == null);
}

export function renderTemplate(template: string, values: Record<string, unknown>): RenderedTemplate {
  const markdown = template.replace(PLACEHOLDER, (_match, name: string) =>
    escapeMarkdown(stringify(lookup(values, name))),
  );
  return { markdown, plaintext: markdownToPlaintext(markdown), html: markdownToHtml(markdown) };
}

/**
 * A flat key wins over a path (`{"user.name": "x"}` as sent by flat-field APIs); otherwise the
 * dotted path walks nested objects. Only own properties are read, so `{{constructor}}` or
 * `{{__proto__}}` never reach the prototype chain.
 */
function lookup(values: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(values, name)) return values[name];
  let current: unknown = values;
  for (const part of name.split('.')) {
    if (current === null || typeof current !== 'object' || !Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function stringify(value: unknown): string {
  if (value == null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? '' : value.toISOString();
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // Cyclic objects cannot be shown; rendering must not fail because of one odd value.
    return '';
  }
}

// Characters that can open inline syntax anywhere on a line: escapes, code, emphasis, links and
// images, raw HTML and autolinks, entities, strikethrough, table cells.
const INLINE_SIGNIFICANT = /[\\`*_[\]<>!&~|]/g;
// Openers that only matter at the start of a line: headings, list items, setext underlines.
const LINE_START_SIGNIFICANT = /^([#+=-])/;
const ORDERED_LIST_START = /^(\d+)([.)])/;
// GFM turns bare `https://…`, `www.…` and `a@b.c` into links. Values stay plain text, and an
// autolink would also swallow the backslash escapes inside it; templates that want a value as a
// link write `[label]({{url}})`, where the link URL check applies.
const AUTOLINK_OPENERS = /:(?=\/\/)|(?<=www)\.|@/gi;

/**
 * Backslash-escapes a value so markdown reads it as literal text. Every ASCII punctuation
 * character may be backslash-escaped in CommonMark, so over-escaping is harmless; the set is kept
 * small only so the markdown output stays readable.
 */
export function escapeMarkdown(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map((line, i) => {
      // A value's later lines start new markdown lines; indentation there would open code blocks.
      const trimmed = i === 0 ? line : line.replace(/^[ \t]+/, '');
      return trimmed
        .replace(INLINE_SIGNIFICANT, '\\$&')
        .replace(AUTOLINK_OPENERS, '\\$&')
        .replace(LINE_START_SIGNIFICANT, '\\$1')
        .replace(ORDERED_LIST_START, '$1\\$2');
    })
    .join('\n');
}
