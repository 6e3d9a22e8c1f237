import { newId } from '../domain/ids.ts';
import type { Executor } from './database.ts';
import { executeDeferred } from './deferred-write.ts';
import { preparedQuery } from './prepared-query.ts';

export interface NewEvent {
  id: string;
  name: string;
  fields: Record<string, unknown>;
  occurredAt: number;
  /** Who recorded it; Herald's own events (the default) are `herald`. */
  source?: 'herald' | 'app';
}

/** The `settings.updated` event every settings change records. */
export const settingsUpdated = (now: number, fields: Record<string, unknown>): NewEvent => ({
  id: newId(now),
  name: 'settings.updated',
  fields,
  occurredAt: now,
});

/** A message's body is cut to this in its event: rules match on it, digests quote it. */
export const MESSAGE_EVENT_BODY_CHARS = 1000;

/**
 * `message.created`, recorded with every committed message. Its source is `app`: the content
 * is the sender's, not something Herald itself observed.
 */
export const messageCreatedEvent = (id: string, fields: Record<string, unknown>, now: number): NewEvent => ({
  id,
  name: 'message.created',
  fields,
  occurredAt: now,
  source: 'app',
});

const eventRow = (e: NewEvent, now: number) => ({
  id: e.id,
  name: e.name,
  fields: JSON.stringify(e.fields),
  occurred_at: e.occurredAt,
  created_at: now,
  processed_at: null,
  source: e.source ?? 'herald',
});

/** One event (every message records one), without building the insert each time. */
const insertOneEvent = preparedQuery((db, row: ReturnType<typeof eventRow>) =>
  db.insertInto('events').values(row),
);

export async function insertEvents(db: Executor, events: readonly NewEvent[], now: number): Promise<void> {
  if (events.length === 0) return;
  const query =
    events.length === 1
      ? insertOneEvent(db, eventRow(events[0], now))
      : db.insertInto('events').values(events.map((e) => eventRow(e, now)));
  await executeDeferred(db, query);
}

export async function listEventsByName(db: Executor, name: string, limit = 100) {
  return db
    .selectFrom('events')
    .selectAll()
    .where('name', '=', name)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
}

/** Deletes events the rules engine processed before `before` (epoch ms). */
export async function purgeProcessedEvents(db: Executor, before: number): Promise<number> {
  const res = await db
    .deleteFrom('events')
    .where('processed_at', 'is not', null)
    .where('created_at', '<', before)
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}
