import { type Selectable, sql } from 'kysely';
import type { Executor, StoreKind } from './database.ts';
import type { BucketChannelTable } from './delivery.table.ts';
import { uuidSql } from './message.repository.ts';

/** A bucket's default outside channels (see services/bucket-channel.service.ts). */
export type BucketChannelRow = Selectable<BucketChannelTable>;

export async function bucketNameOf(db: Executor, bucketId: string): Promise<string | undefined> {
  const row = await db.selectFrom('buckets').select('name').where('id', '=', bucketId).executeTakeFirst();
  return row?.name;
}

export async function listBucketChannels(db: Executor, bucketId: string): Promise<BucketChannelRow[]> {
  return db
    .selectFrom('bucket_channels')
    .selectAll()
    .where('bucket_id', '=', bucketId)
    .orderBy('channel')
    .execute();
}

export async function putBucketChannel(db: Executor, row: BucketChannelRow): Promise<void> {
  await db
    .insertInto('bucket_channels')
    .values(row)
    .onConflict((oc) =>
      oc
        .columns(['bucket_id', 'channel'])
        .doUpdateSet({ recipients: row.recipients, updated_at: row.updated_at }),
    )
    .execute();
}

export async function deleteBucketChannel(db: Executor, bucketId: string, channel: string): Promise<boolean> {
  const res = await db
    .deleteFrom('bucket_channels')
    .where('bucket_id', '=', bucketId)
    .where('channel', '=', channel)
    .executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

/** What every delivery of one message over one bucket channel shares. */
export interface BucketChannelDeliveries {
  messageId: string;
  channel: string;
  content: string;
  now: number;
}

/** One delivery to the channel's own target (the team chat, the Slack channel). */
export async function insertChannelTargetDelivery(
  db: Executor,
  kind: StoreKind,
  d: BucketChannelDeliveries,
): Promise<number> {
  await sql`
    insert into deliveries (id, channel, status, message_id, recipient, content, next_attempt_at, created_at, updated_at)
    values (${uuidSql(kind)}, ${d.channel}, 'pending', ${d.messageId}, '{}', ${d.content}, ${d.now}, ${d.now}, ${d.now})`.execute(
    db,
  );
  return 1;
}

/**
 * One delivery per inbox item of the message whose user is named (by id, username, email, or
 * through a role) and has an address on the channel: INSERT … SELECT, however many members.
 * Inbox items already honour preferences, so someone who turned the message off gets nothing.
 */
export async function insertNamedUserDeliveries(
  db: Executor,
  kind: StoreKind,
  d: BucketChannelDeliveries,
  refs: readonly string[],
): Promise<number> {
  if (refs.length === 0) return 0;
  const list = sql.join(refs);
  const lowered = sql.join(refs.map((r) => r.toLowerCase()));
  const recipient =
    kind === 'postgres'
      ? sql`json_build_object('address', a.address)::text`
      : sql`json_object('address', a.address)`;
  const res = await sql`
    insert into deliveries (id, channel, status, message_id, notification_id, user_id, recipient, content,
                            next_attempt_at, created_at, updated_at)
    select ${uuidSql(kind)}, cast(${d.channel} as text), 'pending', cast(${d.messageId} as text), n.id, n.user_id,
           ${recipient}, cast(${d.content} as text), cast(${d.now} as bigint), cast(${d.now} as bigint),
           cast(${d.now} as bigint)
    from notifications n join user_addresses a on a.user_id = n.user_id and a.channel = ${d.channel}
    where n.message_id = ${d.messageId}
      and (n.user_id in (select id from users where id in (${list}) or username in (${list}) or email in (${lowered}))
           or n.user_id in (select ur.user_id from user_roles ur join roles r on r.id = ur.role_id
                            where r.id in (${list}) or r.name in (${list})))`.execute(db);
  return Number(res.numAffectedRows ?? 0);
}
