import type { AppContext } from '../context.ts';
import { conflict, notFound } from '../domain/errors.ts';
import { wakeDispatchers } from '../queue/enqueue.ts';
import {
  countDeliveries,
  type DeliveryRow,
  deleteDeliveries,
  deleteDelivery,
  getDelivery,
  type LogFilter,
  listDeliveries,
  requeueFailed,
} from '../store/delivery.repository.ts';

/**
 * The delivery log: every delivery row read as history. `sending` is shown as `pending`, since
 * to the reader both mean "not done yet".
 */
export type LogStatus = 'pending' | 'sent' | 'failed';

export interface LogEntryView {
  id: string;
  ruleId: string | null;
  ruleName: string | null;
  channel: string;
  status: LogStatus;
  sentAt: string | null;
  error: string | null;
  attempts: number;
  createdAt: string;
}

export interface LogQuery {
  status?: LogStatus;
  ruleId?: string;
  /** Only entries created before this time (epoch ms). */
  before?: number;
}

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const toLogEntry = (r: DeliveryRow): LogEntryView => ({
  id: r.id,
  ruleId: r.rule_id,
  ruleName: r.rule_name,
  channel: r.channel,
  status: (r.status === 'sending' ? 'pending' : r.status) as LogStatus,
  sentAt: iso(r.sent_at),
  error: r.last_error,
  attempts: r.attempts,
  createdAt: new Date(r.created_at).toISOString(),
});

const filterOf = (q: LogQuery): LogFilter => ({ status: q.status, ruleId: q.ruleId, before: q.before });

/** Newest first; `page` counts from 1. */
export async function listLog(
  ctx: AppContext,
  query: LogQuery,
  page: number,
  limit: number,
): Promise<{ entries: LogEntryView[]; total: number }> {
  const filter = filterOf(query);
  const [rows, total] = await Promise.all([
    listDeliveries(ctx.store.db, filter, { offset: (page - 1) * limit, limit }),
    countDeliveries(ctx.store.db, filter),
  ]);
  return { entries: rows.map(toLogEntry), total };
}

/** A failed delivery is sent again, now, with a fresh attempt budget. */
export async function retryDelivery(ctx: AppContext, id: string): Promise<void> {
  const requeued = await ctx.store.writer.run((tx) => requeueFailed(tx, id, ctx.clock.now()));
  if (!requeued) {
    const row = await getDelivery(ctx.store.db, id);
    if (!row) throw notFound('Log entry');
    throw conflict(`Only failed deliveries can be retried; this one is ${toLogEntry(row).status}.`);
  }
  wakeDispatchers(ctx);
}

/** Deleting a pending entry means it is not sent. */
export async function removeLogEntry(ctx: AppContext, id: string): Promise<void> {
  const deleted = await ctx.store.writer.run((tx) => deleteDelivery(tx, id));
  if (!deleted) throw notFound('Log entry');
}

/** Deletes every entry matching all given filters; returns how many went. */
export async function removeLogEntries(ctx: AppContext, query: LogQuery): Promise<number> {
  const filter = filterOf(query);
  return ctx.store.writer.run((tx) => deleteDeliveries(tx, filter));
}
