import type { Selectable } from 'kysely';
import type { Rule, RuleDefinition } from '../rules/rule.types.ts';
import type { Executor, StoreKind } from './database.ts';
import { executeDeferred } from './deferred-write.ts';
import type { RuleTable } from './delivery.table.ts';
import type { EventTable } from './event.table.ts';

export type RuleRow = Selectable<RuleTable>;
export type EventRow = Selectable<EventTable>;

export const ruleFromRow = (r: RuleRow): Rule => ({
  id: r.id,
  name: r.name,
  enabled: r.enabled === 1,
  events: JSON.parse(r.events),
  conditionLogic: r.condition_logic as Rule['conditionLogic'],
  conditions: JSON.parse(r.conditions),
  cadence: JSON.parse(r.cadence),
  actions: JSON.parse(r.actions),
  createdAt: new Date(r.created_at),
  lastTriggeredAt: r.last_triggered_at === null ? null : new Date(r.last_triggered_at),
});

export const ruleColumns = (d: Partial<RuleDefinition>) => ({
  ...(d.name !== undefined ? { name: d.name } : {}),
  ...(d.enabled !== undefined ? { enabled: d.enabled ? 1 : 0 } : {}),
  ...(d.events !== undefined ? { events: JSON.stringify(d.events) } : {}),
  ...(d.conditionLogic !== undefined ? { condition_logic: d.conditionLogic } : {}),
  ...(d.conditions !== undefined ? { conditions: JSON.stringify(d.conditions) } : {}),
  ...(d.cadence !== undefined ? { cadence: JSON.stringify(d.cadence) } : {}),
  ...(d.actions !== undefined ? { actions: JSON.stringify(d.actions) } : {}),
});

export async function listRules(db: Executor): Promise<RuleRow[]> {
  return db.selectFrom('rules').selectAll().orderBy('created_at').orderBy('id').execute();
}

export async function listEnabledRules(db: Executor): Promise<RuleRow[]> {
  return db.selectFrom('rules').selectAll().where('enabled', '=', 1).execute();
}

export async function getRule(db: Executor, id: string): Promise<RuleRow | undefined> {
  return db.selectFrom('rules').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertRule(db: Executor, row: RuleRow): Promise<void> {
  await db.insertInto('rules').values(row).execute();
}

export async function updateRule(db: Executor, id: string, patch: Partial<RuleRow>): Promise<boolean> {
  const res = await db.updateTable('rules').set(patch).where('id', '=', id).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deleteRule(db: Executor, id: string): Promise<boolean> {
  const res = await db.deleteFrom('rules').where('id', '=', id).executeTakeFirst();
  return Number(res.numDeletedRows) > 0;
}

export async function markRulesTriggered(db: Executor, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('rules').set({ last_triggered_at: at }).where('id', 'in', ids).execute();
}

/**
 * Takes the oldest unprocessed events for this transaction. On PostgreSQL other processes
 * skip the rows this one locked, so each event is processed once.
 */
export async function takePendingEvents(db: Executor, kind: StoreKind, limit: number): Promise<EventRow[]> {
  const q = db
    .selectFrom('events')
    .selectAll()
    .where('processed_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(limit);
  return kind === 'postgres' ? q.forUpdate().skipLocked().execute() : q.execute();
}

export async function markEventsProcessed(db: Executor, ids: readonly string[], at: number): Promise<void> {
  if (ids.length === 0) return;
  // Nothing reads its answer: it goes to the writer with the commit (see deferred-write.ts).
  await executeDeferred(db, db.updateTable('events').set({ processed_at: at }).where('id', 'in', ids));
}

/** The open digest delivery for a rule action's window and recipient, if one is waiting. */
export async function findOpenDigest(
  db: Executor,
  ruleId: string,
  windowKey: string,
  channel: string,
  recipient: string,
): Promise<{ id: string; content: string } | undefined> {
  return db
    .selectFrom('deliveries')
    .select(['id', 'content'])
    .where('rule_id', '=', ruleId)
    .where('window_key', '=', windowKey)
    .where('channel', '=', channel)
    .where('recipient', '=', recipient)
    .where('status', '=', 'pending')
    .executeTakeFirst();
}

export async function updateDeliveryContent(
  db: Executor,
  id: string,
  content: string,
  now: number,
): Promise<void> {
  await db.updateTable('deliveries').set({ content, updated_at: now }).where('id', '=', id).execute();
}

export interface RecipientDirectory {
  users: Array<{ id: string; username: string | null; email: string | null }>;
  roleMembers: Map<string, string[]>;
  roles: Array<{ id: string; name: string }>;
}

/** Resolves rule recipients (user ids, usernames, emails, role ids or names) in three queries. */
export async function lookupRecipients(db: Executor, refs: readonly string[]): Promise<RecipientDirectory> {
  if (refs.length === 0) return { users: [], roleMembers: new Map(), roles: [] };
  const lowered = refs.map((r) => r.toLowerCase());
  const [users, roles] = await Promise.all([
    db
      .selectFrom('users')
      .select(['id', 'username', 'email'])
      .where('kind', '=', 'account')
      .where((eb) => eb.or([eb('id', 'in', refs), eb('username', 'in', refs), eb('email', 'in', lowered)]))
      .execute(),
    db
      .selectFrom('roles')
      .select(['id', 'name'])
      .where((eb) => eb.or([eb('id', 'in', refs), eb('name', 'in', refs)]))
      .execute(),
  ]);
  const roleMembers = new Map<string, string[]>();
  if (roles.length > 0) {
    const members = await db
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .select(['user_roles.role_id', 'users.id', 'users.username', 'users.email'])
      .where(
        'user_roles.role_id',
        'in',
        roles.map((r) => r.id),
      )
      .execute();
    for (const m of members) {
      roleMembers.set(m.role_id, [...(roleMembers.get(m.role_id) ?? []), m.id]);
      if (!users.some((u) => u.id === m.id)) users.push({ id: m.id, username: m.username, email: m.email });
    }
  }
  return { users, roleMembers, roles };
}

export async function pushSubscriptionsOf(db: Executor, userIds: readonly string[]) {
  if (userIds.length === 0) return [];
  return db.selectFrom('push_subscriptions').selectAll().where('user_id', 'in', userIds).execute();
}

/** Every account as a rule action may name it, for the recipients picker. */
export async function listRecipientUsers(
  db: Executor,
): Promise<Array<{ id: string; username: string | null; email: string | null }>> {
  return db
    .selectFrom('users')
    .select(['id', 'username', 'email'])
    .where('kind', '=', 'account')
    .orderBy('username')
    .execute();
}
