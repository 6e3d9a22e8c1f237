import {
  type Expression,
  type ExpressionBuilder,
  type Insertable,
  type RawBuilder,
  type Selectable,
  sql,
  type UpdateObject,
} from 'kysely';
import type { Recipients } from '../domain/message.ts';
import type { Database, Executor, StoreKind } from './database.ts';
import type { DeliveryTable } from './delivery.table.ts';
import { chunks, uuidSql } from './message.repository.ts';

/**
 * SQL for the deliveries table, which is both the queue and the log. The states and the
 * rules for moving between them are described in `src/queue/delivery-queue.ts`; this file
 * only runs the statements.
 */
export type DeliveryRow = Selectable<DeliveryTable>;
export type NewDeliveryRow = Insertable<DeliveryTable>;

/** Statuses still owed a send; the log shows both as `pending`. */
export const OPEN_STATUSES = ['pending', 'sending'] as const;

export async function insertDeliveries(db: Executor, rows: readonly NewDeliveryRow[]): Promise<void> {
  // 21 columns a row: 500 rows stay well under SQLite's and PostgreSQL's bound-parameter limits.
  for (const part of chunks(rows)) await db.insertInto('deliveries').values(part).execute();
}

/**
 * Leases up to `limit` due deliveries: sending ones whose lease ran out (their
 * `next_attempt_at` is the lease end, see the queue's state comment), then pending ones whose
 * time has come, oldest first. One UPDATE … RETURNING per status, because each is then a plain
 * range on the (status, next_attempt_at) index; `status in (…) order by` would sort every due
 * row on each claim. On PostgreSQL, `SKIP LOCKED` lets several processes claim side by side
 * without waiting on or double-claiming each other's rows. `expired: false` skips the first.
 */
export async function claimDue(
  db: Executor,
  kind: StoreKind,
  opts: { limit: number; now: number; leaseUntil: number; expired?: boolean },
): Promise<DeliveryRow[]> {
  const claim = async (status: 'pending' | 'sending', limit: number) => {
    let due = db
      .selectFrom('deliveries')
      .select('id')
      .where('status', '=', status)
      .where('next_attempt_at', '<=', opts.now)
      .where('held', '=', 0)
      .orderBy('next_attempt_at')
      .limit(limit);
    if (kind === 'postgres') due = due.forUpdate().skipLocked();
    return db
      .updateTable('deliveries')
      .set((eb) => ({
        status: 'sending',
        attempts: eb('attempts', '+', 1),
        lease_until: opts.leaseUntil,
        next_attempt_at: opts.leaseUntil,
        updated_at: opts.now,
      }))
      .where('id', 'in', due)
      .returningAll()
      .execute();
  };
  const expired = opts.expired === false ? [] : await claim('sending', opts.limit);
  if (expired.length >= opts.limit) return expired;
  return [...expired, ...(await claim('pending', opts.limit - expired.length))];
}

/** What an outcome write sets on a held row (plain values, or built from the row's columns). */
type HeldChange =
  | UpdateObject<Database, 'deliveries'>
  | ((eb: ExpressionBuilder<Database, 'deliveries'>) => UpdateObject<Database, 'deliveries'>);

/**
 * Outcome writes only touch a row still held under the lease this process took, so a worker
 * whose lease expired (and whose row another worker re-claimed) cannot overwrite the newer
 * attempt. This sets `change` on those of `ids`, a chunk at a time, and returns the ids it changed.
 */
async function updateHeld(
  db: Executor,
  ids: readonly string[],
  lease: number,
  change: HeldChange,
): Promise<string[]> {
  const changed: string[] = [];
  for (const part of chunks(ids)) {
    const rows = await db
      .updateTable('deliveries')
      .set(change)
      .where('id', 'in', part)
      .where('status', '=', 'sending')
      .where('lease_until', '=', lease)
      .returning('id')
      .execute();
    for (const r of rows) changed.push(r.id);
  }
  return changed;
}

/** {@link updateHeld} for one row: true when it was still held and changed. */
async function updateOneHeld(db: Executor, id: string, lease: number, change: HeldChange): Promise<boolean> {
  const res = await db
    .updateTable('deliveries')
    .set(change)
    .where('id', '=', id)
    .where('status', '=', 'sending')
    .where('lease_until', '=', lease)
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export function markSent(
  db: Executor,
  ids: readonly string[],
  lease: number,
  now: number,
): Promise<string[]> {
  return updateHeld(db, ids, lease, {
    status: 'sent',
    sent_at: now,
    lease_until: null,
    last_error: null,
    updated_at: now,
  });
}

export function markRetry(
  db: Executor,
  id: string,
  lease: number,
  change: { nextAttemptAt: number; error: string; now: number },
): Promise<boolean> {
  return updateOneHeld(db, id, lease, {
    status: 'pending',
    next_attempt_at: change.nextAttemptAt,
    lease_until: null,
    last_error: change.error,
    updated_at: change.now,
  });
}

export function markFailed(
  db: Executor,
  id: string,
  lease: number,
  change: { error: string; now: number },
): Promise<boolean> {
  return updateOneHeld(db, id, lease, {
    status: 'failed',
    lease_until: null,
    last_error: change.error,
    updated_at: change.now,
  });
}

/**
 * Claimed rows a worker gives back unsent (they waited in its reserve until too little of the
 * lease was left for a send): due again at once, and the claim's attempt is taken back.
 */
export function markReleased(
  db: Executor,
  ids: readonly string[],
  lease: number,
  now: number,
): Promise<string[]> {
  return updateHeld(db, ids, lease, (eb) => ({
    status: 'pending',
    attempts: eb('attempts', '-', 1),
    next_attempt_at: now,
    lease_until: null,
    updated_at: now,
  }));
}

/** A fallback waiting for its inbox item (unless_read) whose item was read: not sent, not an attempt. */
export function markSkipped(
  db: Executor,
  id: string,
  lease: number,
  change: { reason: string; now: number },
): Promise<boolean> {
  return updateOneHeld(db, id, lease, (eb) => ({
    status: 'skipped',
    attempts: eb('attempts', '-', 1),
    lease_until: null,
    last_error: change.reason,
    updated_at: change.now,
  }));
}

/** The original failed for good: its fallbacks still waiting for their time are due now. */
export async function bringFallbacksForward(db: Executor, originalId: string, now: number): Promise<number> {
  const res = await db
    .updateTable('deliveries')
    .set({ next_attempt_at: now, updated_at: now })
    .where('fallback_of', '=', originalId)
    .where('status', '=', 'pending')
    .where('next_attempt_at', '>', now)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

/** Names the first fallback written for a delivery (later ones are found by their `fallback_of`). */
export async function setFallbackId(db: Executor, id: string, fallbackId: string): Promise<void> {
  await db
    .updateTable('deliveries')
    .set({ fallback_id: fallbackId })
    .where('id', '=', id)
    .where('fallback_id', 'is', null)
    .execute();
}

/** Per original id, the ids of its fallbacks, oldest first (the fallback_of index). */
export async function fallbacksOf(db: Executor, ids: readonly string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const part of chunks(ids)) {
    const rows = await db
      .selectFrom('deliveries')
      .select(['id', 'fallback_of'])
      .where('fallback_of', 'in', part)
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    for (const r of rows) out.set(r.fallback_of!, [...(out.get(r.fallback_of!) ?? []), r.id]);
  }
  return out;
}

/** `{"k": v, …}` built by the database (nestable), for set-based inserts. */
function jsonObject(
  kind: StoreKind,
  pairs: ReadonlyArray<[string, Expression<unknown>]>,
): RawBuilder<unknown> {
  const args = sql.join(pairs.map(([k, v]) => sql`${sql.lit(k)}, ${v}`));
  return kind === 'postgres' ? sql`json_build_object(${args})` : sql`json_object(${args})`;
}

/** The JSON value as text, the way the column stores it. */
const jsonText = (kind: StoreKind, json: RawBuilder<unknown>): RawBuilder<string> =>
  kind === 'postgres' ? sql<string>`(${json})::text` : sql<string>`${json}`;

/** One content blob, one message and one clock for every row an INSERT … SELECT writes. */
export interface MessageDeliveryInsert {
  messageId: string;
  /** JSON content, identical for every recipient of the message. */
  content: string;
  now: number;
  /** The message's template: recipients who disabled it are left out; null when it has none. */
  skipDisabledTemplateId: string | null;
}

function insertSelect(
  db: Executor,
  kind: StoreKind,
  channel: string,
  m: MessageDeliveryInsert,
  select: { notificationId: Expression<unknown>; userId: Expression<unknown>; recipient: Expression<string> },
  from: RawBuilder<unknown>,
) {
  return sql`
    insert into deliveries (id, channel, status, message_id, notification_id, user_id, recipient, content,
                            next_attempt_at, created_at, updated_at)
    select ${uuidSql(kind)}, cast(${channel} as text), 'pending', cast(${m.messageId} as text), ${select.notificationId},
           ${select.userId}, ${select.recipient}, cast(${m.content} as text), cast(${m.now} as bigint),
           cast(${m.now} as bigint), cast(${m.now} as bigint)
    ${from}`.execute(db);
}

const skipDisabled = (column: RawBuilder<unknown>, templateId: string | null) =>
  templateId
    ? sql`and ${column} not in (select user_id from preferences where template_id = ${templateId} and disabled = 1)`
    : sql``;

/** One smtp delivery per inbox item of the message whose user has an email address. */
async function insertMessageEmails(db: Executor, kind: StoreKind, m: MessageDeliveryInsert): Promise<number> {
  const res = await insertSelect(
    db,
    kind,
    'smtp',
    m,
    {
      notificationId: sql.ref('n.id'),
      userId: sql.ref('n.user_id'),
      recipient: jsonText(kind, jsonObject(kind, [['address', sql.ref('u.email')]])),
    },
    sql`from notifications n join users u on u.id = n.user_id
        where n.message_id = ${m.messageId} and u.email is not null and u.email <> ''
        ${skipDisabled(sql.ref('n.user_id'), m.skipDisabledTemplateId)}`,
  );
  return Number(res.numAffectedRows ?? 0);
}

const subscriptionJson = (kind: StoreKind) =>
  jsonText(
    kind,
    jsonObject(kind, [
      [
        'subscription',
        jsonObject(kind, [
          ['endpoint', sql.ref('ps.endpoint')],
          [
            'keys',
            jsonObject(kind, [
              ['p256dh', sql.ref('ps.p256dh')],
              ['auth', sql.ref('ps.auth')],
            ]),
          ],
        ]),
      ],
    ]),
  );

/** One webpush delivery per push subscription of each inbox item's user. */
async function insertMessagePushes(db: Executor, kind: StoreKind, m: MessageDeliveryInsert): Promise<number> {
  const res = await insertSelect(
    db,
    kind,
    'webpush',
    m,
    { notificationId: sql.ref('n.id'), userId: sql.ref('n.user_id'), recipient: subscriptionJson(kind) },
    sql`from notifications n join push_subscriptions ps on ps.user_id = n.user_id
        where n.message_id = ${m.messageId}
        ${skipDisabled(sql.ref('n.user_id'), m.skipDisabledTemplateId)}`,
  );
  return Number(res.numAffectedRows ?? 0);
}

/**
 * Pushes for recipients who have no inbox item because they disabled the template: CRITICAL
 * messages reach their devices anyway. Candidates are the message's recipients as addressed
 * (bucket members, narrowed or not, or named users).
 */
async function insertPushesForDisabled(
  db: Executor,
  kind: StoreKind,
  m: MessageDeliveryInsert & { templateId: string },
  recipients: Recipients,
): Promise<number> {
  const run = async (source: RawBuilder<unknown>) => {
    const res = await insertSelect(
      db,
      kind,
      'webpush',
      m,
      {
        notificationId: sql`cast(null as text)`,
        userId: sql.ref('ps.user_id'),
        recipient: subscriptionJson(kind),
      },
      sql`from (${source}) src join push_subscriptions ps on ps.user_id = src.uid
          where src.uid in (select user_id from preferences where template_id = ${m.templateId} and disabled = 1)
            and src.uid not in (select user_id from notifications where message_id = ${m.messageId})`,
    );
    return Number(res.numAffectedRows ?? 0);
  };
  if ('bucketId' in recipients && !recipients.onlyUserIds) {
    return run(sql`select user_id as uid from bucket_members where bucket_id = ${recipients.bucketId}`);
  }
  const ids = 'bucketId' in recipients ? (recipients.onlyUserIds ?? []) : recipients.userIds;
  let n = 0;
  for (const part of chunks([...new Set(ids)])) {
    n += await run(
      'bucketId' in recipients
        ? sql`select user_id as uid from bucket_members where bucket_id = ${recipients.bucketId} and user_id in (${sql.join(part)})`
        : sql`select id as uid from users where id in (${sql.join(part)})`,
    );
  }
  return n;
}

/** Which of the statements above one message needs (message routing decides, in rules/). */
export interface MessageDeliveryRoute {
  email: boolean;
  push: boolean;
  pushIgnoresPreference: boolean;
  pushToOptedOut: boolean;
}

/**
 * Writes a message's outside deliveries as routed: a few INSERT … SELECT statements however
 * many recipients it has. Returns how many rows they wrote.
 */
export async function insertMessageDeliveries(
  db: Executor,
  kind: StoreKind,
  m: MessageDeliveryInsert,
  route: MessageDeliveryRoute,
  recipients: Recipients,
): Promise<number> {
  let count = 0;
  if (route.email) count += await insertMessageEmails(db, kind, m);
  if (route.push) {
    const pushes = route.pushIgnoresPreference ? { ...m, skipDisabledTemplateId: null } : m;
    count += await insertMessagePushes(db, kind, pushes);
  }
  if (route.pushToOptedOut && m.skipDisabledTemplateId) {
    count += await insertPushesForDisabled(
      db,
      kind,
      { ...m, templateId: m.skipDisabledTemplateId },
      recipients,
    );
  }
  return count;
}

/** The template's preferred outside method (null: the defaults). */
export async function templateMethod(db: Executor, templateId: string): Promise<string | null> {
  const row = await db
    .selectFrom('templates')
    .select('method')
    .where('id', '=', templateId)
    .executeTakeFirst();
  return row?.method ?? null;
}

export interface LogFilter {
  /** `pending` covers rows being sent right now too. */
  status?: 'pending' | 'sent' | 'failed' | 'skipped';
  ruleId?: string;
  /** The channel type (`webhook`, `smtp`, ...). */
  channel?: string;
  /** Only rows created at or after this time (epoch ms). */
  since?: number;
  /** Only rows created before this time (epoch ms). */
  before?: number;
}

function filtered(db: Executor, f: LogFilter) {
  let q = db.selectFrom('deliveries');
  if (f.status === 'pending') q = q.where('status', 'in', OPEN_STATUSES);
  else if (f.status) q = q.where('status', '=', f.status);
  if (f.ruleId !== undefined) q = q.where('rule_id', '=', f.ruleId);
  if (f.channel !== undefined) q = q.where('channel', '=', f.channel);
  if (f.since !== undefined) q = q.where('created_at', '>=', f.since);
  if (f.before !== undefined) q = q.where('created_at', '<', f.before);
  return q;
}

/** Newest first; each filter combination is served by one of the status/rule/created indexes. */
export async function listDeliveries(
  db: Executor,
  f: LogFilter,
  page: { offset: number; limit: number },
): Promise<DeliveryRow[]> {
  return filtered(db, f)
    .selectAll()
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}

export async function countDeliveries(db: Executor, f: LogFilter): Promise<number> {
  const row = await filtered(db, f)
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function getDelivery(db: Executor, id: string): Promise<DeliveryRow | undefined> {
  return db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** failed → pending, due now, with a fresh attempt budget. False when the row is not failed. */
export async function requeueFailed(db: Executor, id: string, now: number): Promise<boolean> {
  const res = await db
    .updateTable('deliveries')
    .set({ status: 'pending', attempts: 0, next_attempt_at: now, lease_until: null, updated_at: now })
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deleteDelivery(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom('deliveries').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function deleteDeliveries(db: Executor, f: LogFilter): Promise<number> {
  const res = await db
    .deleteFrom('deliveries')
    .where('id', 'in', filtered(db, f).select('id'))
    .executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Rows owed a send, by status; an index range count on (status, next_attempt_at). */
export async function queueDepth(db: Executor): Promise<{ pending: number; sending: number }> {
  const rows = await db
    .selectFrom('deliveries')
    .select(['status', (eb) => eb.fn.countAll<number | string>().as('n')])
    .where('status', 'in', OPEN_STATUSES)
    .groupBy('status')
    .execute();
  const out = { pending: 0, sending: 0 };
  for (const r of rows) out[r.status as 'pending' | 'sending'] = Number(r.n);
  return out;
}

// Retention: everything older than the cutoff goes, a bounded batch per statement so one run
// never holds the write lock for long. Deliveries still owed a send are never dropped.

export async function deleteOldDeliveries(db: Executor, cutoff: number, batch: number): Promise<number> {
  const ids = db
    .selectFrom('deliveries')
    .select('id')
    .where('created_at', '<', cutoff)
    .where('status', 'in', ['sent', 'failed', 'skipped'])
    .limit(batch);
  const res = await db.deleteFrom('deliveries').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows);
}

/** Attachment rows of old messages (or never linked to one) older than the cutoff; returns their paths. */
export async function deleteOldAttachments(db: Executor, cutoff: number, batch: number): Promise<string[]> {
  const ids = db
    .selectFrom('attachments')
    .select('id')
    .where('created_at', '<', cutoff)
    .where((eb) =>
      eb.or([
        eb('message_id', 'is', null),
        eb('message_id', 'in', eb.selectFrom('messages').select('id').where('created_at', '<', cutoff)),
      ]),
    )
    .limit(batch);
  const rows = await db.deleteFrom('attachments').where('id', 'in', ids).returning('path').execute();
  return rows.map((r) => r.path);
}

export async function deleteOldNotifications(db: Executor, cutoff: number, batch: number): Promise<number> {
  const ids = db.selectFrom('notifications').select('id').where('created_at', '<', cutoff).limit(batch);
  const res = await db.deleteFrom('notifications').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows);
}

export async function deleteOldMessages(db: Executor, cutoff: number, batch: number): Promise<number> {
  const ids = db.selectFrom('messages').select('id').where('created_at', '<', cutoff).limit(batch);
  const res = await db.deleteFrom('messages').where('id', 'in', ids).executeTakeFirst();
  return Number(res.numDeletedRows);
}
