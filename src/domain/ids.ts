import { randomUUID } from 'node:crypto';

/**
 * UUIDv7: a millisecond timestamp then randomness. Ids sort roughly by creation time, which
 * keeps primary-key indexes append-mostly and gives keyset paging a natural tie-breaker.
 * The random part comes from a v4 UUID (its variant bits are the same as v7's): Node draws those
 * from a pooled buffer, where a fresh `randomBytes` per id was a system call each time.
 */
export function newId(now = Date.now()): string {
  const t = now.toString(16).padStart(12, '0');
  const r = randomUUID();
  return `${t.slice(0, 8)}-${t.slice(8, 12)}-7${r.slice(15, 18)}-${r.slice(19)}`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isUuid = (s: string): boolean => UUID_RE.test(s);
