import type { AppContext } from '../context.ts';
import { notFound } from '../domain/errors.ts';
import { newId } from '../domain/ids.ts';
import type { Rule, RuleDefinition } from '../rules/rule.types.ts';
import { listRoles } from '../store/role.repository.ts';
import {
  deleteRule,
  getRule,
  insertRule,
  listRecipientUsers,
  listRules,
  type RuleRow,
  ruleColumns,
  ruleFromRow,
  updateRule,
} from '../store/rule.repository.ts';

/** Rules administration for the routing family; definitions arrive already checked. */

export async function listAllRules(ctx: AppContext): Promise<Rule[]> {
  return (await listRules(ctx.store.db)).map(ruleFromRow);
}

export async function createRule(ctx: AppContext, definition: RuleDefinition): Promise<Rule> {
  const now = ctx.clock.now();
  const row = {
    id: newId(now),
    created_at: now,
    updated_at: now,
    last_triggered_at: null,
    ...ruleColumns(definition),
  } as RuleRow;
  await ctx.store.writer.run((tx) => insertRule(tx, row));
  return ruleFromRow(row);
}

/** Applies the fields present in `patch`; the rest stay as they are. */
export async function updateRuleById(
  ctx: AppContext,
  id: string,
  patch: Partial<RuleDefinition>,
): Promise<Rule> {
  const existing = await getRule(ctx.store.db, id);
  if (!existing) throw notFound('Rule');
  await ctx.store.writer.run((tx) =>
    updateRule(tx, existing.id, { ...ruleColumns(patch), updated_at: ctx.clock.now() }),
  );
  return ruleFromRow((await getRule(ctx.store.db, existing.id))!);
}

/** Turns a rule on or off; returns whether it is now enabled. */
export async function toggleRuleById(ctx: AppContext, id: string): Promise<boolean> {
  const existing = await getRule(ctx.store.db, id);
  if (!existing) throw notFound('Rule');
  const enabled = existing.enabled !== 1;
  await ctx.store.writer.run((tx) =>
    updateRule(tx, existing.id, { enabled: enabled ? 1 : 0, updated_at: ctx.clock.now() }),
  );
  return enabled;
}

export async function deleteRuleById(ctx: AppContext, id: string): Promise<void> {
  const ok = await ctx.store.writer.run((tx) => deleteRule(tx, id));
  if (!ok) throw notFound('Rule');
}

/** The users and roles a rule action may name. */
export async function ruleRecipients(ctx: AppContext) {
  const [users, roles] = await Promise.all([listRecipientUsers(ctx.store.db), listRoles(ctx.store.db)]);
  return { users, roles: roles.map((r) => ({ id: r.id, name: r.name })) };
}
