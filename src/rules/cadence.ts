import type { RuleCadence, RuleEvent } from './rule.types.ts';

/** The event every committed message records; digests list such events by their title. */
export const MESSAGE_CREATED = 'message.created';

/** A digest lists at most this many events so one noisy window cannot make an unreadable message. */
export const MAX_DIGEST_LINES = 50;

/** Longest single digest line; events can carry large fields and the digest is a summary. */
const MAX_LINE_LENGTH = 200;

/** Top-level scalar fields shown per digest line, enough to tell events apart. */
const MAX_FIELDS_PER_LINE = 5;

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

export type CadenceDecision =
  | { fire: 'now' }
  | { fire: 'skip' }
  | { fire: 'digest'; windowKey: string; windowStart: Date; windowEnd: Date };

export interface DigestWindow {
  windowKey: string;
  windowStart: Date;
  windowEnd: Date;
}

/**
 * What a matching rule does at `now`. Throttle is measured from the last firing, not from a
 * fixed grid, so "at most once per 15 minutes" holds for any 15-minute span; exactly `minutes`
 * after the last firing is allowed again. A last firing in the future (clock moved back) is
 * treated as recent, which errs on the side of staying quiet.
 */
export function decideCadence(
  cadence: RuleCadence,
  now: Date,
  state: { lastFiredAt: Date | null },
): CadenceDecision {
  switch (cadence.type) {
    case 'instant':
      return { fire: 'now' };
    case 'throttle': {
      const last = state.lastFiredAt;
      if (last && now.getTime() - last.getTime() < cadence.minutes * MINUTE_MS) return { fire: 'skip' };
      return { fire: 'now' };
    }
    case 'digest':
      return { fire: 'digest', ...digestWindow(cadence.every, now) };
  }
}

/**
 * The UTC hour or day containing `at`. Windows are UTC so every Herald process (and every
 * store) agrees on the key that groups a digest, whatever the host's time zone.
 */
export function digestWindow(every: 'hour' | 'day', at: Date): DigestWindow {
  const iso = at.toISOString();
  if (every === 'hour') {
    const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate(), at.getUTCHours());
    return {
      windowKey: iso.slice(0, 13),
      windowStart: new Date(start),
      windowEnd: new Date(start + HOUR_MS),
    };
  }
  const start = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  return { windowKey: iso.slice(0, 10), windowStart: new Date(start), windowEnd: new Date(start + DAY_MS) };
}

/** One combined message for a digest window: a count, then one line per event, oldest first. */
export function renderDigest(
  ruleName: string,
  events: readonly RuleEvent[],
): { title: string; body: string } {
  const count = events.length;
  const messages = count > 0 && events.every((e) => e.name === MESSAGE_CREATED);
  const noun = messages ? (count === 1 ? 'message' : 'messages') : count === 1 ? 'event' : 'events';
  const title = `${ruleName}: ${count} ${noun}`;
  if (count === 0) return { title, body: 'No events in this window.' };
  const ordered = [...events].sort((a, b) => a.occurredAt.getTime() - b.occurredAt.getTime());
  const lines = ordered.slice(0, MAX_DIGEST_LINES).map(describeEvent);
  if (count > MAX_DIGEST_LINES) lines.push(`…and ${count - MAX_DIGEST_LINES} more`);
  const body = `${count} ${noun} matched rule "${ruleName}":\n${lines.join('\n')}`;
  return { title, body };
}

function describeEvent(event: RuleEvent): string {
  if (event.name === MESSAGE_CREATED && typeof event.fields.title === 'string') {
    const where = typeof event.fields.bucket === 'string' ? ` [${event.fields.bucket}]` : '';
    const type = event.fields.deliveryType === 'NORMAL' ? '' : ` ${String(event.fields.deliveryType)}`;
    const line = `- ${event.occurredAt.toISOString()}${where}${type} ${event.fields.title}`;
    return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH - 1)}…` : line;
  }
  const details = Object.entries(event.fields)
    .filter(
      ([, value]) => typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean',
    )
    .slice(0, MAX_FIELDS_PER_LINE)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(', ');
  const line = `- ${event.occurredAt.toISOString()} ${event.name}${details ? ` (${details})` : ''}`;
  return line.length > MAX_LINE_LENGTH ? `${line.slice(0, MAX_LINE_LENGTH - 1)}…` : line;
}
