/** NUL and unpaired surrogates: PostgreSQL refuses them and no client means them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the NUL character is what is refused
const BAD_TEXT = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string (or key) holding such text, or undefined. */
export function badTextField(value: unknown, path: string, depth = 0): string | undefined {
  if (typeof value === 'string') return BAD_TEXT.test(value) ? path || '(body)' : undefined;
  if (depth > 32 || value === null || typeof value !== 'object') return undefined;
  for (const [k, v] of Object.entries(value)) {
    if (BAD_TEXT.test(k)) return path || '(body)';
    const at = Array.isArray(value) ? `${path}[${k}]` : path ? `${path}.${k}` : k;
    const bad = badTextField(v, at, depth + 1);
    if (bad) return bad;
  }
  return undefined;
}
