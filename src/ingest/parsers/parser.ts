/**
 * The contract every built-in transform parser fulfils.
 *
 * Glossary:
 * - payload: the raw JSON body a known outside system (Sonarr, Alertmanager, …) posts to
 *   `POST /api/v1/messages/transform?parser=<name>`.
 * - parser: a pure function from (payload, headers) to a ParsedMessage. It never touches the
 *   store, the clock or the network, so the same payload always yields the same message and
 *   the parsers can be tested with fixtures alone.
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

/** headers: lower-cased request header names → values. Pure: no I/O, no clock, no randomness. */
export type Parser = (
  payload: unknown,
  headers: Readonly<Record<string, string | undefined>>,
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
  for (const key of ['tapAction', 'groupId', 'collapseId', 'imageUrl'] as const) {
    if (out[key] === undefined) delete out[key];
  }
  return out;
}
