import type { Executor } from './database.ts';

/** A tenant notification as the tenant family shows it: notification + message + template. */
export interface TenantNotificationRow {
  id: string;
  user_id: string;
  tenant_id: string | null;
  read_at: number | null;
  created_at: number;
  title: string;
  body: string | null;
  entity_type: string | null;
  entity_id: string | null;
  action_url: string | null;
  payload: string | null;
  template_key: string | null;
  category: string | null;
  is_actionable: number | null;
}

export interface TenantFilter {
  userId: string;
  tenantId: string;
  status?: 'READ' | 'UNREAD';
  templateKey?: string;
  category?: string;
  entityType?: string;
  since?: number;
}

function base(db: Executor) {
  return db
    .selectFrom('notifications as n')
    .innerJoin('messages as m', 'm.id', 'n.message_id')
    .leftJoin('templates as t', 't.id', 'n.template_id');
}

function filtered(db: Executor, f: TenantFilter) {
  let q = base(db)
    .where('n.tenant_id', '=', f.tenantId)
    .where('n.user_id', '=', f.userId)
    .where('n.archived_at', 'is', null);
  if (f.status === 'READ') q = q.where('n.read_at', 'is not', null);
  if (f.status === 'UNREAD') q = q.where('n.read_at', 'is', null);
  if (f.templateKey) q = q.where('t.key', '=', f.templateKey);
  if (f.category) q = q.where('t.group_name', '=', f.category);
  if (f.entityType) q = q.where('m.entity_type', '=', f.entityType);
  if (f.since !== undefined) q = q.where('n.created_at', '>=', f.since);
  return q;
}

const COLUMNS = [
  'n.id',
  'n.user_id',
  'n.tenant_id',
  'n.read_at',
  'n.created_at',
  'm.title',
  'm.body',
  'm.entity_type',
  'm.entity_id',
  'm.action_url',
  'm.payload',
  't.key as template_key',
  't.group_name as category',
  't.is_actionable',
] as const;

export async function listTenantNotifications(
  db: Executor,
  f: TenantFilter,
  page: { limit: number; offset: number },
): Promise<{ rows: TenantNotificationRow[]; total: number }> {
  const [rows, total] = await Promise.all([
    filtered(db, f)
      .select(COLUMNS)
      .orderBy('n.created_at', 'desc')
      .orderBy('n.id', 'desc')
      .limit(page.limit)
      .offset(page.offset)
      .execute(),
    filtered(db, f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { rows: rows as TenantNotificationRow[], total: Number(total.n) };
}

export async function countTenantNotifications(
  db: Executor,
  f: TenantFilter,
): Promise<{ read: number; unread: number }> {
  const row = await filtered(db, f)
    .select((eb) => [eb.fn.countAll<number>().as('total'), eb.fn.count<number>('n.read_at').as('read')])
    .executeTakeFirstOrThrow();
  const total = Number(row.total);
  const read = Number(row.read);
  return { read, unread: total - read };
}

export async function getTenantNotification(
  db: Executor,
  id: string,
): Promise<TenantNotificationRow | undefined> {
  return (await base(db).select(COLUMNS).where('n.id', '=', id).executeTakeFirst()) as
    | TenantNotificationRow
    | undefined;
}

/**
 * Makes `id` a recipient-only user of `tenantId` unless the id is already taken, and returns
 * whoever holds it. Insert-or-nothing, so concurrent first mentions of one id neither fail on
 * the primary key nor each believe they created it.
 */
export async function ensureRecipient(
  db: Executor,
  id: string,
  tenantId: string,
  now: number,
): Promise<{ kind: string; tenant_id: string | null }> {
  await db
    .insertInto('users')
    .values({
      id,
      email: null,
      username: null,
      password_hash: null,
      display_name: null,
      kind: 'recipient',
      tenant_id: tenantId,
      created_at: now,
      updated_at: now,
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
  return db.selectFrom('users').select(['kind', 'tenant_id']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** Whether a template reaches a user: not disabled by them, and on by default or turned on. */
export async function templateReaches(
  db: Executor,
  templateId: string,
  onByDefault: boolean,
  userId: string,
): Promise<boolean> {
  const pref = await db
    .selectFrom('preferences')
    .select('disabled')
    .where('template_id', '=', templateId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return pref ? pref.disabled === 0 : onByDefault;
}
