import { type SelectQueryBuilder, type SqlBool, sql } from 'kysely';
import type { Database, Executor, StoreKind } from './database.ts';
import { INBOX_MESSAGE_COLUMNS, type InboxRow } from './inbox.repository.ts';

/**
 * The batched reads behind live inbox watchers (services/inbox-frames.ts): one statement each
 * for all the watchers one commit wakes, however many. Lists travel as one bound value (a JSON
 * array on SQLite, an array on PostgreSQL) rather than `in (?, ?, …)`, so 10k ids are one
 * statement with one text, prepared once.
 */

/** The part of an inbox item that differs per recipient: the notification row. */
export type WatchItemRow = Pick<
  InboxRow,
  'id' | 'user_id' | 'message_id' | 'bucket_id' | 'template_id' | 'tenant_id' | 'read_at' | 'created_at'
>;

/**
 * The part every recipient shares: the message (with the bucket, template and tenant each of
 * its items copies).
 */
export type WatchMessageRow = Omit<InboxRow, keyof WatchItemRow> &
  Pick<InboxRow, 'bucket_id' | 'template_id' | 'tenant_id'> & { id: string };

/**
 * What differs per recipient of one fan-out (the rest of the item is the message's), with the
 * recipient's unread count as of the read.
 */
export type FanOutItemRow = Pick<InboxRow, 'id' | 'user_id' | 'read_at'> & { unread: number };

const ITEM_COLUMNS = [
  'n.id',
  'n.user_id',
  'n.message_id',
  'n.bucket_id',
  'n.template_id',
  'n.tenant_id',
  'n.read_at',
  'n.created_at',
] as const;

/** `column` is one of `values`. */
function inList(kind: StoreKind, column: string, values: readonly string[]) {
  return kind === 'postgres'
    ? sql<SqlBool>`${sql.ref(column)} = any(cast(${values} as text[]))`
    : sql<SqlBool>`${sql.ref(column)} in (select value from json_each(${JSON.stringify(values)}))`;
}

// Query-builder SELECTs, not raw statements: on SQLite only those run on the reader connection.
const items = (db: Executor) =>
  db
    .selectFrom('notifications as n')
    .select(ITEM_COLUMNS)
    .where('n.archived_at', 'is', null)
    .where('n.held_since', 'is', null);

/** Items by id (absent once archived, held or deleted). Each carries its `user_id`. */
export async function getWatchItemsByIds(
  db: Executor,
  kind: StoreKind,
  ids: readonly string[],
): Promise<WatchItemRow[]> {
  if (ids.length === 0) return [];
  return items(db)
    .where(inList(kind, 'n.id', ids))
    .execute();
}

/**
 * The items one whole-bucket fan-out wrote, each with its user's unread count (items snoozed
 * past `awakeAt` not counted, as the inbox list leaves them out), in one statement: for the
 * listed users only, each found by the (user_id, created_at) index, so the read grows with the
 * users asked about, not with the bucket; or, with `userIds` null, all of them by message (for
 * a fan-out not much bigger than the list). Each count is one seek in the unread index (0018).
 * Only what differs per recipient: everything else an item shows is its message's.
 */
export async function getFanOutItems(
  db: Executor,
  kind: StoreKind,
  fanOut: { messageId: string; createdAt: number },
  userIds: readonly string[] | null,
  awakeAt: number,
): Promise<FanOutItemRow[]> {
  let q = db
    .selectFrom('notifications as n')
    .select([
      'n.id',
      'n.user_id',
      'n.read_at',
      (eb) =>
        unreadOf(eb.selectFrom('notifications as u').whereRef('u.user_id', '=', 'n.user_id'), awakeAt)
          .select((c) => c.fn.countAll<number | string>().as('c'))
          .as('unread'),
    ])
    .where('n.message_id', '=', fanOut.messageId)
    .where('n.archived_at', 'is', null)
    .where('n.held_since', 'is', null);
  if (userIds !== null) {
    q = q.where('n.created_at', '=', fanOut.createdAt).where(inList(kind, 'n.user_id', userIds));
  }
  const rows = await q.execute();
  return rows.map((r) => ({ id: r.id, user_id: r.user_id, read_at: r.read_at, unread: Number(r.unread) }));
}

/** Narrows a query on `notifications as u` to the items an unread count counts. */
function unreadOf<DB extends Database & { u: Database['notifications'] }, O>(
  q: SelectQueryBuilder<DB, 'u', O>,
  awakeAt: number,
): SelectQueryBuilder<DB, 'u', O> {
  return q
    .where('u.read_at', 'is', null)
    .where('u.archived_at', 'is', null)
    .where('u.held_since', 'is', null)
    .where(sql<SqlBool>`(u.snoozed_until is null or u.snoozed_until <= ${awakeAt})`);
}

/** The messages' columns an inbox item shows, by id. */
export async function getWatchMessages(
  db: Executor,
  kind: StoreKind,
  ids: readonly string[],
): Promise<Map<string, WatchMessageRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('messages as m')
    .select(['m.id', 'm.bucket_id', 'm.template_id', 'm.tenant_id', ...INBOX_MESSAGE_COLUMNS])
    .where(inList(kind, 'm.id', ids))
    .execute();
  return new Map(rows.map((m) => [m.id, m]));
}

/**
 * Unread counts of many users in one grouped query (users with none are absent). Items
 * snoozed past `awakeAt` are not counted, as the inbox list leaves them out.
 */
export async function countUnreadByUser(
  db: Executor,
  kind: StoreKind,
  userIds: readonly string[],
  awakeAt: number,
): Promise<Map<string, number>> {
  if (userIds.length === 0) return new Map();
  const rows = await unreadOf(
    db.selectFrom('notifications as u').where(inList(kind, 'u.user_id', userIds)),
    awakeAt,
  )
    .select(['u.user_id', (eb) => eb.fn.countAll<number | string>().as('n')])
    .groupBy('u.user_id')
    .execute();
  return new Map(rows.map((r) => [r.user_id, Number(r.n)]));
}

/** One inbox item from its two parts. */
export function joinWatchRow(item: WatchItemRow, m: WatchMessageRow): InboxRow {
  return {
    id: item.id,
    user_id: item.user_id,
    message_id: item.message_id,
    bucket_id: item.bucket_id,
    template_id: item.template_id,
    tenant_id: item.tenant_id,
    read_at: item.read_at,
    created_at: item.created_at,
    title: m.title,
    subtitle: m.subtitle,
    body: m.body,
    delivery_type: m.delivery_type,
    attachments: m.attachments,
    actions: m.actions,
    tap_action: m.tap_action,
    action_url: m.action_url,
    entity_type: m.entity_type,
    entity_id: m.entity_id,
    payload: m.payload,
  };
}
