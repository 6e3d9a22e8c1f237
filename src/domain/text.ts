import { type FieldError, invalid } from './errors.ts';

/**
 * The one guard every piece of request text passes (JSON bodies, form and multipart fields and
 * file names, query strings, headers, path parameters):
 *
 * - bytes must be valid UTF-8: broken sequences are refused, never replaced with U+FFFD;
 * - no NUL and no unpaired surrogate (PostgreSQL refuses them and no client means them);
 * - structured values are nested at most {@link MAX_JSON_DEPTH} levels, checked on the text before
 *   it is parsed, so nothing downstream (validators, JSON.stringify, templates) recurses deeper.
 */

/** Deepest nesting of arrays and objects any JSON input may have; real payloads stay far below. */
export const MAX_JSON_DEPTH = 32;

export const BAD_TEXT_DETAIL = 'must not contain NUL characters or unpaired surrogates';
export const BAD_UTF8_DETAIL = 'is not valid UTF-8';
export const TOO_DEEP_DETAIL = `must not be nested more than ${MAX_JSON_DEPTH} levels deep`;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL character is what is refused
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Bytes as UTF-8 text, or undefined when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Text that arrived as one char per byte (HTTP headers, multipart values read as latin1) read
 * again as UTF-8; undefined when those bytes are not valid UTF-8.
 */
export function bytesAsUtf8(latin1: string): string | undefined {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: plain ASCII needs no decoding
  if (/^[\u0000-\u007f]*$/.test(latin1)) return latin1;
  return decodeUtf8(Buffer.from(latin1, 'latin1'));
}

/**
 * Percent-escapes in a URL decoded to bytes and checked as UTF-8; true when they are valid (or
 * malformed: the router answers those with its own 400).
 */
export function urlEscapesAreUtf8(url: string): boolean {
  if (!/%[89a-fA-F][0-9a-fA-F]/.test(url)) return true;
  const bytes: number[] = [];
  for (let i = 0; i < url.length; i++) {
    const c = url.charCodeAt(i);
    if (c === 0x25 && /^[0-9a-fA-F]{2}$/.test(url.slice(i + 1, i + 3))) {
      bytes.push(Number.parseInt(url.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) bytes.push(c);
    else for (const b of Buffer.from(url[i] as string, 'utf8')) bytes.push(b);
  }
  return decodeUtf8(Uint8Array.from(bytes)) !== undefined;
}

const joinPath = (path: string, key: string, inArray: boolean) =>
  inArray ? `${path}[${key}]` : path ? `${path}.${key}` : key;

/**
 * Whether JSON text nests deeper than `max`: the scan below without its paths and keys, which
 * every body passes and almost none fails (the two were 3% of a message send's CPU).
 */
function nestsDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 0x22) i += text.charCodeAt(i) === 0x5c ? 2 : 1;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > max) return true;
    } else if ((c === 0x7d /* } */ || c === 0x5d) /* ] */ && depth > 0) {
      depth--;
    }
  }
  return false;
}

/**
 * The field at which JSON text first nests deeper than `max`, or undefined. A linear scan with
 * no recursion, so a body of 5,000 brackets costs one pass and no stack.
 */
export function jsonTooDeep(text: string, max = MAX_JSON_DEPTH): string | undefined {
  if (!nestsDeeperThan(text, max)) return undefined;
  // One frame per open array/object: its path, whether it is an array, its current key/index.
  const stack: Array<{ path: string; array: boolean; key: string }> = [];
  let pendingKey: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (j < text.length && text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c ? 2 : 1;
      const top = stack[stack.length - 1];
      if (top && !top.array) {
        // A string followed by ':' is a key.
        let k = j + 1;
        while (k < text.length && /\s/.test(text[k] as string)) k++;
        if (text[k] === ':') {
          try {
            pendingKey = JSON.parse(text.slice(i, j + 1)) as string;
          } catch {
            pendingKey = text.slice(i + 1, j);
          }
        }
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      const top = stack[stack.length - 1];
      const path = top ? joinPath(top.path, top.key, top.array) : '';
      if (stack.length >= max) return path.split(/[.[]/)[0] || '(body)';
      stack.push({ path, array: c === 0x5b, key: '0' });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x3a /* : */) {
      const top = stack[stack.length - 1];
      if (top && pendingKey !== undefined) top.key = pendingKey;
      pendingKey = undefined;
    } else if (c === 0x2c /* , */) {
      const top = stack[stack.length - 1];
      if (top?.array) top.key = String(Number(top.key) + 1);
    }
  }
  return undefined;
}

/**
 * JSON text parsed under the one depth limit; throws a validation error naming `field` (or, for a
 * whole body, the top-level field inside it) when the text is too deep or does not parse.
 */
export function parseJsonText(text: string, field = '(body)'): unknown {
  const deep = jsonTooDeep(text);
  if (deep !== undefined) {
    throw invalid(field === '(body)' ? deep : field, TOO_DEEP_DETAIL);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(field, 'is not valid JSON');
  }
}

/**
 * The first string, key or nesting in a parsed value that breaks the guard, with what is wrong;
 * undefined when all is well.
 */
export function textIssue(value: unknown, path: string, depth = 0): FieldError | undefined {
  return passesTextGuard(value, depth) ? undefined : firstTextIssue(value, path, depth);
}

/** {@link textIssue}'s check without the paths it builds to name a field. */
function passesTextGuard(value: unknown, depth: number): boolean {
  if (typeof value === 'string') return !BAD_TEXT.test(value);
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return true;
  if (depth >= MAX_JSON_DEPTH) return false;
  for (const k of Object.keys(value)) {
    if (BAD_TEXT.test(k) || !passesTextGuard((value as Record<string, unknown>)[k], depth + 1)) return false;
  }
  return true;
}

function firstTextIssue(value: unknown, path: string, depth: number): FieldError | undefined {
  if (typeof value === 'string') {
    return BAD_TEXT.test(value) ? { field: path || '(body)', detail: BAD_TEXT_DETAIL } : undefined;
  }
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return undefined;
  if (depth >= MAX_JSON_DEPTH) return { field: path.split(/[.[]/)[0] || '(body)', detail: TOO_DEEP_DETAIL };
  const inArray = Array.isArray(value);
  for (const [k, v] of Object.entries(value)) {
    if (BAD_TEXT.test(k)) return { field: path || '(body)', detail: BAD_TEXT_DETAIL };
    const issue = firstTextIssue(v, joinPath(path, k, inArray), depth + 1);
    if (issue) return issue;
  }
  return undefined;
}

/** The path of the first string (or key) holding bad text or nested too deep, or undefined. */
export function badTextField(value: unknown, path: string): string | undefined {
  return textIssue(value, path)?.field;
}
