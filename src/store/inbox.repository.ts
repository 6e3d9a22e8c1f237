import type { ExpressionBuilder } from 'kysely';
import type { Database, Executor } from './database.ts';

/** A notification joined with the message it delivers: everything an inbox item shows. */
export interface InboxRow {
  id: string;
  user_id: string;
  message_id: string;
  bucket_id: string | null;
  template_id: string | null;
  tenant_id: string | null;
  read_at: number | null;
  created_at: number;
  title: string;
  subtitle: string | null;
  body: string | null;
  delivery_type: string;
  attachments: string;
  actions: string;
  tap_action: string | null;
  action_url: string | null;
  entity_type: string | null;
  entity_id: string | null;
  payload: string | null;
}

export interface InboxFilter {
  targets?: readonly string[];
  templates?: readonly string[];
  readStatus?: 'read' | 'unread' | 'all';
  /** Leaves out items snoozed past this time (epoch ms); they come back once it has passed. */
  awakeAt?: number;
}

/** Not snoozed, or snoozed until a time at or before `now`. */
const awake = (now: number) => (eb: ExpressionBuilder<Database, 'notifications'>) =>
  eb.or([eb('snoozed_until', 'is', null), eb('snoozed_until', '<=', now)]);

/** What an inbox item shows: the notification and the message it delivers. */
/** The message's part of an inbox item, as every inbox read shows it. */
export const INBOX_MESSAGE_COLUMNS = [
  'm.title',
  'm.subtitle',
  'm.body',
  'm.delivery_type',
  'm.attachments',
  'm.actions',
  'm.tap_action',
  'm.action_url',
  'm.entity_type',
  'm.entity_id',
  'm.payload',
] as const;

const INBOX_COLUMNS = [
  'n.id',
  'n.user_id',
  'n.message_id',
  'n.bucket_id',
  'n.template_id',
  'n.tenant_id',
  'n.read_at',
  'n.created_at',
  ...INBOX_MESSAGE_COLUMNS,
] as const;

function base(db: Executor, userId: string) {
  return db
    .selectFrom('notifications as n')
    .innerJoin('messages as m', 'm.id', 'n.message_id')
    .select(INBOX_COLUMNS)
    .where('n.user_id', '=', userId)
    .where('n.archived_at', 'is', null)
    .where('n.held_since', 'is', null);
}

type InboxQuery = ReturnType<typeof base>;

function applyFilter(q: InboxQuery, filter: InboxFilter): InboxQuery {
  // An item matches when it carries every listed target (as coderd filters), not any one.
  for (const t of filter.targets ?? []) {
    q = q.where((eb) =>
      eb.or([eb('n.bucket_id', '=', t), eb('n.message_id', '=', t), eb('m.entity_id', '=', t)]),
    );
  }
  if (filter.templates && filter.templates.length > 0) q = q.where('n.template_id', 'in', filter.templates);
  if (filter.readStatus === 'read') q = q.where('n.read_at', 'is not', null);
  if (filter.readStatus === 'unread') q = q.where('n.read_at', 'is', null);
  const at = filter.awakeAt;
  if (at !== undefined) {
    q = q.where((eb) => eb.or([eb('n.snoozed_until', 'is', null), eb('n.snoozed_until', '<=', at)]));
  }
  return q;
}

export async function listInbox(
  db: Executor,
  userId: string,
  filter: InboxFilter,
  page: { limit: number; before?: { createdAt: number; id: string } },
): Promise<InboxRow[]> {
  let q = applyFilter(base(db, userId), filter);
  const before = page.before;
  if (before) {
    q = q.where((eb) =>
      eb.or([
        eb('n.created_at', '<', before.createdAt),
        eb.and([eb('n.created_at', '=', before.createdAt), eb('n.id', '<', before.id)]),
      ]),
    );
  }
  return q.orderBy('n.created_at', 'desc').orderBy('n.id', 'desc').limit(page.limit).execute();
}

export async function getInboxItem(db: Executor, userId: string, id: string): Promise<InboxRow | undefined> {
  return base(db, userId).where('n.id', '=', id).executeTakeFirst();
}

/** Unread items; with `awakeAt`, those snoozed past it are not counted. */
export async function countUnread(db: Executor, userId: string, awakeAt?: number): Promise<number> {
  let q = db
    .selectFrom('notifications')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .where('archived_at', 'is', null)
    .where('held_since', 'is', null);
  if (awakeAt !== undefined) q = q.where(awake(awakeAt));
  const row = await q.executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function notificationCursor(
  db: Executor,
  userId: string,
  id: string,
): Promise<{ createdAt: number; id: string } | undefined> {
  const row = await db
    .selectFrom('notifications')
    .select(['created_at', 'id'])
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('held_since', 'is', null)
    .executeTakeFirst();
  return row ? { createdAt: row.created_at, id: row.id } : undefined;
}

/** Sets or clears read_at on one of the user's notifications; false if it is not theirs. */
export async function setReadAt(
  db: Executor,
  userId: string,
  id: string,
  readAt: number | null,
): Promise<boolean> {
  let q = db
    .updateTable('notifications')
    .set({ read_at: readAt })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('held_since', 'is', null);
  // Marking read keeps the first read time.
  if (readAt !== null) q = q.where('read_at', 'is', null);
  const res = await q.executeTakeFirst();
  if (Number(res.numUpdatedRows) > 0) return true;
  const exists = await db
    .selectFrom('notifications')
    .select('id')
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('held_since', 'is', null)
    .executeTakeFirst();
  return exists !== undefined;
}

export async function markAllRead(db: Executor, userId: string, now: number): Promise<number> {
  const res = await db
    .updateTable('notifications')
    .set({ read_at: now })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .where('held_since', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/**
 * Releases every held item (the notifier resumed): each becomes a new item as of `now`, as
 * coderd's inbox items are created when its queue delivers them. Returns them for the watchers.
 */
export async function releaseHeld(
  db: Executor,
  now: number,
): Promise<Array<{ id: string; user_id: string }>> {
  return db
    .updateTable('notifications')
    .set({ held_since: null, created_at: now })
    .where('held_since', 'is not', null)
    .returning(['id', 'user_id'])
    .execute();
}

/**
 * Items a reconnecting stream missed, oldest first. Notification ids are random within one
 * millisecond, so "after" cannot be decided by id among items sharing the cursor's timestamp:
 * all of those (except the cursor itself) are included, and the client drops the few it already
 * has by id. Skipping them could lose an item for good; resending one is harmless.
 */
export async function listInboxAfter(
  db: Executor,
  userId: string,
  after: { createdAt: number; id: string },
  filter: InboxFilter,
  limit: number,
): Promise<InboxRow[]> {
  return applyFilter(base(db, userId), filter)
    .where('n.created_at', '>=', after.createdAt)
    .where('n.id', '!=', after.id)
    .orderBy('n.created_at', 'asc')
    .orderBy('n.id', 'asc')
    .limit(limit)
    .execute();
}

/** Most ids or users in one IN list, well under SQLite's and PostgreSQL's parameter limits. */
const IN_CHUNK = 500;

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += IN_CHUNK) out.push(items.slice(i, i + IN_CHUNK));
  return out;
}

/**
 * Snoozes one of the user's items until `until` (epoch ms), or wakes it (`null`); false when the
 * item is not theirs (or is held back by a pause).
 */
export async function setSnoozedUntil(
  db: Executor,
  userId: string,
  id: string,
  until: number | null,
): Promise<boolean> {
  const res = await db
    .updateTable('notifications')
    .set({ snoozed_until: until })
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .where('archived_at', 'is', null)
    .where('held_since', 'is', null)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

/** The user's items snoozed past `now`, soonest back first. */
export async function listSnoozed(
  db: Executor,
  userId: string,
  now: number,
  limit: number,
): Promise<Array<InboxRow & { snoozed_until: number }>> {
  const rows = await base(db, userId)
    .select('n.snoozed_until')
    .where('n.snoozed_until', '>', now)
    .orderBy('n.snoozed_until', 'asc')
    .orderBy('n.id', 'asc')
    .limit(limit)
    .execute();
  return rows as Array<InboxRow & { snoozed_until: number }>;
}

/** Each of these users' inbox item for one message (a message gives a user at most one). */
export async function inboxItemsOfMessage(
  db: Executor,
  messageId: string,
  userIds: readonly string[],
): Promise<Array<{ id: string; user_id: string }>> {
  const rows: Array<{ id: string; user_id: string }> = [];
  for (const part of chunks([...new Set(userIds)])) {
    rows.push(
      ...(await db
        .selectFrom('notifications')
        .select(['id', 'user_id'])
        .where('message_id', '=', messageId)
        .where('user_id', 'in', part)
        .execute()),
    );
  }
  return rows;
}

/** Whether an inbox item has been read; undefined when it no longer exists. */
export async function isInboxItemRead(db: Executor, id: string): Promise<boolean | undefined> {
  const row = await db.selectFrom('notifications').select('read_at').where('id', '=', id).executeTakeFirst();
  return row ? row.read_at !== null : undefined;
}
