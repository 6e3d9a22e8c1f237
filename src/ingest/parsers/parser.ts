/**
 * The contract every built-in transform parser fulfils.
 *
 * Glossary:
 * - payload: the raw JSON body a known outside system (Sonarr, Alertmanager, …) posts to
 *   `POST /api/v1/messages/transform?parser=<name>`.
 * - parser: a pure function from (payload, headers, now) to a ParsedMessage, or to SKIPPED when
 *   the payload is one the parser deliberately ignores (Zentik's parsers "skip" a payload their
 *   validation does not accept; the route then answers 204 and stores nothing). It never touches
 *   the store or the network, and reads the clock only through `now`, so the same payload always
 *   yields the same message and the parsers can be tested with payloads alone.
 * - ParsedMessage: the fields of a message minus the bucket; the ingest layer adds the bucket
 *   and stores it like any other message.
 */

export type DeliveryType = 'SILENT' | 'NORMAL' | 'CRITICAL';

export type ActionType =
  | 'NAVIGATE'
  | 'BACKGROUND_CALL'
  | 'MARK_AS_READ'
  | 'SNOOZE'
  | 'OPEN_NOTIFICATION'
  | 'WEBHOOK'
  | 'DELETE';

export type MediaType = 'VIDEO' | 'IMAGE' | 'GIF' | 'AUDIO' | 'ICON' | 'FILE';

export interface ParsedAttachment {
  mediaType: MediaType;
  url: string;
  name?: string;
  saveOnServer?: boolean;
}

export interface ParsedAction {
  type: ActionType;
  value: string;
  title?: string;
  destructive?: boolean;
  icon?: string;
}

/** What a parser makes of a payload: the fields of a message minus the bucket. */
export interface ParsedMessage {
  /** At most {@link TITLE_MAX} characters. */
  title: string;
  /** At most {@link SUBTITLE_MAX} characters. */
  subtitle?: string;
  /** At most {@link BODY_MAX} characters. */
  body?: string;
  deliveryType: DeliveryType;
  tapAction?: ParsedAction;
  actions?: ParsedAction[];
  groupId?: string;
  /** e.g. an alert fingerprint, so a resolved alert replaces the firing one. */
  collapseId?: string;
  imageUrl?: string;
  attachments?: ParsedAttachment[];
}

/** Raised when the payload is not something this parser understands; the HTTP edge maps it to 400. */
export class ParserInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ParserInputError';
  }
}

/** A parser's answer for a payload it deliberately ignores: no message, and the route answers 204. */
export const SKIPPED = null;
export type Skipped = typeof SKIPPED;

/**
 * headers: lower-cased request header names → values; now: the request's time, for payloads
 * that leave a timestamp out. Pure: no I/O, no randomness.
 */
export type Parser = (
  payload: unknown,
  headers: Readonly<Record<string, string | undefined>>,
  now: Date,
) => ParsedMessage | Skipped;

/** A parser that never skips (Herald's own: alertmanager, grafana, uptime-kuma); it may ignore `now`. */
export type MessageParser = (
  payload: unknown,
  headers: Readonly<Record<string, string | undefined>>,
  now?: Date,
) => ParsedMessage;

// The message API rejects longer values (spec: "Validation & limits"), so parsers clip
// instead of letting a verbose webhook turn into a 400 for the sender.
export const TITLE_MAX = 100; // characters
export const SUBTITLE_MAX = 100; // characters
export const BODY_MAX = 500; // characters

const ELLIPSIS = '…';

/**
 * Shortens text to `max` characters, ending in an ellipsis when cut. Counts code points so an
 * emoji is never split into a lone surrogate.
 */
export function clip(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars
    .slice(0, max - 1)
    .join('')
    .trimEnd()}${ELLIPSIS}`;
}

/** Titles and subtitles are one line on a lock screen; line breaks there only waste space. */
function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * The last step of every parser: enforces the length limits and drops empty optional text, so
 * each parser can build its message loosely and still hand back something the API accepts.
 */
export function finishMessage(message: ParsedMessage): ParsedMessage {
  const title = clip(oneLine(message.title), TITLE_MAX);
  const subtitle = message.subtitle === undefined ? '' : clip(oneLine(message.subtitle), SUBTITLE_MAX);
  const body = message.body === undefined ? '' : clip(message.body.trim(), BODY_MAX);
  const out: ParsedMessage = { ...message, title };
  if (subtitle) out.subtitle = subtitle;
  else delete out.subtitle;
  if (body) out.body = body;
  else delete out.body;
  if (out.actions !== undefined && out.actions.length === 0) delete out.actions;
  if (out.attachments !== undefined && out.attachments.length === 0) delete out.attachments;
  for (const key of ['tapAction', 'groupId', 'collapseId', 'imageUrl'] as const) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}

/**
 * The last step of the parsers that reproduce Zentik's: its text is kept as Zentik builds it
 * (line breaks, trailing newlines, spacing), only cut to Herald's limits, which Zentik does not
 * apply to transformed messages. Empty optional text is dropped, as an empty subtitle is no
 * subtitle to a reader.
 */
export function finishZentikMessage(message: ParsedMessage): ParsedMessage {
  const out: ParsedMessage = { ...message, title: clip(message.title, TITLE_MAX) };
  if (message.subtitle) out.subtitle = clip(message.subtitle, SUBTITLE_MAX);
  else delete out.subtitle;
  if (message.body) out.body = clip(message.body, BODY_MAX);
  else delete out.body;
  if (out.attachments !== undefined && out.attachments.length === 0) delete out.attachments;
  return out;
}
