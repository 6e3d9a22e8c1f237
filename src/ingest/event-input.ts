import type { AppContext } from '../context.ts';
import { invalid } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import { insertEvents } from '../store/event.repository.ts';

/** Event names: dotted segments of letters, digits, `_` and `-` (e.g. `backup.failed`). */
export const EVENT_NAME_RE = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;
/** bytes: the largest field map an event may carry. */
export const MAX_EVENT_BYTES = 64 * 1024;

/**
 * Records an event an application posted; it is committed before this returns and the rules
 * engine processes it from the events table (so nothing is lost if the process stops right
 * after). Any name may be posted, Herald's own (`auth.*`, `settings.*`, ...) included: routing
 * other systems' events is the point. What tells them apart is the `source` the server sets,
 * `app` here, which rules can test as `$source`; no caller can record a `herald` event.
 */
export async function recordEvent(
  ctx: AppContext,
  input: { name: string; fields: Record<string, unknown>; occurredAt?: string },
): Promise<{ id: string; name: string; occurredAt: string }> {
  if (!EVENT_NAME_RE.test(input.name) || input.name.length > 200) {
    throw invalid(
      'name',
      'must be dotted segments of letters, digits, "_" or "-" (e.g. backup.failed), at most 200 characters',
    );
  }
  const now = ctx.clock.now();
  let occurredAt = now;
  if (input.occurredAt !== undefined) {
    occurredAt = Date.parse(input.occurredAt);
    if (Number.isNaN(occurredAt)) throw invalid('occurredAt', 'must be an ISO 8601 date-time');
  }
  if (Buffer.byteLength(JSON.stringify(input.fields)) > MAX_EVENT_BYTES) {
    throw invalid('(body)', `the event's fields must be at most ${MAX_EVENT_BYTES} bytes of JSON`);
  }
  const id = newId(now);
  await ctx.store.writer.run((tx) =>
    insertEvents(tx, [{ id, name: input.name, fields: input.fields, occurredAt, source: 'app' }], now),
  );
  ctx.signals.eventsCommitted.emit({ count: 1 });
  return { id, name: input.name, occurredAt: new Date(occurredAt).toISOString() };
}
