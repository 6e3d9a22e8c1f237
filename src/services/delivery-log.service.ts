import type { AppContext } from '../context.ts';
import { AppError, conflict, invalid, notFound } from '../domain/errors.ts';
import type { DeliveryContent } from '../queue/enqueue.ts';
import {
  countDeliveries,
  type DeliveryRow,
  deleteDeliveries,
  deleteDelivery,
  fallbacksOf,
  getDelivery,
  type LogFilter,
  listDeliveries,
} from '../store/delivery.repository.ts';
import { loadChannelSetting } from './channel-settings.service.ts';
import { sendNowAndLog } from './immediate-send.service.ts';
import { maskedRecipient } from './user-address.service.ts';

/**
 * The delivery log: every delivery row read as history. `sending` is shown as `pending`, since
 * to the reader both mean "not done yet". `sentAt` is always a time: when it was sent, else
 * its last attempt, else when it was created (a log is read by time, and a history page must
 * be able to place every entry).
 */
export type LogStatus = 'pending' | 'sent' | 'failed' | 'skipped';

export interface LogEntryView {
  id: string;
  ruleId: string | null;
  ruleName: string | null;
  channel: string;
  status: LogStatus;
  sentAt: string;
  error: string | null;
  attempts: number;
  createdAt: string;
  /** What was sent: the recipient (`to`) and the rendered content. */
  payload: Record<string, unknown>;
  /** The failed entry this one retried, if it is a retry. */
  retryOf: string | null;
  /** The entry this one is the fallback of (it failed for good, or its inbox item stayed unread). */
  fallbackOf: string | null;
  /** This entry's fallbacks, oldest first: sent when it failed for good or stayed unread. */
  fallbackIds: string[];
  /** Why a skipped entry was not sent (`read in time`); null otherwise. */
  reason: string | null;
  /** A channel test, not a rule or message delivery. */
  test: boolean;
}

export interface LogQuery {
  status?: LogStatus;
  ruleId?: string;
  channel?: string;
  /** Only entries created at or after this time (epoch ms). */
  since?: number;
  /** Only entries created before this time (epoch ms). */
  before?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();

function parsed(text: string): Record<string, unknown> {
  try {
    const value = JSON.parse(text) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const toLogEntry = (r: DeliveryRow, fallbacks: ReadonlyMap<string, string[]>): LogEntryView => {
  const content = parsed(r.content) as Partial<DeliveryContent>;
  const skipped = r.status === 'skipped';
  return {
    id: r.id,
    ruleId: r.rule_id,
    ruleName: r.rule_name,
    channel: r.channel,
    status: (r.status === 'sending' ? 'pending' : r.status) as LogStatus,
    // updated_at moves with every attempt's outcome (and with a skip); before the first attempt
    // it is the creation.
    sentAt: iso(r.sent_at ?? (r.attempts > 0 || skipped ? r.updated_at : r.created_at)),
    error: skipped ? null : r.last_error,
    attempts: r.attempts,
    createdAt: iso(r.created_at),
    payload: { to: maskedRecipient(parsed(r.recipient)), ...content },
    retryOf: r.retry_of ?? null,
    fallbackOf: r.fallback_of ?? null,
    fallbackIds: fallbacks.get(r.id) ?? [],
    reason: skipped ? r.last_error : null,
    test: content.data?.test === true,
  };
};

/** Log entries with their fallbacks looked up (one indexed query for the lot). */
async function entriesOf(ctx: AppContext, rows: readonly DeliveryRow[]): Promise<LogEntryView[]> {
  const fallbacks = await fallbacksOf(
    ctx.store.db,
    rows.filter((r) => r.fallback_id).map((r) => r.id),
  );
  return rows.map((r) => toLogEntry(r, fallbacks));
}

const filterOf = (q: LogQuery): LogFilter => {
  if (q.since !== undefined && q.before !== undefined && q.since >= q.before) {
    throw invalid('since', 'must be before `before`');
  }
  return { status: q.status, ruleId: q.ruleId, channel: q.channel, since: q.since, before: q.before };
};

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
  return { entries: await entriesOf(ctx, rows), total };
}

/**
 * A failed delivery is sent again, now, in the request: one attempt, recorded as a new entry
 * linked to the failed one (which keeps its record). Resolves with the new entry once it was
 * sent; throws a 502 quoting the failure otherwise (the new entry is then failed too).
 */
export async function retryDelivery(ctx: AppContext, id: string): Promise<LogEntryView> {
  const row = await getDelivery(ctx.store.db, id);
  if (!row) throw notFound('Log entry');
  if (row.status !== 'failed') {
    const status = row.status === 'sending' ? 'pending' : row.status;
    throw conflict(`Only failed deliveries can be retried; this one is ${status}.`);
  }
  const setting = await loadChannelSetting(ctx, row.channel);
  const refusal = !setting
    ? `the ${row.channel} channel is not configured`
    : !setting.enabled
      ? `the ${row.channel} channel is disabled; enable it, then retry`
      : !setting.config
        ? `the ${row.channel} channel's secrets cannot be decrypted (HERALD_SECRET changed?); save it again`
        : undefined;
  const outcome = await sendNowAndLog(ctx, {
    channel: row.channel,
    config: setting?.config ?? null,
    content: parsed(row.content) as unknown as DeliveryContent,
    recipient: { ...parsed(row.recipient), userId: row.user_id },
    ruleId: row.rule_id,
    ruleName: row.rule_name,
    messageId: row.message_id,
    retryOf: row.id,
    refusal,
  });
  if (!outcome.ok) {
    throw new AppError(
      'deliveryFailed',
      `The retry was not delivered: ${outcome.error}`,
      [],
      `The retry was not delivered: ${outcome.error}`,
    );
  }
  const entry = await getDelivery(ctx.store.db, outcome.id);
  return (await entriesOf(ctx, [entry!]))[0];
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
