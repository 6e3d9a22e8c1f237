// Server-Sent Events framing (https://html.spec.whatwg.org/multipage/server-sent-events.html).
// The inbox stream sends the same payloads as the WebSocket watch; only this encoder differs.

export interface SseEvent {
  /** Becomes the client's Last-Event-ID on reconnect, so it must identify a replay position. */
  id?: string;
  /** Event type for `addEventListener`; omitted means the default `message`. */
  event?: string;
  /** Strings are sent as-is; anything else as JSON. */
  data: unknown;
}

/**
 * Comment line to write every ~15–30 s: proxies and load balancers close connections that stay
 * silent, and a comment is ignored by every EventSource client.
 */
export const SSE_HEARTBEAT = ': ping\n\n';

/**
 * Headers for a stream response. `x-accel-buffering: no` stops nginx from holding frames back;
 * no `connection` header, which HTTP/2 forbids.
 */
export const SSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
});

// A line break inside `id` or `event` would start a new field (or end the frame), and the spec
// makes a client ignore an `id` containing NUL; both mean a bug upstream, so refuse loudly.
const FIELD_BREAKERS = /[\r\n\0]/;

export function encodeSse(event: SseEvent): string {
  let frame = '';
  if (event.id !== undefined) frame += `id: ${checkField('id', event.id)}\n`;
  if (event.event !== undefined) frame += `event: ${checkField('event', event.event)}\n`;
  const data = typeof event.data === 'string' ? event.data : (JSON.stringify(event.data) ?? '');
  // Any of CRLF, CR or LF ends a line in the stream, so each becomes its own `data:` line; the
  // client joins them back with `\n`.
  for (const line of data.split(/\r\n|\r|\n/)) frame += `data: ${line}\n`;
  return `${frame}\n`;
}

function checkField(name: string, value: string): string {
  if (FIELD_BREAKERS.test(value)) throw new TypeError(`SSE ${name} must not contain CR, LF or NUL`);
  return value;
}
