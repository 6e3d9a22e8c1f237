/**
 * Text helpers shared by the chat channels. Each receiver caps field lengths and refuses the whole
 * message when one is exceeded, so Herald cuts long text itself rather than turn a long body into a
 * permanent failure.
 */

/** Cuts to at most `max` UTF-16 units, ending with an ellipsis when cut, without splitting a surrogate pair. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/**
 * The one HTML escaper, for text and attribute values alike (rendered markdown, email bodies,
 * Telegram's HTML parse mode). Numeric references, because Telegram knows only four named entities
 * (no `&apos;`) and refuses the whole message on any other; every HTML reader decodes them the same.
 * Decoding goes through the `entities` package, which knows every HTML5 name.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** An http(s) URL as given, or undefined, for receivers that reject a message with any other link. */
export function httpUrlOrUndefined(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
