import { randomUUID } from 'node:crypto';

/** The millisecond of the last id made here, and the counter its ids carry. */
let lastMs = Number.NaN;
let counter = 0;
/** Most ids one millisecond keeps in order: the counter's 12 bits, started in their lower half. */
const COUNTER_MAX = 0xfff;

/**
 * UUIDv7: a millisecond timestamp then randomness. Ids sort by creation time, which keeps
 * primary-key indexes append-mostly and gives keyset paging a natural tie-breaker. Within one
 * millisecond the 12 bits after the version count up from a random start (RFC 9562, method 1),
 * so ids made by this process in the same millisecond still sort in the order they were made
 * (events of one millisecond are processed in that order); past 2,048 or so in one millisecond
 * the count starts again at random. The rest comes from a v4 UUID (its variant bits are the
 * same as v7's): Node draws those from a pooled buffer, where a fresh `randomBytes` per id was a
 * system call each time.
 */
export function newId(now = Date.now()): string {
  const t = now.toString(16).padStart(12, '0');
  const r = randomUUID();
  if (now === lastMs && counter < COUNTER_MAX) counter++;
  else {
    lastMs = now;
    counter = Number.parseInt(r.slice(15, 18), 16) & 0x7ff;
  }
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-${r.slice(19)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID_RE.test(s);
